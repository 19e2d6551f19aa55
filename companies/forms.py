"""Back-office forms for the company's own settings."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies import identifiers, late_payment
from companies.models import (
    FORMS_WITH_RCS_AND_CAPITAL,
    REMINDER_DAYS_MAX,
    REMINDER_DAYS_RANGE,
    Company,
    reminder_offsets,
)
from companies.money import (
    STORED_DECIMALS,
    STORED_DIGITS,
    is_known_currency,
    is_supported_currency,
    unsupported_currency_message,
)
from companies.services import COMPANY_EDITABLE_FIELDS


class AmountField(forms.DecimalField):
    """An amount of money, as precise as the database keeps it (`MoneyField`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", STORED_DIGITS)
        kwargs.setdefault("decimal_places", STORED_DECIMALS)
        super().__init__(*args, **kwargs)


class CurrencyField(forms.CharField):
    """An ISO 4217 code that CLDR knows, whatever case it was typed in."""

    def clean(self, value: str) -> str:
        code = super().clean(value).strip().upper()
        if code and not is_known_currency(code):
            raise forms.ValidationError(
                _("%(code)s is not a known currency."),
                code="unknown_currency",
                params={"code": code},
            )
        if code and not is_supported_currency(code):
            raise forms.ValidationError(
                unsupported_currency_message(code), code="unsupported_currency"
            )
        return code


class CountryField(forms.CharField):
    """An ISO 3166 alpha-2 country code, whatever case it was typed in; France
    when left blank."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["required"] = False
        super().__init__(**kwargs)

    def clean(self, value: str) -> str:
        code = (value or "").strip().upper() or identifiers.FRANCE
        if not (len(code) == 2 and code.isalpha() and code.isascii()):
            raise forms.ValidationError(
                _("Enter a two-letter country code, such as FR or BE."),
                code="unknown_country",
            )
        return super().clean(code)


def identifiers_check(
    form: forms.BaseForm,
    *,
    siren_field: str,
    country: str,
    siren_anywhere: bool = False,
) -> None:
    """Check the SIREN and the VAT number of a company or client form, writing
    the compacted values back; errors go next to their field.

    A company's registration number is a SIREN in France only; a client's
    SIREN field is one wherever the client is (`siren_anywhere`).
    """
    cleaned = form.cleaned_data
    siren = cleaned.get(siren_field, "")
    if siren and (siren_anywhere or country in identifiers.SIREN_COUNTRIES):
        try:
            siren = cleaned[siren_field] = identifiers.siren_clean(siren)
        except identifiers.InvalidIdentifier as exc:
            form.add_error(siren_field, str(exc))
            siren = ""
    if "vat_number" in cleaned:
        try:
            cleaned["vat_number"] = identifiers.vat_number_clean(
                cleaned["vat_number"],
                siren=siren if country in identifiers.SIREN_COUNTRIES else "",
            )
        except identifiers.InvalidIdentifier as exc:
            form.add_error("vat_number", str(exc))


def electronic_address_check(form: forms.BaseForm) -> None:
    """Check the electronic invoicing address of a company or client form."""
    cleaned = form.cleaned_data
    if "electronic_address" not in cleaned:
        return
    try:
        cleaned["electronic_address"] = identifiers.electronic_address_clean(
            cleaned["electronic_address"]
        )
    except identifiers.InvalidIdentifier as exc:
        form.add_error("electronic_address", str(exc))


def legal_form_check(form: forms.BaseForm) -> None:
    """A French commercial company states its RCS city and share capital."""
    cleaned = form.cleaned_data
    if cleaned.get("country") != identifiers.FRANCE:
        return
    if cleaned.get("legal_form") not in FORMS_WITH_RCS_AND_CAPITAL:
        return
    if not (cleaned.get("rcs_city") or "").strip():
        form.add_error(
            "rcs_city",
            _("A commercial company's invoices name its RCS city: enter it."),
        )
    if cleaned.get("share_capital") is None:
        form.add_error(
            "share_capital",
            _("A commercial company's invoices state its share capital: enter it."),
        )


class CompanySettingsForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = COMPANY_EDITABLE_FIELDS
        field_classes = {"default_currency": CurrencyField, "country": CountryField}

    def clean_iban(self) -> str:
        # People paste IBANs in groups of four; the bank details print them again.
        return "".join(self.cleaned_data["iban"].split()).upper()

    def clean_bic(self) -> str:
        return self.cleaned_data["bic"].strip().upper()

    def clean_share_capital(self) -> object:
        capital = self.cleaned_data["share_capital"]
        if capital is not None and capital <= 0:
            raise forms.ValidationError(
                _("A share capital is greater than zero."), code="capital_range"
            )
        return capital

    def clean_late_payment_rate(self) -> object:
        """Never under the legal floor: three times the legal interest rate."""
        rate = self.cleaned_data["late_payment_rate"]
        if rate is not None:
            floor = late_payment.penalty_rate_floor(timezone.localdate())
            if rate < floor:
                raise forms.ValidationError(
                    _(
                        "At least %(floor)s %% a year: three times the legal "
                        "interest rate (art. L441-10 of the French commercial code)."
                    )
                    % {"floor": floor},
                    code="late_payment_rate_floor",
                )
        return rate

    def clean_reminder_days(self) -> str:
        """ "-3, 0, 7, 30": whole days from the due date, at most eight."""
        text = self.cleaned_data["reminder_days"]
        parts = [part.strip() for part in text.replace(";", ",").split(",")]
        parts = [part for part in parts if part]
        for part in parts:
            try:
                day = int(part)
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s is not a whole number of days."),
                    code="reminder_day_invalid",
                    params={"value": part},
                ) from None
            if day not in REMINDER_DAYS_RANGE:
                raise forms.ValidationError(
                    _("%(value)s is out of range: from -60 to 365 days."),
                    code="reminder_day_range",
                    params={"value": part},
                )
        offsets = reminder_offsets(text)
        if len(offsets) > REMINDER_DAYS_MAX:
            raise forms.ValidationError(
                _("At most %(max)s reminders."),
                code="reminder_days_too_many",
                params={"max": REMINDER_DAYS_MAX},
            )
        return ",".join(str(day) for day in offsets)

    def clean_quote_reminder_days(self) -> int | None:
        days = self.cleaned_data["quote_reminder_days"]
        if days is not None and days > 90:
            raise forms.ValidationError(
                _("At most 90 days before expiry."), code="quote_reminder_range"
            )
        return days

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        identifiers_check(
            self,
            siren_field="registration_number",
            country=cleaned.get("country", ""),
        )
        electronic_address_check(self)
        legal_form_check(self)
        return cleaned

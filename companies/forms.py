"""Back-office forms for the company's own settings."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from companies import identifiers
from companies.models import (
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
        return cleaned

"""Back-office forms for the company's own settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from companies.money import is_known_currency
from companies.services import COMPANY_EDITABLE_FIELDS


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
        return code


class CompanySettingsForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = COMPANY_EDITABLE_FIELDS
        field_classes = {"default_currency": CurrencyField}

    def clean_iban(self) -> str:
        # People paste IBANs in groups of four; the bank details print them again.
        return "".join(self.cleaned_data["iban"].split()).upper()

    def clean_bic(self) -> str:
        return self.cleaned_data["bic"].strip().upper()

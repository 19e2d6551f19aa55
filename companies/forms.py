"""Back-office forms for the company's own settings."""

from django import forms

from companies.models import Company
from companies.services import COMPANY_EDITABLE_FIELDS
from documents.forms import CurrencyField


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

"""Back-office forms for clients."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client, email_lines, validate_email_lines
from clients.services import CLIENT_EDITABLE_FIELDS
from companies.forms import CountryField, electronic_address_check, identifiers_check


class ClientForm(forms.ModelForm):
    """A client's contact and legal details; the portal token is never a form
    field. Identifiers are checked when typed; finalising an invoice
    says when one it needs is missing."""

    class Meta:
        model = Client
        fields = CLIENT_EDITABLE_FIELDS
        widgets = {"extra_emails": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"country": CountryField}

    def clean_extra_emails(self) -> str:
        text = self.cleaned_data["extra_emails"]
        validate_email_lines(text)
        # Stored one per line, whatever separated them.
        return "\n".join(email_lines(text))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        identifiers_check(
            self,
            siren_field="siren",
            country=cleaned.get("country", ""),
            siren_anywhere=True,
        )
        electronic_address_check(self)
        return cleaned


class PortalRotateForm(forms.Form):
    send_link = forms.BooleanField(
        label=_("E-mail the new link to the client"), required=False
    )

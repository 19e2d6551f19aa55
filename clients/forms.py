"""Back-office forms for clients."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client, email_lines, validate_email_lines
from clients.services import CLIENT_EDITABLE_FIELDS


class ClientForm(forms.ModelForm):
    """A client's contact details; the portal token is never a form field."""

    class Meta:
        model = Client
        fields = CLIENT_EDITABLE_FIELDS
        widgets = {"extra_emails": forms.Textarea(attrs={"rows": 3})}

    def clean_extra_emails(self) -> str:
        text = self.cleaned_data["extra_emails"]
        validate_email_lines(text)
        # Stored one per line, whatever separated them.
        return "\n".join(email_lines(text))


class PortalRotateForm(forms.Form):
    send_link = forms.BooleanField(
        label=_("E-mail the new link to the client"), required=False
    )

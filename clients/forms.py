"""Back-office forms for clients."""

from django import forms

from clients.models import Client
from clients.services import CLIENT_EDITABLE_FIELDS


class ClientForm(forms.ModelForm):
    """A client's contact details; the portal token is never a form field."""

    class Meta:
        model = Client
        fields = CLIENT_EDITABLE_FIELDS

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from transmission import services
from transmission.models import ChorusConnection, PlatformConnection


class PlatformConnectionForm(forms.ModelForm):
    """The secrets are typed, never shown back: left empty, they are kept."""

    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the one stored."),
    )
    webhook_secret = forms.CharField(
        label=_("webhook signing key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "The signingKey the platform returned for your webhook at "
            "/einvoicing/webhook/ (base64). Stored encrypted."
        ),
    )

    class Meta:
        model = PlatformConnection
        fields = ("flow_url", "directory_url", "token_url", "client_id", "enabled")

    def clean_webhook_secret(self) -> str:
        value: str = self.cleaned_data.get("webhook_secret", "").strip()
        if value:
            try:
                services.webhook_key_bytes(value)
            except services.ConnectionRefused as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None and not data.get("client_secret"):
            self.add_error("client_secret", _("Enter the client secret."))
        return data


class ChorusConnectionForm(forms.ModelForm):
    """Chorus Pro through PISTE; the secrets are typed, never shown back."""

    client_secret = forms.CharField(
        label=_("PISTE client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the one stored."),
    )
    password = forms.CharField(
        label=_("technical account password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the one stored."),
    )

    class Meta:
        model = ChorusConnection
        fields = ("api_url", "token_url", "client_id", "login", "enabled")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            if not data.get("client_secret"):
                self.add_error("client_secret", _("Enter the client secret."))
            if not data.get("password"):
                self.add_error("password", _("Enter the password."))
        return data

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from transmission import services
from transmission.models import ChorusConnection, PlatformConnection

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KEPT_IF_EMPTY = _("Stored encrypted. Leave empty to keep the one stored.")


def secret_field(
    label: "StrOrPromise", help_text: "StrOrPromise" = KEPT_IF_EMPTY
) -> forms.CharField:
    """A secret typed in, never shown back; left empty, the stored one stays."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=help_text,
    )


class ConnectionForm(forms.ModelForm):
    """A connection's form: its secrets in `secrets_to_add` (field: the error
    when missing) must be typed when the connection is added; after that,
    empty keeps them."""

    secrets_to_add: "dict[str, StrOrPromise]" = {}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            for name, missing in self.secrets_to_add.items():
                if not data.get(name):
                    self.add_error(name, missing)
        return data


class PlatformConnectionForm(ConnectionForm):
    client_secret = secret_field(_("client secret"))
    webhook_secret = secret_field(
        _("webhook signing key"),
        _(
            "The signingKey the platform returned for your webhook at "
            "/einvoicing/webhook/ (base64). Stored encrypted."
        ),
    )
    secrets_to_add = {"client_secret": _("Enter the client secret.")}

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


class ChorusConnectionForm(ConnectionForm):
    """Chorus Pro through PISTE."""

    client_secret = secret_field(_("PISTE client secret"))
    password = secret_field(_("technical account password"))
    secrets_to_add = {
        "client_secret": _("Enter the client secret."),
        "password": _("Enter the password."),
    }

    class Meta:
        model = ChorusConnection
        fields = ("api_url", "token_url", "client_id", "login", "enabled")

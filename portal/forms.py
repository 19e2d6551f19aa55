"""The portal's forms: the list filter (GET), the language, and a quote's
answers (sign, accept, decline)."""

import base64
import binascii
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branding.images import MAX_SIGNATURE_BYTES
from documents.models import QuoteSignature
from documents.status import CLIENT_STATUSES, client_status_label
from signing import services as signing_services


class DocumentFilterForm(forms.Form):
    """Filter one tab by status and search it by number; bad values are ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    number = forms.CharField(
        label=_("Number"), required=False, max_length=32, strip=True
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status_choices = [
            ("", _("All statuses")),
            *(
                (status.value, client_status_label(status, kind))
                for status in CLIENT_STATUSES[kind]
            ),
        ]
        self.fields["status"].choices = self.status_choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        """The valid filters only: an unknown status or an over-long number is
        dropped rather than shown as an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status", "") or "",
            "number": data.get("number", "") or "",
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


# A drawn signature arrives as a PNG data URL from the canvas script.
SIGNATURE_DATA_PREFIX = "data:image/png;base64,"
SIGNATURE_DATA_MAX_LENGTH = len(SIGNATURE_DATA_PREFIX) + 4 * (
    MAX_SIGNATURE_BYTES // 3 + 1
)


class QuoteAnswerForm(forms.Form):
    """What every answer carries: the version and the PDF the client was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version_pdf_sha256 = forms.RegexField(
        regex=r"^([0-9a-f]{64})?$",
        widget=forms.HiddenInput,
        required=False,
        max_length=64,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stale = _("This page is out of date. Reload it and check the quote again.")
        for name in ("version", "version_pdf_sha256"):
            for code in ("required", "invalid", "min_value", "max_length"):
                self.fields[name].error_messages[code] = stale

    def service_arguments(self) -> dict:
        """The valid form as the answer's service takes it."""
        return {
            "version_number": self.cleaned_data["version"],
            "version_pdf_sha256": self.cleaned_data["version_pdf_sha256"],
        }


class QuoteAcceptForm(QuoteAnswerForm):
    """Accepting a quote that asks for no signature: who, and their consent."""

    signer_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signer_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm what you accept.")},
    )

    def __init__(self, *args, consent_text: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text

    def service_arguments(self) -> dict:
        return super().service_arguments() | {
            name: self.cleaned_data[name]
            for name in ("signer_name", "signer_email", "consent")
        }


class QuoteSignForm(QuoteAcceptForm):
    """Signing: the same, plus one way to sign, chosen by the client: a drawing
    (the canvas) or the typed name, never both."""

    signing_method = forms.ChoiceField(
        label=_("How you sign"),
        # Typing first in the data, drawing first on the page: without the
        # canvas script the switch is hidden and typing is the only way.
        choices=[
            (QuoteSignature.Method.DRAWN.value, _("Draw")),
            (QuoteSignature.Method.TYPED.value, _("Type my name")),
        ],
        initial=QuoteSignature.Method.TYPED.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you sign: draw, or type your name."),
            "invalid_choice": _("Choose how you sign: draw, or type your name."),
        },
    )
    signature_data = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        strip=True,
        max_length=SIGNATURE_DATA_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "The signature image is too large. Clear it and sign "
                "again, or type your name instead."
            )
        },
    )
    typed_name = forms.CharField(
        label=_("Type your full name as your signature"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_signature_data(self) -> bytes | None:
        """The PNG's bytes, or None when nothing was drawn."""
        data = self.cleaned_data["signature_data"]
        if not data:
            return None
        if not data.startswith(SIGNATURE_DATA_PREFIX):
            raise forms.ValidationError(
                _("The signature must be a PNG image drawn on the page.")
            )
        try:
            return base64.b64decode(data[len(SIGNATURE_DATA_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(
                _("The signature must be a PNG image drawn on the page.")
            ) from None

    def service_arguments(self) -> dict:
        return super().service_arguments() | {
            "method": self.cleaned_data["signing_method"],
            "signature_png": self.cleaned_data["signature_data"],
            "typed_name": self.cleaned_data["typed_name"],
        }

    def clean(self) -> dict[str, Any]:
        """The chosen way's evidence, and nothing of the other (the service
        checks the same, with the drawing's pixels)."""
        cleaned = super().clean() or {}
        method = cleaned.get("signing_method")
        drawn = cleaned.get("signature_data")
        typed = " ".join((cleaned.get("typed_name") or "").split())
        if not method or "signature_data" in self.errors:
            return cleaned
        DRAWN, TYPED = QuoteSignature.Method.DRAWN, QuoteSignature.Method.TYPED
        if (method == DRAWN and typed) or (method == TYPED and drawn):
            self.add_error("signing_method", gettext(signing_services.SIGN_ONE_WAY))
        elif method == DRAWN and not drawn:
            self.add_error("signature_data", _("Draw your signature in the box."))
        elif method == TYPED and not typed:
            self.add_error("typed_name", _("Type your full name as your signature."))
        return cleaned


class QuoteDeclineForm(QuoteAnswerForm):
    """Declining a quote: an optional reason."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def service_arguments(self) -> dict:
        return super().service_arguments() | {"reason": self.cleaned_data["reason"]}


class InvoiceRefuseForm(forms.Form):
    """Refusing an invoice: the reason is required (the business must know)."""

    reason = forms.CharField(
        label=_("Why do you refuse this invoice?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TransferDeclarationForm(forms.Form):
    """ "I have paid by transfer", with the day of the transfer if the client
    wants to say."""

    paid_on = forms.DateField(
        label=_("Date of the transfer (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the date as shown: year, month, day.")},
    )


class StatementPeriodForm(forms.Form):
    """The period of a statement of account (GET); both ends optional: none
    gives the open items, a missing start the whole history, a missing end
    today."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start of the period must come before its end."),
                code="period_reversed",
            )
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day is not None and day.year < 1900:
                self.add_error(name, _("Enter a date after 1900."))
        return cleaned

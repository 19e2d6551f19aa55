"""The brand kit form of the back office."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branding.images import LogoRejected, logo_normalise
from branding.models import BrandKit
from branding.services import BrandKitInvalid, brand_colour_clean


class ColourInput(forms.TextInput):
    """The browser's colour picker; it always submits `#rrggbb`."""

    input_type = "color"


class BrandKitForm(forms.ModelForm):
    new_logo = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_(
            "PNG, JPEG or WebP, at most 2 MB and 4096 × 4096 pixels. It is "
            "converted to PNG, without its metadata, and scaled to 256 pixels high."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = BrandKit
        fields = ["display_name", "primary_colour", "accent_colour"]
        widgets = {
            "primary_colour": ColourInput(),
            "accent_colour": ColourInput(),
        }
        help_texts = {
            "display_name": _("The name your clients see at the top of their portal."),
            "primary_colour": _(
                "The portal header. Text on it is white or black, whichever is "
                "readable; a colour too mid-toned for either is darkened or "
                "lightened just enough."
            ),
            "accent_colour": _("The selected tab and highlights."),
        }

    # A company without the Accounts Receivable add-on has no portal: its brand
    # shows in its e-mails and documents only, and the form says so.
    HELP_TEXTS_WITHOUT_PORTAL = {
        "display_name": _("The name your clients see on your e-mails and documents."),
        "primary_colour": _(
            "The header of your e-mails. Text on it is white or black, whichever "
            "is readable; a colour too mid-toned for either is darkened or "
            "lightened just enough."
        ),
        "accent_colour": _("Buttons and highlights."),
    }

    def _clean_colour(self, field: str) -> str:
        try:
            return brand_colour_clean(self.cleaned_data.get(field), field=field)
        except BrandKitInvalid as exc:
            raise forms.ValidationError(str(exc), code="invalid_colour") from None

    def clean_primary_colour(self) -> str:
        return self._clean_colour("primary_colour")

    def clean_accent_colour(self) -> str:
        return self._clean_colour("accent_colour")

    def clean_new_logo(self):
        upload = self.cleaned_data.get("new_logo")
        if upload:
            try:
                logo_normalise(upload)
            except LogoRejected as exc:
                raise forms.ValidationError(str(exc), code="invalid_logo") from None
            upload.seek(0)
        return upload

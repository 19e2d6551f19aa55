"""The portal's two small forms: the list filter (GET) and the language (POST)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.status import CLIENT_STATUSES


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
            *((status.value, status.label) for status in CLIENT_STATUSES[kind]),
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

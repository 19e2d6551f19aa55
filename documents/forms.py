"""Back-office forms for quotes and invoices.

They check what the services would refuse, field by field, so a bad value is
shown next to its field and nothing is written; the services stay the
authority (see DocumentAdmin.changeform_view for what only they can see).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.forms import CurrencyField
from companies.money import is_known_currency
from documents.models import VAT_RATES, Document, DocumentLine
from documents.services.drafts import HEADER_FIELDS, header_errors
from documents.totals import InvalidLine, LineInput, compute_totals, line_check

LINE_FIELDS = ("description", "quantity", "unit_price", "vat_rate")


class DocumentForm(forms.ModelForm):
    """A document's header: client, kind, currency, dates and notes."""

    class Meta:
        model = Document
        field_classes = {"currency": CurrencyField}
        fields = ("client", "kind", *HEADER_FIELDS, "hidden_from_portal")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A document's kind is fixed once created, so it may not be in the form.
        kind = cleaned.get("kind", self.instance.kind)
        header = {name: cleaned.get(name) for name in HEADER_FIELDS}
        header.pop("currency")  # CurrencyField checked it already
        for field, message in header_errors(kind=kind, header=header).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


def _rate_choice(rate: Decimal) -> str:
    """The choice for a stored rate: 20.0 in the database is the "20" option."""
    return next((str(allowed) for allowed in VAT_RATES if allowed == rate), str(rate))


class DocumentLineForm(forms.ModelForm):
    """One line; `line_input` holds it as the services take it once valid."""

    # Choices keyed by the rate as written ("20", "5.5"): the model's Decimal
    # choices would not match the stored 20.0, leaving no option selected, and
    # a browser would then post the first rate instead.
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"),
        choices=[(str(rate), f"{rate} %") for rate in VAT_RATES],
        coerce=Decimal,
        initial=_rate_choice(DocumentLine._meta.get_field("vat_rate").default),
    )

    class Meta:
        model = DocumentLine
        fields = LINE_FIELDS

    line_input: LineInput | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("vat_rate") is not None:
            self.initial["vat_rate"] = _rate_choice(self.initial["vat_rate"])

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError(_("A quantity must be greater than zero."))
        return quantity

    def clean_unit_price(self):
        unit_price = self.cleaned_data["unit_price"]
        if unit_price < 0:
            raise forms.ValidationError(_("A unit price cannot be negative."))
        return unit_price

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                line = LineInput(**{name: cleaned[name] for name in LINE_FIELDS})
                line_check(line)
                self.line_input = line
            except InvalidLine as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


class DocumentLineFormSet(forms.BaseInlineFormSet):
    """The document's lines, checked together; `line_inputs` once valid."""

    line_inputs: list[LineInput]

    def clean(self) -> None:
        super().clean()
        self.line_inputs = [
            form.line_input
            for form in self.forms
            if isinstance(form, DocumentLineForm)
            and form.line_input is not None
            and not form.cleaned_data.get("DELETE")
        ]
        if any(self.errors):
            return
        # The header form has already put its currency on the shared instance.
        currency = self.instance.currency
        if is_known_currency(currency):
            try:
                compute_totals(self.line_inputs, currency)
            except InvalidLine as exc:
                raise forms.ValidationError(str(exc)) from exc

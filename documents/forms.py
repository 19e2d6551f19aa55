"""Back-office forms for quotes and invoices.

They check what the services would refuse, field by field, so a bad value is
shown next to its field and nothing is written; the services stay the
authority (see DocumentAdmin.changeform_view for what only they can see).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.forms import CurrencyField
from companies.money import is_known_currency
from documents.models import VAT_RATES, Document, DocumentLine
from documents.totals import InvalidLine, LineInput, compute_totals, line_check

LINE_FIELDS = ("description", "quantity", "unit_price", "vat_rate")


class DocumentForm(forms.ModelForm):
    """A document's header: client, kind, currency, dates and notes."""

    class Meta:
        model = Document
        field_classes = {"currency": CurrencyField}
        fields = (
            "client",
            "kind",
            "currency",
            "issue_date",
            "due_date",
            "expiry_date",
            "requires_signature",
            "notes",
            "hidden_from_portal",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        # A document's kind is fixed once created, so it may not be in the form.
        kind = cleaned.get("kind", self.instance.kind)
        issue_date = cleaned.get("issue_date")
        due_date = cleaned.get("due_date")
        expiry_date = cleaned.get("expiry_date")
        if kind == Document.Kind.INVOICE:
            if expiry_date is not None:
                self.add_error(
                    "expiry_date", _("An invoice has a due date, not an expiry date.")
                )
            if cleaned.get("requires_signature"):
                self.add_error(
                    "requires_signature", _("Only a quote can require a signature.")
                )
        if kind == Document.Kind.QUOTE and due_date is not None:
            self.add_error("due_date", _("A quote has an expiry date, not a due date."))
        if issue_date is not None and due_date is not None and due_date < issue_date:
            self.add_error(
                "due_date", _("The due date cannot be before the issue date.")
            )
        if (
            issue_date is not None
            and expiry_date is not None
            and expiry_date < issue_date
        ):
            self.add_error(
                "expiry_date", _("The expiry date cannot be before the issue date.")
            )
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

    def clean(self) -> dict:
        cleaned = super().clean()
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
            if form.line_input is not None and not form.cleaned_data.get("DELETE")
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

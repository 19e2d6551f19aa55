"""Back-office forms for quotes and invoices.

They check what the services would refuse, field by field, so a bad value is
shown next to its field and nothing is written; the services stay the
authority (see DocumentAdmin.changeform_view for what only they can see).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.forms import AmountField, CurrencyField
from companies.money import is_known_currency
from documents.models import VAT_RATES, Document, DocumentLine, vat_rate_choices
from documents.services.drafts import HEADER_FIELDS, header_errors
from documents.totals import (
    MAX_LINES,
    InvalidLine,
    LineInput,
    compute_totals,
    line_check,
)

LINE_FIELDS = ("description", "quantity", "unit_price", "vat_rate")


class DocumentForm(forms.ModelForm):
    """A document's header: client, kind, currency, dates and notes."""

    class Meta:
        model = Document
        field_classes = {"currency": CurrencyField}
        fields = ("client", "kind", *HEADER_FIELDS, "hidden_from_portal")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            # Archived clients are not offered, but a draft keeps its own.
            picker = self.fields["client"]
            assert isinstance(picker, forms.ModelChoiceField)
            assert picker.queryset is not None
            picker.queryset = picker.queryset.filter(
                Q(archived_at__isnull=True) | Q(pk=self.instance.client_id)
            )
        if "operation_category" in self.fields:
            # Left out of a form, an invoice keeps what it was for (services
            # by default).
            self.fields["operation_category"].required = False
        if "kind" in self.fields:
            # Credit notes come from an invoice (Cancel, or Issue a credit note).
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [
                (value, label)
                for value, label in Document.Kind.choices
                if value != Document.Kind.CREDIT_NOTE
            ]

    def clean_operation_category(self) -> str:
        return str(
            self.cleaned_data.get("operation_category")
            or self.instance.operation_category
            or Document.OperationCategory.SERVICES
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A document's kind is fixed once created, so it may not be in the form.
        kind = cleaned.get("kind", self.instance.kind)
        # A field the page shows read-only (an issued invoice's dates) is
        # checked as it stands.
        header = {
            name: cleaned.get(name)
            if name in self.fields
            else getattr(self.instance, name, None)
            for name in HEADER_FIELDS
        }
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
        choices=lambda: [(str(rate), label) for rate, label in vat_rate_choices()],
        coerce=Decimal,
        initial=_rate_choice(DocumentLine._meta.get_field("vat_rate").default),
    )

    class Meta:
        model = DocumentLine
        fields = LINE_FIELDS

    line_input: LineInput | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A table's cells carry no <label>: each input is named by its column.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))
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

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            delete = form.fields["DELETE"].widget
            delete.attrs["aria-label"] = str(_("Delete this line"))

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) > MAX_LINES:
            raise forms.ValidationError(
                _("A document has at most %(limit)s lines.") % {"limit": MAX_LINES}
            )
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


class CreditNoteForm(forms.Form):
    """A partial credit note: how much (VAT included) and why."""

    amount = AmountField(
        label=_("Amount to credit, VAT included"), min_value=Decimal("0.01")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Printed on the credit note, e.g. a commercial gesture."),
    )


class DepositInvoiceForm(forms.Form):
    """A deposit invoice on an accepted quote: a percentage or an amount."""

    percent = forms.DecimalField(
        label=_("Percentage of the quote"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        required=False,
    )
    amount = AmountField(
        label=_("Or an amount, VAT included"),
        min_value=Decimal("0.01"),
        required=False,
    )
    due_date = forms.DateField(label=_("Due date"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("percent") is None) == (cleaned.get("amount") is None):
            if not self.errors:
                raise forms.ValidationError(_("Give either a percentage or an amount."))
        return cleaned

"""Back-office forms for payments recorded and refunded by hand.

They check what the services would refuse, so a bad value shows next to its
field; the services check again under the invoice's lock.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.forms import AmountField
from companies.money import format_money_active
from documents import status
from documents.models import Document
from payments.models import Payment


def invoice_choice_label(invoice: Document) -> str:
    return _("%(number)s · %(client)s · %(due)s due") % {
        "number": invoice.number,
        "client": invoice.client.name,
        "due": format_money_active(invoice.amount_due, invoice.currency),
    }


class PaymentRecordForm(forms.ModelForm):
    """Money received by transfer or by hand (cash, cheque) against an invoice."""

    received_on = forms.DateField(
        label=_("received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    allow_overpayment = forms.BooleanField(
        label=_("Record the excess as an overpayment"),
        required=False,
        help_text=_(
            "Only if the client really paid more than is due: the excess is "
            "flagged for you to refund or settle."
        ),
    )

    class Meta:
        model = Payment
        fields = ("invoice", "amount", "received_on", "method", "note")

    def __init__(self, *args, open_invoices: QuerySet | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        method = self.fields["method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = [
            (Payment.Method.TRANSFER, Payment.Method.TRANSFER.label),
            (Payment.Method.MANUAL, Payment.Method.MANUAL.label),
        ]
        invoice = self.fields["invoice"]
        assert isinstance(invoice, forms.ModelChoiceField)
        if open_invoices is not None:
            invoice.queryset = open_invoices.select_related("client")
        # Picked by who, which and how much: "INV-2026-0004 · Café des Arts ·
        # €120.00 due", not a bare number.
        invoice.label_from_instance = invoice_choice_label  # type: ignore[assignment]
        self.fields["received_on"].initial = timezone.localdate()

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A payment must be greater than zero."))
        return amount

    def clean_received_on(self) -> dt.date:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                _("A payment cannot be received in the future.")
            )
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        invoice: Document | None = cleaned.get("invoice")
        amount = cleaned.get("amount")
        if invoice is not None and amount is not None:
            if amount > invoice.amount_due and not cleaned.get("allow_overpayment"):
                self.add_error(
                    "amount",
                    _(
                        "This is more than the amount due (%(due)s). Tick the box "
                        "below if the client really paid that much."
                    )
                    % {
                        "due": format_money_active(invoice.amount_due, invoice.currency)
                    },
                )
            day = cleaned.get("received_on")
            if day is not None and day < invoice.issue_date:
                self.add_error(
                    "received_on",
                    _("A payment cannot be received before the invoice was issued."),
                )
        return cleaned


class RefundForm(forms.Form):
    amount = AmountField(label=_("amount to refund"))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, payment: Payment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.payment = payment
        # What the invoice owes its client back (an overpayment, or a credit
        # note after payment) is what to refund, when there is some.
        owed_back = status.amount_owed_back(payment.invoice)
        self.fields["amount"].initial = (
            min(payment.refundable_amount, owed_back)
            if owed_back > 0
            else payment.refundable_amount
        )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("A refund must be greater than zero."))
        if amount > self.payment.refundable_amount:
            raise forms.ValidationError(
                _("A refund cannot exceed what is left of the payment (%(left)s).")
                % {
                    "left": format_money_active(
                        self.payment.refundable_amount, self.payment.currency
                    )
                }
            )
        return amount

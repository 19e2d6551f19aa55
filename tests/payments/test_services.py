from decimal import Decimal

import pytest

from documents.models import DocumentEvent
from payments import services
from payments.models import Payment
from tests.factories import NOW, DocumentFactory

pytestmark = pytest.mark.django_db


def test_partial_then_full_payment_moves_the_invoice_to_paid():
    invoice = DocumentFactory(finalised=True)  # 120.00

    services.payment_record(
        invoice=invoice, amount=Decimal("20.00"), method="transfer", actor=None, now=NOW
    )
    invoice.refresh_from_db()
    partly = (invoice.status, invoice.amount_paid)
    services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)

    invoice.refresh_from_db()
    assert partly == ("partially_paid", Decimal("20.00"))
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("120.00"))
    amounts = Payment.objects.for_company(invoice.company).order_by("pk")
    assert [p.amount for p in amounts] == [Decimal("20.00"), Decimal("100.00")]
    kinds = DocumentEvent.objects.for_company(invoice.company).order_by("pk")
    assert [e.kind for e in kinds][-3:] == [
        "payment_received",
        "payment_received",
        "paid",
    ]


@pytest.mark.parametrize("amount", ["0", "-1", "120.01"])
def test_payments_outside_the_balance_are_refused(amount):
    invoice = DocumentFactory(finalised=True)

    with pytest.raises(services.PaymentRefused):
        services.payment_record(
            invoice=invoice,
            amount=Decimal(amount),
            method="manual",
            actor=None,
            now=NOW,
        )

    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("to_pay", Decimal("0"))
    assert not Payment.objects.for_company(invoice.company).exists()


def test_quotes_and_drafts_take_no_payment():
    quote = DocumentFactory(kind="quote", finalised=True)
    draft = DocumentFactory()

    for document in (quote, draft):
        with pytest.raises(services.PaymentRefused):
            services.invoice_mark_paid(invoice=document, actor=None, now=NOW)

    assert not Payment.objects.for_company(quote.company).exists()

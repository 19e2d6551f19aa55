"""Credit notes and money received, together.

One amount due: total - paid + refunded - credited. A credit note may take up
to what the invoice still carries, paid or not; what it takes beyond what is
unpaid is owed back to the client (the amount due goes below zero) until the
payment is refunded. Cancel (a credit note for all of it, one click) is only
for an invoice that holds none of the client's money.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from documents import services, status
from documents.models import Document, DocumentEvent
from payments.forms import RefundForm
from payments.models import Payment
from payments.services import (
    PaymentRefused,
    card_payment_settle,
    payment_record,
    refund_record,
)
from signing import services as signing_services
from tests.backoffice import sign_in
from tests.factories import NOW, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)
LAST = NOW + dt.timedelta(days=4)


def paid(invoice: Document, amount: str) -> Payment:
    return payment_record(
        invoice=invoice,
        amount=Decimal(amount),
        method="transfer",
        actor=None,
        now=NOW,
    )


def amounts(invoice: Document) -> tuple:
    invoice.refresh_from_db()
    return (
        invoice.status,
        invoice.amount_due,
        status.amount_owed_back(invoice),
        status.creditable_amount(invoice),
    )


def test_a_credit_note_on_a_paid_invoice_is_owed_back_until_refunded():
    invoice = DocumentFactory(finalised=True)  # 120.00
    payment = paid(invoice, "120.00")

    credit_note = services.invoice_credit_partly(
        invoice=invoice,
        amount=Decimal("30.00"),
        reason="Late delivery",
        actor=None,
        now=LATER,
    )

    assert credit_note.total == Decimal("30.00")
    assert amounts(invoice) == ("paid", Decimal("-30.00"), Decimal("30.00"), 90)
    credited = (
        DocumentEvent.objects.for_company(invoice.company)
        .filter(document=invoice, kind="credited")
        .get()
    )
    assert (credited.details["amount"], credited.details["owed_back"]) == (
        "30.00",
        "30.00",
    )
    # The refund form offers what is owed back, not the whole payment.
    stored = Payment.objects.for_company(invoice.company).get(pk=payment.pk)
    assert RefundForm(payment=stored).fields["amount"].initial == Decimal("30.00")

    refund_record(payment=payment, amount=Decimal("30.00"), actor=None, now=LAST)

    assert amounts(invoice) == ("paid", Decimal("0.00"), Decimal("0"), 90)


def test_a_credit_note_beyond_what_is_unpaid_takes_the_rest_back_from_the_payment():
    invoice = DocumentFactory(finalised=True)  # 120.00
    paid(invoice, "50.00")

    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("100.00"), reason="", actor=None, now=LATER
    )

    # 70 was unpaid: the credit note took it, and 30 of the 50 received.
    assert amounts(invoice) == ("paid", Decimal("-30.00"), Decimal("30.00"), 20)


def test_a_partial_credit_note_on_an_unpaid_invoice_owes_nothing_back():
    invoice = DocumentFactory(finalised=True)  # 120.00

    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("20.00"), reason="", actor=None, now=LATER
    )

    assert amounts(invoice) == ("to_pay", Decimal("100.00"), Decimal("0"), 100)
    event = DocumentEvent.objects.for_company(invoice.company).get(kind="credited")
    assert "owed_back" not in event.details


def test_crediting_a_paid_invoice_whole_cancels_it_and_owes_the_money_back():
    invoice = DocumentFactory(finalised=True)  # 120.00
    payment = paid(invoice, "50.00")

    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("120.00"), reason="", actor=None, now=LATER
    )

    assert amounts(invoice) == ("canceled", Decimal("-50.00"), Decimal("50.00"), 0)
    kinds = list(
        DocumentEvent.objects.for_company(invoice.company)
        .filter(document=invoice)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["credited", "canceled"]

    refund_record(payment=payment, amount=Decimal("50.00"), actor=None, now=LAST)

    # Refunded: nothing owed either way, and the invoice stays canceled.
    assert amounts(invoice) == ("canceled", Decimal("0.00"), Decimal("0"), 0)


def test_cancel_is_refused_while_the_invoice_holds_a_payment():
    invoice = DocumentFactory(finalised=True)
    paid(invoice, "50.00")

    with pytest.raises(services.StatusChangeRefused) as refused:
        services.document_cancel(document=invoice, actor=None, now=LATER)

    assert str(refused.value) == (
        "INV-2026-0001 holds a payment: issue a credit note for the amount to "
        "take back instead (what the client paid beyond it is then owed back), "
        "or refund the payment first."
    )
    assert amounts(invoice) == ("partially_paid", Decimal("70.00"), 0, 120)
    assert not status.is_cancelable(invoice)
    assert not invoice.credit_notes.exists()


def test_after_a_full_refund_cancel_annuls_the_invoice_by_a_credit_note():
    """Issue 10's rule holds: an invoice that received money is never canceled
    in place. Cancel is now a credit note, and once every cent went back the
    invoice holds nothing of the client's: Cancel is offered again."""
    invoice = DocumentFactory(finalised=True)  # 120.00
    payment = paid(invoice, "120.00")
    refund_record(payment=payment, amount=Decimal("120.00"), actor=None, now=LATER)
    invoice.refresh_from_db()
    assert (invoice.status, status.is_cancelable(invoice)) == ("to_pay", True)

    services.document_cancel(document=invoice, actor=None, now=LAST)

    assert amounts(invoice) == ("canceled", Decimal("0.00"), Decimal("0"), 0)
    assert invoice.credit_notes.get().total == Decimal("120.00")


def test_no_credit_note_while_a_payment_is_processing():
    invoice = DocumentFactory(finalised=True)
    card_payment_settle(
        invoice_id=invoice.pk,
        payment_intent="pi_debit",
        amount=invoice.total,
        checkout_session_id="cs_debit",
        paid=False,
        now=NOW,
    )
    invoice.refresh_from_db()

    with pytest.raises(services.CreditNoteRefused) as partly:
        services.invoice_credit_partly(
            invoice=invoice, amount=Decimal("10"), reason="", actor=None, now=LATER
        )
    with pytest.raises(services.StatusChangeRefused) as whole:
        services.document_cancel(document=invoice, actor=None, now=LATER)

    message = "A payment of INV-2026-0001 is processing: wait until the bank says."
    assert (str(partly.value), str(whole.value)) == (message, message)
    assert (status.is_creditable(invoice), status.is_cancelable(invoice)) == (
        False,
        False,
    )
    assert not invoice.credit_notes.exists()


def test_a_card_payment_landing_on_a_canceled_invoice_is_kept_and_owed_back():
    """Money Stripe took after the invoice was credited whole is recorded
    (flagged as an overpayment) and owed back: no constraint refuses it."""
    invoice = DocumentFactory(finalised=True)  # 120.00
    services.document_cancel(document=invoice, actor=None, now=NOW)

    card_payment_settle(
        invoice_id=invoice.pk,
        payment_intent="pi_late",
        amount=Decimal("120.00"),
        checkout_session_id="cs_late",
        paid=True,
        now=LATER,
    )

    payment = invoice.payments.get()
    assert payment.overpaid_amount == Decimal("120.00")
    assert amounts(invoice) == ("canceled", Decimal("-120.00"), Decimal("120.00"), 0)


def test_a_hand_payment_above_what_a_credited_invoice_asks_is_refused():
    invoice = DocumentFactory(finalised=True)  # 120.00
    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("20.00"), reason="", actor=None, now=LATER
    )

    with pytest.raises(PaymentRefused, match=r"balance due \(€100.00\)"):
        paid(invoice, "120.00")
    paid(invoice, "100.00")

    assert amounts(invoice) == ("paid", Decimal("0.00"), Decimal("0"), 100)


def test_a_paid_deposit_is_credited_whole_only_and_its_money_owed_back():
    quote = DocumentFactory(
        kind="quote", lines=[line("Fittings", "10", "100.00")], finalised=True
    )
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )  # 360.00
    paid(deposit, "360.00")
    deposit.refresh_from_db()
    assert (status.is_creditable(deposit), status.is_cancelable(deposit)) == (
        True,
        False,
    )

    with pytest.raises(services.CreditNoteRefused) as part:
        services.invoice_credit_partly(
            invoice=deposit, amount=Decimal("100"), reason="", actor=None, now=LATER
        )
    services.invoice_credit_partly(
        invoice=deposit, amount=Decimal("360.00"), reason="", actor=None, now=LATER
    )

    assert str(part.value) == ("A deposit invoice is credited whole only: 360.00 EUR.")
    assert amounts(deposit) == ("canceled", Decimal("-360.00"), Decimal("360.00"), 0)


def test_the_database_refuses_a_credit_above_the_total():
    invoice = DocumentFactory(finalised=True)
    rows = Document.objects.for_company(invoice.company).filter(pk=invoice.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(amount_credited=invoice.total + Decimal("0.01"))
    rows.update(amount_paid=invoice.total * 2, amount_credited=invoice.total)

    assert amounts(invoice)[1:3] == (-invoice.total * 2, invoice.total * 2)


def test_the_back_office_shows_the_balance_and_where_to_refund(client):
    invoice = DocumentFactory(finalised=True)
    sign_in(client, invoice.company)
    paid(invoice, "120.00")
    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("30.00"), reason="", actor=None, now=LATER
    )

    html = client.get(f"/admin/documents/invoice/{invoice.pk}/change/").content.decode()
    form = client.get(
        f"/admin/documents/document/{invoice.pk}/credit-note/"
    ).content.decode()

    assert "paid: €120.00 · credited: €30.00" in html
    assert '<strong id="owed-back">€30.00 owed back to the client</strong>' in html
    assert '<a href="/admin/payments/payment/?q=INV-2026-0001">' in html
    assert (
        "up to the €90.00 it still carries: the client owes that much less. "
        "Up to €0.00 it takes what is still unpaid" in form
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancel_and_a_payment_at_once_never_leave_money_on_a_canceled_invoice():
    """Both lock the invoice: either Cancel goes first (then the payment is
    refused: the invoice is closed) or the payment does (then Cancel is
    refused: the invoice holds money)."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    outcomes: list[tuple[str, str]] = []
    for _ in range(4):
        invoice = DocumentFactory(finalised=True)
        start = threading.Barrier(2)
        results: dict[str, str] = {}

        def cancel(invoice=invoice, start=start, results=results) -> None:
            try:
                start.wait()
                services.document_cancel(document=invoice, actor=None, now=LATER)
                results["cancel"] = "done"
            except services.StatusChangeRefused:
                results["cancel"] = "refused"
            except BaseException as exc:  # reported below
                results["cancel"] = repr(exc)
            finally:
                connections.close_all()

        def pay(invoice=invoice, start=start, results=results) -> None:
            try:
                start.wait()
                paid(invoice, "120.00")
                results["pay"] = "done"
            except PaymentRefused:
                results["pay"] = "refused"
            except BaseException as exc:  # reported below
                results["pay"] = repr(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=cancel), threading.Thread(target=pay)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        invoice.refresh_from_db()
        outcome = (results["cancel"], results["pay"])
        assert outcome in {("done", "refused"), ("refused", "done")}, outcome
        if outcome[0] == "done":
            assert (invoice.status, invoice.payments.count()) == ("canceled", 0)
        else:
            assert (invoice.status, invoice.credit_notes.count()) == ("paid", 0)
        assert invoice.amount_due == 0
        outcomes.append(outcome)
    assert len(outcomes) == 4

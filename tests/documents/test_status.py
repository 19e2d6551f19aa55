"""The one home of document state rules: the client status in Python and in SQL
agree for every status and date case, and each rule answers as the product does."""

import datetime as dt
from decimal import Decimal

import pytest

from documents import services, status
from documents.models import Document
from documents.status import ClientStatus
from payments.services import card_payment_settle, payment_record, refund_record
from signing import services as signing_services
from tests.factories import NOW, ClientFactory, DocumentFactory

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 3, 2)
# Before, on and after each deadline, and without one.
DEADLINES = (None, dt.date(2026, 3, 10), dt.date(2026, 3, 15), dt.date(2026, 3, 20))
TODAY = dt.date(2026, 3, 15)


# Each invoice case: how money and credit notes reach it (120.00 in all), then
# the status it stores.
INVOICE_CASES = {
    "draft": "draft",
    "to_pay": "to_pay",
    "partially_paid": "partially_paid",
    "processing": "to_pay",  # a bank debit Stripe has not confirmed yet
    "paid": "paid",
    "canceled": "canceled",  # Cancel: a credit note for all of it
    "credited": "to_pay",  # a 20.00 credit note, nothing paid
    "paid_then_credited": "paid",  # 20.00 of the 120.00 received is owed back
    "refunded": "to_pay",  # paid, then all of it refunded
    "refunded_then_canceled": "canceled",
    "part_paid_then_credited_whole": "canceled",  # the 50.00 paid is owed back
}


def _pay(document: Document, amount: str) -> None:
    payment_record(
        invoice=document, amount=Decimal(amount), method="manual", actor=None, now=NOW
    )


def _credit(document: Document, amount: str) -> None:
    services.invoice_credit_partly(
        invoice=document, amount=Decimal(amount), reason="", actor=None, now=NOW
    )


def _invoice(client, due_date, state: str) -> Document:
    document = DocumentFactory(
        client=client, kind="invoice", due_date=due_date, finalised=state != "draft"
    )
    if state == "partially_paid":
        _pay(document, "10")
    elif state == "paid":
        _pay(document, "120.00")
    elif state == "canceled":
        services.document_cancel(document=document, actor=None, now=NOW)
    elif state == "processing":
        card_payment_settle(
            invoice_id=document.pk,
            payment_intent=f"pi_{document.pk}",
            amount=document.total,
            checkout_session_id=f"cs_{document.pk}",
            paid=False,
            now=NOW,
        )
    elif state == "credited":
        _credit(document, "20.00")
    elif state == "paid_then_credited":
        _pay(document, "120.00")
        _credit(document, "20.00")
    elif state in ("refunded", "refunded_then_canceled"):
        _pay(document, "120.00")
        refund_record(
            payment=document.payments.get(),
            amount=Decimal("120.00"),
            actor=None,
            now=NOW,
        )
        if state == "refunded_then_canceled":
            services.document_cancel(document=document, actor=None, now=NOW)
    elif state == "part_paid_then_credited_whole":
        _pay(document, "50.00")
        _credit(document, "120.00")
    document.refresh_from_db()
    assert document.status == INVOICE_CASES[state]
    document.case = state
    return document


def _deposit(client, due_date) -> list[Document]:
    """An accepted quote and a deposit invoice on it (to pay)."""
    quote = DocumentFactory(client=client, kind="quote", finalised=True)
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), due_date=due_date, actor=None, now=NOW
    )
    quote.refresh_from_db()
    quote.case = "accepted"
    deposit.case = "deposit"
    return [quote, deposit]


def _quote(client, expiry_date, state: str, requires_signature: bool) -> Document:
    document = DocumentFactory(
        client=client,
        kind="quote",
        expiry_date=expiry_date,
        requires_signature=requires_signature,
        finalised=state != "draft",
    )
    if state == "accepted":
        signing_services.quote_accept(quote=document, actor=None, now=NOW)
    elif state == "declined":
        signing_services.quote_decline(quote=document, actor=None, now=NOW)
    elif state == "canceled":
        services.document_cancel(document=document, actor=None, now=NOW)
    document.refresh_from_db()
    assert document.status == state
    document.case = state
    return document


@pytest.fixture
def every_case() -> list[Document]:
    """Every stored status of each kind, with each kind of deadline."""
    client = ClientFactory()
    documents = []
    for deadline in DEADLINES:
        for state in INVOICE_CASES:
            documents.append(_invoice(client, deadline, state))
        documents += _deposit(client, deadline)
        for state in ("draft", "pending", "accepted", "declined", "canceled"):
            for requires_signature in (False, True):
                documents.append(_quote(client, deadline, state, requires_signature))
    # Credit notes (Cancel issues one too): documents of their own kind.
    credit_notes = list(
        Document.objects.for_company(client.company)
        .filter(kind="credit_note")
        .order_by("pk")
    )
    for credit_note in credit_notes:
        credit_note.case = "issued"
    return documents + credit_notes


def test_the_sql_annotation_and_the_python_rule_agree_for_every_case(every_case):
    annotated = status.with_client_status(
        Document.objects.for_company(every_case[0].company), TODAY
    )

    from_sql = dict(annotated.values_list("pk", "client_status"))

    assert from_sql == {
        document.pk: status.client_status(document, TODAY) for document in every_case
    }
    assert set(from_sql.values()) == set(ClientStatus.values)


def test_client_statuses_are_derived_from_the_date():
    invoice = DocumentFactory(finalised=True)
    quote = DocumentFactory(kind="quote", finalised=True, requires_signature=True)
    next_day = dt.timedelta(days=1)

    assert [
        status.client_status(invoice, invoice.due_date),
        status.client_status(invoice, invoice.due_date + next_day),
        status.client_status(quote, quote.expiry_date),
        status.client_status(quote, quote.expiry_date + next_day),
    ] == ["to_pay", "overdue", "awaiting_signature", "expired"]


def test_every_stored_status_a_client_can_see_has_a_client_status_of_its_kind():
    for kind, statuses in (
        ("invoice", ("to_pay", "partially_paid", "paid", "canceled")),
        ("quote", ("pending", "accepted", "declined", "canceled")),
    ):
        assert set(statuses) <= set(status.CLIENT_STATUSES[kind])


def test_the_rules_answer_for_every_case(every_case):
    def answers(document):
        return (
            status.is_editable(document),
            status.is_cancelable(document),
            status.is_creditable(document),
            status.is_payable(document),
            status.is_answerable(document),
            status.is_signable(document, TODAY),
        )

    F, T = False, True
    expected = {
        # kind, case: editable, cancelable, creditable, payable, answerable,
        # signable (unless expired)
        ("invoice", "draft"): (T, F, F, F, F, F),
        ("invoice", "to_pay"): (T, T, T, T, F, F),
        ("invoice", "partially_paid"): (F, F, T, T, F, F),
        ("invoice", "processing"): (F, F, F, F, F, F),
        ("invoice", "paid"): (F, F, T, F, F, F),
        ("invoice", "canceled"): (F, F, F, F, F, F),
        ("invoice", "credited"): (F, T, T, T, F, F),
        ("invoice", "paid_then_credited"): (F, F, T, F, F, F),
        ("invoice", "refunded"): (F, T, T, T, F, F),
        ("invoice", "refunded_then_canceled"): (F, F, F, F, F, F),
        ("invoice", "part_paid_then_credited_whole"): (F, F, F, F, F, F),
        ("invoice", "deposit"): (F, T, T, T, F, F),
        ("quote", "draft"): (T, F, F, F, F, F),
        ("quote", "pending"): (T, T, F, F, T, T),
        ("quote", "accepted"): (F, F, F, F, F, F),
        ("quote", "declined"): (F, F, F, F, F, F),
        ("quote", "canceled"): (F, F, F, F, F, F),
        ("credit_note", "issued"): (F, F, F, F, F, F),
    }
    seen = set()
    for document in every_case:
        wanted = expected[(document.kind, document.case)]
        seen.add((document.kind, document.case))
        expired = document.kind == "quote" and (
            document.expiry_date is not None and document.expiry_date < TODAY
        )
        if expired:  # a late answer is the business's to record, not the client's
            wanted = (*wanted[:5], False)
        assert answers(document) == wanted, (document.kind, document.case)
    assert seen == set(expected)


def test_the_money_of_every_invoice_case(every_case):
    """One amount due (total - paid + refunded - credited), below zero when
    money is owed back to the client; what credit notes may still take."""
    expected = {
        # case: amount due, owed back, creditable
        "draft": ("120.00", "0", "120.00"),
        "to_pay": ("120.00", "0", "120.00"),
        "partially_paid": ("110.00", "0", "120.00"),
        "processing": ("120.00", "0", "120.00"),
        "paid": ("0.00", "0", "120.00"),
        "canceled": ("0.00", "0", "0.00"),
        "credited": ("100.00", "0", "100.00"),
        "paid_then_credited": ("-20.00", "20.00", "100.00"),
        "refunded": ("120.00", "0", "120.00"),
        "refunded_then_canceled": ("0.00", "0", "0.00"),
        "part_paid_then_credited_whole": ("-50.00", "50.00", "0.00"),
        "deposit": ("36.00", "0", "36.00"),  # 30 % of the quote's 120.00
    }
    invoices = [document for document in every_case if document.kind == "invoice"]

    for invoice in invoices:
        assert (
            invoice.amount_due,
            status.amount_owed_back(invoice),
            status.creditable_amount(invoice),
        ) == tuple(Decimal(amount) for amount in expected[invoice.case]), invoice.case
    assert {invoice.case for invoice in invoices} == set(expected)


def test_status_after_payment_follows_the_money_received_and_refunded():
    invoice = DocumentFactory(finalised=True)  # 120.00 in all

    def after(paid: str, refunded: str = "0", stored: str = "to_pay") -> str:
        invoice.amount_paid, invoice.amount_refunded = Decimal(paid), Decimal(refunded)
        invoice.status = stored
        return status.status_after_payment(invoice)

    assert [
        after("0"),
        after("0.01"),
        after("120"),
        after("130"),
        after("120", refunded="50", stored="paid"),
        after("120", refunded="120", stored="paid"),
        after("130", refunded="10", stored="paid"),
        after("120", stored="canceled"),
        after("120", stored="draft"),
    ] == [
        "to_pay",
        "partially_paid",
        "paid",
        "paid",
        "partially_paid",
        "to_pay",
        "paid",
        "canceled",
        "draft",
    ]


def test_a_status_change_checks_the_rule_on_the_row_it_locked():
    """Cancel reads `amount_paid` under the lock, not from the caller's copy."""
    invoice = DocumentFactory(finalised=True)
    stale = Document.objects.for_company(invoice.company).get(pk=invoice.pk)
    payment_record(
        invoice=invoice, amount=Decimal("10"), method="manual", actor=None, now=NOW
    )

    with pytest.raises(services.StatusChangeRefused):
        services.document_cancel(document=stale, actor=None, now=NOW)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", Decimal("10"))


def test_only_an_accepted_quote_is_convertible(every_case):
    convertible = {
        (document.kind, document.status)
        for document in every_case
        if status.is_convertible(document)
    }

    assert convertible == {("quote", "accepted")}

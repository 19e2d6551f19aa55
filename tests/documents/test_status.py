"""The one home of document state rules: the client status in Python and in SQL
agree for every status and date case, and each rule answers as the product does."""

import datetime as dt
from decimal import Decimal

import pytest

from documents import services, status
from documents.models import Document
from documents.status import ClientStatus
from payments.services import card_payment_settle, payment_record
from tests.factories import NOW, ClientFactory, DocumentFactory

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 3, 2)
# Before, on and after each deadline, and without one.
DEADLINES = (None, dt.date(2026, 3, 10), dt.date(2026, 3, 15), dt.date(2026, 3, 20))
TODAY = dt.date(2026, 3, 15)


def _invoice(client, due_date, state: str) -> Document:
    document = DocumentFactory(
        client=client, kind="invoice", due_date=due_date, finalised=state != "draft"
    )
    if state == "partially_paid":
        payment_record(
            invoice=document, amount=Decimal("10"), method="manual", actor=None, now=NOW
        )
    elif state == "paid":
        payment_record(
            invoice=document,
            amount=document.total,
            method="manual",
            actor=None,
            now=NOW,
        )
    elif state == "canceled":
        services.document_cancel(document=document, actor=None, now=NOW)
    elif state == "processing":  # a bank debit Stripe has not confirmed yet
        card_payment_settle(
            invoice_id=document.pk,
            payment_intent=f"pi_{document.pk}",
            amount=document.total,
            checkout_session_id=f"cs_{document.pk}",
            paid=False,
            now=NOW,
        )
    document.refresh_from_db()
    assert document.status == ("to_pay" if state == "processing" else state)
    return document


def _quote(client, expiry_date, state: str, requires_signature: bool) -> Document:
    document = DocumentFactory(
        client=client,
        kind="quote",
        expiry_date=expiry_date,
        requires_signature=requires_signature,
        finalised=state != "draft",
    )
    if state == "accepted":
        services.quote_accept(quote=document, actor=None, now=NOW)
    elif state == "declined":
        services.quote_decline(quote=document, actor=None, now=NOW)
    elif state == "canceled":
        services.document_cancel(document=document, actor=None, now=NOW)
    document.refresh_from_db()
    assert document.status == state
    return document


@pytest.fixture
def every_case() -> list[Document]:
    """Every stored status of each kind, with each kind of deadline."""
    client = ClientFactory()
    documents = []
    for deadline in DEADLINES:
        for state in (
            "draft",
            "to_pay",
            "partially_paid",
            "processing",
            "paid",
            "canceled",
        ):
            documents.append(_invoice(client, deadline, state))
        for state in ("draft", "pending", "accepted", "declined", "canceled"):
            for requires_signature in (False, True):
                documents.append(_quote(client, deadline, state, requires_signature))
    # Canceling an invoice issued a credit note: a document of its own kind.
    credit_notes = Document.objects.for_company(client.company).filter(
        kind="credit_note"
    )
    return documents + list(credit_notes.order_by("pk"))


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
            status.is_payable(document),
            status.is_answerable(document),
            status.is_signable(document, TODAY),
        )

    expected = {
        # kind, stored status, expired?: editable, cancelable, payable,
        # answerable, signable
        ("invoice", "draft"): (True, False, False, False, False),
        ("invoice", "to_pay"): (True, True, True, False, False),
        ("invoice", "partially_paid"): (False, False, True, False, False),
        ("invoice", "processing"): (False, False, False, False, False),
        ("invoice", "paid"): (False, False, False, False, False),
        ("invoice", "canceled"): (False, False, False, False, False),
        ("quote", "draft"): (True, False, False, False, False),
        ("quote", "pending"): (True, True, False, True, True),
        ("quote", "accepted"): (False, False, False, False, False),
        ("quote", "declined"): (False, False, False, False, False),
        ("quote", "canceled"): (False, False, False, False, False),
        ("credit_note", "issued"): (False, False, False, False, False),
    }
    for document in every_case:
        stored = "processing" if document.amount_processing else document.status
        wanted = expected[(document.kind, stored)]
        expired = document.kind == "quote" and (
            document.expiry_date is not None and document.expiry_date < TODAY
        )
        if expired:  # a late answer is the business's to record, not the client's
            wanted = (*wanted[:4], False)
        assert answers(document) == wanted, (document.kind, document.status)


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

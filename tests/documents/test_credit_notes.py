"""Credit notes: Cancel annuls a finalised invoice by one full credit note in
its own gapless series; partial credit notes reduce what is due."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from documents import services
from documents.models import Document, DocumentEvent, DocumentNumberSequence
from payments.services import payment_record
from tests.factories import NOW, ClientFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)


def documents_of(company) -> list[tuple[str, str, str]]:
    return list(
        Document.objects.for_company(company)
        .order_by("pk")
        .values_list("kind", "number", "status")
    )


def test_cancel_issues_one_full_credit_note_and_the_invoice_reads_canceled():
    invoice = DocumentFactory(
        lines=[line("Audit", "1", "650.00"), line("Travel", "2", "40.00", "10")],
        finalised=True,
    )

    services.document_cancel(document=invoice, actor=None, now=LATER)

    invoice.refresh_from_db()
    credit_note = invoice.credit_notes.get()
    assert documents_of(invoice.company) == [
        ("invoice", "INV-2026-0001", "canceled"),
        ("credit_note", "CN-2026-0001", "issued"),
    ]
    assert (credit_note.total, credit_note.credited_invoice_id) == (
        invoice.total,
        invoice.pk,
    )
    assert (invoice.amount_credited, invoice.amount_due) == (invoice.total, 0)
    # The credit note repeats the invoice's lines, and its version says whom
    # it credits.
    content = credit_note.current_version.content
    assert [row["description"] for row in content["lines"]] == ["Audit", "Travel"]
    assert content["credited_invoice"] == {
        "number": "INV-2026-0001",
        "issue_date": "2026-03-02",
        "is_deposit": False,
    }
    kinds = list(
        DocumentEvent.objects.for_company(invoice.company)
        .filter(document=invoice)
        .order_by("pk")
        .values_list("kind", "details__credit_note")
    )
    assert kinds[-2:] == [("credited", "CN-2026-0001"), ("canceled", None)]


def test_cancel_twice_in_a_row_issues_one_credit_note():
    invoice = DocumentFactory(finalised=True)
    services.document_cancel(document=invoice, actor=None, now=LATER)

    with pytest.raises(services.StatusChangeRefused):
        services.document_cancel(document=invoice, actor=None, now=LATER)

    assert invoice.credit_notes.count() == 1


def test_partial_credit_notes_reduce_the_amount_due_then_cancel_credits_the_rest():
    invoice = DocumentFactory(
        lines=[line("Design", "1", "1000.00"), line("Books", "3", "30.00", "5.5")],
        finalised=True,
    )  # 1,200.00 + 94.95 = 1,294.95

    first = services.invoice_credit_partly(
        invoice=invoice,
        amount=Decimal("100.00"),
        reason="Gesture",
        actor=None,
        now=LATER,
    )
    invoice.refresh_from_db()
    assert (first.number, first.total, invoice.amount_due, invoice.status) == (
        "CN-2026-0001",
        Decimal("100.00"),
        Decimal("1194.95"),
        "to_pay",
    )
    assert [row["description"] for row in first.current_version.content["lines"]] == [
        "Gesture (VAT 5.5 %)",
        "Gesture (VAT 20 %)",
    ]

    services.document_cancel(document=invoice, actor=None, now=LATER)

    invoice.refresh_from_db()
    rest = invoice.credit_notes.order_by("pk").last()
    assert (rest.number, rest.total) == ("CN-2026-0002", Decimal("1194.95"))
    assert (invoice.status, invoice.amount_credited, invoice.amount_due) == (
        "canceled",
        Decimal("1294.95"),
        Decimal("0"),
    )


def test_a_payment_after_a_partial_credit_note_settles_the_invoice():
    invoice = DocumentFactory(finalised=True)  # 120.00
    services.invoice_credit_partly(
        invoice=invoice, amount=Decimal("20.00"), reason="", actor=None, now=LATER
    )

    payment_record(
        invoice=invoice,
        amount=Decimal("100.00"),
        method="manual",
        actor=None,
        now=LATER,
    )

    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", Decimal("0"))


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("120.01", "A credit note cannot take off more than INV-2026-0001 still"),
        ("0", "A credit note must be greater than zero."),
        ("-5", "A credit note must be greater than zero."),
    ],
)
def test_a_credit_note_above_what_remains_is_refused_and_writes_nothing(
    amount, message
):
    invoice = DocumentFactory(finalised=True)  # 120.00

    with pytest.raises(services.CreditNoteRefused, match=message):
        services.invoice_credit_partly(
            invoice=invoice, amount=Decimal(amount), reason="", actor=None, now=LATER
        )

    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.status) == (0, "to_pay")
    assert documents_of(invoice.company) == [("invoice", "INV-2026-0001", "to_pay")]
    assert (
        not DocumentNumberSequence.objects.for_company(invoice.company)
        .filter(kind="credit_note")
        .exists()
    )


def test_credit_notes_are_refused_on_a_draft_a_quote_and_a_credit_note():
    draft = DocumentFactory()
    quote = DocumentFactory(kind="quote", finalised=True)
    invoice = DocumentFactory(finalised=True)
    services.document_cancel(document=invoice, actor=None, now=NOW)
    credit_note = invoice.credit_notes.get()

    refusals = []
    for document in (draft, quote, credit_note, invoice):
        with pytest.raises(services.CreditNoteRefused) as refused:
            services.invoice_credit_partly(
                invoice=document, amount=Decimal("10"), reason="", actor=None, now=LATER
            )
        refusals.append(str(refused.value))

    assert refusals == [
        "A draft is not credited: change it or delete it instead.",
        "Only an invoice can be credited.",
        "Only an invoice can be credited.",
        "A credit note cannot take off more than INV-2026-0001 still carries "
        "(0.00 EUR).",
    ]
    assert [
        Document.objects.for_company(document.company)
        .filter(kind="credit_note")
        .count()
        for document in (draft, quote, invoice)
    ] == [0, 0, 1]


def test_a_quote_is_still_canceled_in_place():
    quote = DocumentFactory(kind="quote", finalised=True)

    services.document_cancel(document=quote, actor=None, now=LATER)

    quote.refresh_from_db()
    assert quote.status == "canceled"
    assert not Document.objects.for_company(quote.company).filter(kind="credit_note")


def test_credit_notes_number_their_own_series_per_company_and_year():
    client = ClientFactory()
    invoices = [DocumentFactory(client=client, finalised=True) for _ in range(3)]

    for invoice in invoices:
        services.document_cancel(document=invoice, actor=None, now=LATER)

    numbers = sorted(
        Document.objects.for_company(client.company)
        .filter(kind="credit_note")
        .values_list("number", flat=True)
    )
    assert numbers == ["CN-2026-0001", "CN-2026-0002", "CN-2026-0003"]
    assert DocumentFactory(client=client, finalised=True).number == "INV-2026-0004"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_credit_notes_never_share_or_skip_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    client = ClientFactory()
    invoices = [DocumentFactory(client=client, finalised=True) for _ in range(16)]
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def cancel(chunk: list[Document]) -> None:
        try:
            start.wait()
            for invoice in chunk:
                with transaction.atomic():
                    services.document_cancel(document=invoice, actor=None, now=LATER)
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=cancel, args=(invoices[i::8],)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [], [repr(error) for error in errors]
    numbers = sorted(
        Document.objects.for_company(client.company)
        .filter(kind="credit_note")
        .values_list("number", flat=True)
    )
    assert numbers == [f"CN-2026-{n:04d}" for n in range(1, 17)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancel_twice_at_once_still_issues_one_credit_note():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    invoice = DocumentFactory(finalised=True)
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def cancel() -> None:
        try:
            start.wait()
            services.document_cancel(document=invoice, actor=None, now=LATER)
            outcomes.append("canceled")
        except services.StatusChangeRefused:
            outcomes.append("refused")
        except BaseException as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    invoice.refresh_from_db()
    assert sorted(outcomes) == ["canceled", "refused", "refused", "refused"]
    assert invoice.credit_notes.count() == 1
    assert (invoice.status, invoice.amount_credited) == ("canceled", invoice.total)


# --- Drafts are deleted, with their own history; nothing else is -----------


def test_a_draft_is_deleted_with_its_lines_and_history_and_the_log_says_who():
    from companies.models import AuditEvent
    from documents.models import DocumentLine

    draft = DocumentFactory(lines=[line("A"), line("B")])
    services.document_hide(document=draft, actor=None, now=NOW)

    services.document_draft_delete(document=draft, actor=None, now=LATER)

    company = draft.company
    assert not Document.objects.for_company(company).exists()
    assert not DocumentLine.objects.for_company(company).exists()
    assert not DocumentEvent.objects.for_company(company).exists()
    logged = AuditEvent.objects.for_company(company).get()
    assert (logged.kind, logged.details["total"], logged.at) == (
        "draft_deleted",
        "240.00",
        LATER,
    )


def test_a_finalised_document_is_never_deleted_and_its_history_stays():
    from django.db import IntegrityError

    invoice = DocumentFactory(finalised=True)

    with pytest.raises(services.DocumentNotDeletable):
        services.document_draft_delete(document=invoice, actor=None, now=LATER)
    # Below the service, the database refuses too.
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentEvent.objects.for_company(invoice.company).filter(
            document=invoice
        ).delete()

    assert (
        DocumentEvent.objects.for_company(invoice.company)
        .filter(document=invoice)
        .count()
        == 2
    )

"""Fewer clicks: duplicate a quote or an invoice as a new draft; what
finalising needs, said before anyone confirms; finalise and send at once."""

import datetime as dt
from decimal import Decimal

import pytest

from clients import services as client_services
from documents import services
from documents.models import ClientEmail, Document, DocumentNumberSequence
from mail import services as mail_services
from payments.services import payment_record
from tests.factories import NOW, ClientFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=40)


def lines_of(document):
    return list(
        document.lines.order_by("position").values_list(
            "description", "quantity", "unit_price", "vat_rate"
        )
    )


def test_duplicating_a_paid_invoice_makes_a_draft_dated_today_with_its_lines():
    invoice = DocumentFactory(
        finalised=True,
        lines=[line("Design", "2", "150.00", "20"), line("Print", "1", "80", "5.5")],
        notes="Thank you",
    )
    payment_record(
        invoice=invoice, amount=invoice.total, method="transfer", actor=None, now=NOW
    )

    copy = services.document_duplicate(document=invoice, actor=None, now=LATER)

    assert (copy.kind, copy.status, copy.number, copy.client_id) == (
        "invoice",
        "draft",
        None,
        invoice.client_id,
    )
    assert copy.issue_date == LATER.date()
    assert copy.due_date == LATER.date() + dt.timedelta(days=30)  # payment terms
    assert (copy.notes, copy.currency) == ("Thank you", invoice.currency)
    assert lines_of(copy) == lines_of(invoice)
    assert copy.amount_paid == Decimal(0)
    invoice.refresh_from_db()
    assert invoice.status == "paid"  # the original is untouched


def test_duplicating_a_quote_keeps_its_validity_and_signature():
    quote = DocumentFactory(
        kind="quote",
        requires_signature=True,
        expiry_date=dt.date(2026, 3, 16),
        finalised=True,
    )
    validity = quote.expiry_date - quote.issue_date

    copy = services.document_duplicate(document=quote, actor=None, now=LATER)

    assert (copy.kind, copy.status, copy.requires_signature) == (
        "quote",
        "draft",
        True,
    )
    assert copy.expiry_date - copy.issue_date == validity


def test_a_credit_note_and_an_archived_client_s_invoice_are_not_duplicated():
    invoice = DocumentFactory(finalised=True)
    services.document_cancel(document=invoice, actor=None, now=NOW)
    credit_note = Document.objects.for_company(invoice.company).get(kind="credit_note")
    archived = DocumentFactory(finalised=True)
    client_services.client_archive(
        client=archived.client, actor=None, now=NOW, open_invoices=1
    )
    archived.refresh_from_db()
    before = Document.objects.for_company(invoice.company).count()

    with pytest.raises(services.DocumentNotDuplicable, match="quote or an invoice"):
        services.document_duplicate(document=credit_note, actor=None, now=LATER)
    with pytest.raises(services.DocumentNotDuplicable, match="is archived"):
        services.document_duplicate(document=archived, actor=None, now=LATER)

    assert Document.objects.for_company(invoice.company).count() == before


def test_a_complete_draft_has_no_problem_to_finalise():
    draft = DocumentFactory()

    assert services.finalise_problems(document=draft, now=NOW) == []


def test_an_empty_invoice_and_one_without_due_date_are_said_before_finalising():
    empty = DocumentFactory(lines=[])
    undated = DocumentFactory()
    Document.objects.for_company(undated.company).filter(pk=undated.pk).update(
        due_date=None
    )
    undated.refresh_from_db()

    assert services.finalise_problems(document=empty, now=NOW) == [
        "A document needs at least one line."
    ]
    assert services.finalise_problems(document=undated, now=NOW) == [
        "This invoice has no due date: give it one, then finalise it."
    ]


def test_a_french_business_client_without_siren_is_said_before_finalising():
    customer = ClientFactory(siren="", country="FR")
    draft = DocumentFactory(client=customer)

    problems = services.finalise_problems(document=draft, now=NOW)

    assert len(problems) == 1 and "SIREN" in problems[0]
    # The service refuses with the very same words, and numbers nothing.
    with pytest.raises(services.DocumentNotFinalisable) as refused:
        services.document_finalise(document=draft, actor=None, now=NOW)
    assert str(refused.value) == problems[0]
    assert not DocumentNumberSequence.objects.for_company(draft.company).exists()


def test_finalise_and_send_numbers_the_draft_and_e_mails_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    draft = DocumentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        email = mail_services.document_finalise_and_send(
            document=draft, actor=None, now=NOW
        )

    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("to_pay", "INV-2026-0001")
    assert (email.kind, email.document_id, email.version.number) == (
        "document",
        draft.pk,
        1,
    )
    assert [m.subject for m in mailoutbox] == [
        f"Invoice INV-2026-0001 from {draft.company.name}"
    ]


def test_finalise_and_send_to_a_client_without_address_leaves_the_draft_whole(
    mailoutbox,
):
    draft = DocumentFactory(client__email="")

    with pytest.raises(mail_services.DocumentNotSendable, match="no e-mail address"):
        mail_services.document_finalise_and_send(document=draft, actor=None, now=NOW)

    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)
    assert list(draft.events.values_list("kind", flat=True)) == ["created"]
    assert not ClientEmail.objects.for_company(draft.company).exists()
    assert mailoutbox == []
    # The number was given back: the next finalisation takes 0001.
    services.document_finalise(
        document=DocumentFactory(client=draft.client), actor=None, now=NOW
    )
    assert (
        Document.objects.for_company(draft.company)
        .filter(number="INV-2026-0001")
        .exists()
    )

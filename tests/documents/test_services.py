import datetime as dt
from decimal import Decimal

import pytest

from documents import services
from documents.models import Document, DocumentEvent, DocumentVersion
from documents.services import document_lines
from mail import services as mail_services
from signing import services as signing_services
from tests.factories import NOW, ClientFactory, DocumentFactory, UserFactory, line

pytestmark = pytest.mark.django_db


def test_document_create_computes_totals_half_up_per_line():
    client = ClientFactory()

    document = services.document_create(
        company=client.company,
        client=client,
        kind="invoice",
        lines=[line("A", "3", "0.35", "5.5"), line("B", "1", "0.05", "10")],
        actor=None,
        now=NOW,
    )

    # 3 × 0.35 = 1.05, VAT 5.5 % = 0.05775 → 0.06; 0.05 VAT 10 % = 0.005 → 0.01
    assert (document.total_excl_tax, document.total_tax, document.total) == (
        Decimal("1.10"),
        Decimal("0.07"),
        Decimal("1.17"),
    )
    assert (document.status, document.number) == ("draft", None)


def test_document_finalise_numbers_and_writes_version_one():
    document = DocumentFactory()
    actor = UserFactory()

    services.document_finalise(document=document, actor=actor, now=NOW)

    document.refresh_from_db()
    version = DocumentVersion.objects.for_company(document.company).get()
    assert (document.number, document.status) == ("INV-2026-0001", "to_pay")
    assert (version.number, version.content["number"], version.created_by) == (
        1,
        "INV-2026-0001",
        actor,
    )
    kinds = list(
        DocumentEvent.objects.for_company(document.company)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "finalised"]


def test_document_update_of_final_document_appends_a_version():
    document = DocumentFactory(finalised=True)

    version = services.document_update(
        document=document, lines=[line("Changed", "2", "50.00")], actor=None, now=NOW
    )

    document.refresh_from_db()
    assert (version.number, document.current_version_id, document.total) == (
        2,
        version.pk,
        Decimal("120.00"),
    )
    assert (
        document.versions.get(number=1).content["lines"][0]["description"]
        == "Consulting"
    )


def test_document_update_refuses_a_due_date_before_issue_date():
    document = DocumentFactory()

    with pytest.raises(services.InvalidDocument):
        services.document_update(
            document=document,
            lines=[line()],
            actor=None,
            now=NOW,
            due_date=dt.date(2026, 1, 1),
        )

    document.refresh_from_db()
    assert document.due_date == dt.date(2026, 4, 1)


def test_quote_numbering_is_separate_from_invoices():
    client = ClientFactory()
    DocumentFactory(client=client, finalised=True)
    quote = DocumentFactory(client=client, kind=Document.Kind.QUOTE, finalised=True)

    assert quote.number == "Q-2026-0001"


def event_kinds(document: Document) -> list[str]:
    return list(
        DocumentEvent.objects.for_company(document.company)
        .filter(document=document)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_document_update_of_a_draft_changes_it_in_place():
    document = DocumentFactory()

    version = services.document_update(
        document=document, lines=[line("Other", "2", "10.00")], actor=None, now=NOW
    )

    document.refresh_from_db()
    assert (version, document.total, document.versions.count()) == (
        None,
        Decimal("24.00"),
        0,
    )


def test_document_update_without_a_change_writes_no_version():
    document = DocumentFactory(finalised=True)

    version = services.document_update(
        document=document, lines=[line()], actor=None, now=NOW
    )

    assert (version, document.versions.count()) == (None, 1)
    assert event_kinds(document) == ["created", "finalised"]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (line(quantity="-1"), "A quantity must be greater than zero."),
        (line(quantity="0"), "A quantity must be greater than zero."),
        (line(unit_price="-5.00"), "A unit price cannot be negative."),
        (line(vat_rate="19.6"), "19.6 % is not an allowed VAT rate."),
        (line(description="   "), "Every line needs a description."),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(bad_line, message):
    client = ClientFactory()
    draft = DocumentFactory(client=client)

    with pytest.raises(services.InvalidDocument) as created:
        services.document_create(
            company=client.company,
            client=client,
            kind="invoice",
            lines=[line(), bad_line],
            actor=None,
            now=NOW,
        )
    with pytest.raises(services.InvalidDocument) as updated:
        services.document_update(document=draft, lines=[bad_line], actor=None, now=NOW)

    assert (str(created.value), str(updated.value)) == (message, message)
    documents = Document.objects.for_company(client.company)
    assert list(documents.values_list("pk", flat=True)) == [draft.pk]
    assert document_lines(draft) == [line()]


def test_unknown_currency_is_refused():
    client = ClientFactory()

    with pytest.raises(services.InvalidDocument, match="XYZ is not a known currency"):
        services.document_create(
            company=client.company,
            client=client,
            kind="invoice",
            lines=[line()],
            actor=None,
            now=NOW,
            currency="XYZ",
        )

    assert not Document.objects.for_company(client.company).exists()


def test_a_client_of_another_company_is_refused():
    client = ClientFactory()
    other = ClientFactory()

    with pytest.raises(services.InvalidDocument):
        services.document_create(
            company=client.company,
            client=other,
            kind="invoice",
            lines=[line()],
            actor=None,
            now=NOW,
        )

    assert not Document.objects.for_company(client.company).exists()


def test_a_paid_invoice_can_no_longer_change():
    from payments.services import invoice_mark_paid

    document = DocumentFactory(finalised=True)
    invoice_mark_paid(invoice=document, actor=None, now=NOW)

    with pytest.raises(services.DocumentNotEditable):
        services.document_update(
            document=document, lines=[line("Sneaky", "1", "1.00")], actor=None, now=NOW
        )

    document.refresh_from_db()
    assert (document.versions.count(), document.total) == (1, Decimal("120.00"))


def test_document_hide_and_show_record_history_and_bump_the_portal():
    document = DocumentFactory(finalised=True)
    document.client.refresh_from_db()
    revision = document.client.portal_revision

    assert services.document_hide(document=document, actor=None, now=NOW) is True
    assert services.document_hide(document=document, actor=None, now=NOW) is False
    assert services.document_show(document=document, actor=None, now=NOW) is True

    document.refresh_from_db()
    document.client.refresh_from_db()
    assert document.hidden_from_portal is False
    assert event_kinds(document)[-2:] == ["hidden", "shown"]
    assert document.client.portal_revision == revision + 2


def test_document_send_records_event_and_emails_the_portal_link(
    django_capture_on_commit_callbacks, mailoutbox
):
    document = DocumentFactory(finalised=True)
    actor = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        mail_services.document_send(document=document, actor=actor, now=NOW)

    document.refresh_from_db()
    assert (document.sent_at, event_kinds(document)[-1]) == (NOW, "sent")
    assert [m.to for m in mailoutbox] == [[document.client.email]]
    assert f"/p/{document.client.portal_token}/" in mailoutbox[0].body
    assert (
        mailoutbox[0].subject == f"Invoice INV-2026-0001 from {document.company.name}"
    )


def test_a_draft_cannot_be_sent(mailoutbox):
    document = DocumentFactory()

    with pytest.raises(mail_services.DocumentNotSendable):
        mail_services.document_send(document=document, actor=None, now=NOW)

    document.refresh_from_db()
    assert (document.sent_at, mailoutbox) == (None, [])


def test_quote_accept_and_decline_only_from_pending():
    accepted = DocumentFactory(kind="quote", finalised=True)
    declined = DocumentFactory(kind="quote", finalised=True)

    signing_services.quote_accept(quote=accepted, actor=None, now=NOW)
    signing_services.quote_decline(
        quote=declined, actor=None, now=NOW, reason="Too dear"
    )
    with pytest.raises(services.StatusChangeRefused):
        signing_services.quote_decline(quote=accepted, actor=None, now=NOW)

    accepted.refresh_from_db()
    declined.refresh_from_db()
    assert (accepted.status, declined.status) == ("accepted", "declined")
    last = (
        DocumentEvent.objects.for_company(declined.company)
        .filter(document=declined)
        .latest("pk")
    )
    assert (last.kind, last.details) == ("declined", {"reason": "Too dear"})


def test_document_cancel_refuses_an_invoice_with_payments():
    from payments.services import payment_record

    document = DocumentFactory(finalised=True)
    payment_record(
        invoice=document, amount=Decimal("20.00"), method="manual", actor=None, now=NOW
    )

    with pytest.raises(services.StatusChangeRefused):
        services.document_cancel(document=document, actor=None, now=NOW)

    document.refresh_from_db()
    assert document.status == "partially_paid"

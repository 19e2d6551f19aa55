"""Receipts: one per payment received (card by webhook, transfer recorded by
the owner, by hand), numbered per company, printed, e-mailed once through a
real SMTP conversation, and downloadable from the invoice's page."""

import email
import email.policy
import io
from decimal import Decimal

import pytest
from django.db import transaction
from pypdf import PdfReader

from documents.models import ClientEmail
from mail import services as mail_services
from payments import services
from payments.models import Receipt, ReceiptNumberSequence
from payments.services import receipts
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    checkout_open,
    deliver,
    payable_invoice,
    session_event,
)
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"


def _parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = {}
    for part in message.walk():
        if not part.is_multipart():
            parts[part.get_filename() or part.get_content_type()] = part
    return message, parts


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(data)).pages
    )


def _receipts(company):
    return list(
        Receipt.objects.for_company(company)
        .order_by("number_sequence")
        .values_list("number", "amount", "method", "amount_due_after")
    )


def test_a_transfer_recorded_by_the_owner_gives_a_numbered_receipt_emailed_in_french(
    settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    client = ClientFactory(
        name="Café des Arts", email="compta@cafe.example", locale="fr"
    )
    invoice = DocumentFactory(client=client, finalised=True)  # 120.00 EUR
    link = f"https://portal.example/p/{client.portal_token}/documents/{invoice.pk}/"

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            services.payment_record(
                invoice=invoice,
                amount=Decimal("20.00"),
                method="transfer",
                actor=None,
                now=NOW,
            )

    assert _receipts(invoice.company) == [
        ("REC-2026-0001", Decimal("20.00"), "transfer", Decimal("100.00"))
    ]
    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["compta@cafe.example"]
    message, parts = _parts(envelope.content)
    assert message["Subject"] == f"Reçu REC-2026-0001 de {invoice.company.name}"
    text = parts["text/plain"].get_content().replace("\r\n", "\n")
    assert (
        f"{invoice.company.name} a bien reçu votre paiement de 20,00\u00a0€ pour "
        f"la facture {invoice.number}. Merci."
    ) in text
    assert "Reste à payer\u202f: 100,00\u00a0€" in text
    assert "Payé par\u202f: Virement bancaire" in text
    assert link in text
    assert link in parts["text/html"].get_content()
    pdf = _pdf_text(parts["REC-2026-0001.pdf"].get_content())
    for expected in (
        "Reçu de paiement",
        "REC-2026-0001",
        "Café des Arts",
        invoice.number,
        "20,00 €",
        "Virement bancaire",
        "2 mars 2026",
        "100,00 €",
    ):
        assert expected in pdf, expected
    sent = ClientEmail.objects.for_company(invoice.company).get()
    assert (sent.kind, sent.status, sent.attempts) == ("receipt", "sent", 1)


def test_receipts_follow_each_other_per_company_and_the_email_goes_once(
    settings, django_capture_on_commit_callbacks
):
    invoice = DocumentFactory(finalised=True)
    other_company = DocumentFactory(finalised=True)

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            services.payment_record(
                invoice=invoice,
                amount=Decimal("20"),
                method="manual",
                actor=None,
                now=NOW,
            )
            services.invoice_mark_paid(invoice=other_company, actor=None, now=NOW)
            services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
        again = mail_services.client_emails_retry_due(now=NOW.replace(year=2027))

    assert _receipts(invoice.company) == [
        ("REC-2026-0001", Decimal("20.00"), "manual", Decimal("100.00")),
        ("REC-2026-0002", Decimal("100.00"), "manual", Decimal("0.00")),
    ]
    assert _receipts(other_company.company) == [
        ("REC-2026-0001", Decimal("120.00"), "manual", Decimal("0.00"))
    ]
    assert (len(mailbox.envelopes), again) == (3, 0)


def test_a_card_payment_by_webhook_gives_one_receipt_however_often_announced(
    settings, stripe_fake, django_capture_on_commit_callbacks
):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    payload = session_event(
        COMPLETED, stripe_fake.session_pay(checkout.session_id, status="paid")
    )

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            first = deliver(payload, WEBHOOK_SECRET)
            second = deliver(payload, WEBHOOK_SECRET)

    assert (first.status_code, second.json()) == (
        200,
        {"received": True, "duplicate": True},
    )
    assert _receipts(invoice.company) == [
        ("REC-2026-0001", Decimal("120.00"), "card", Decimal("0.00"))
    ]
    (envelope,) = mailbox.envelopes
    _message, parts = _parts(envelope.content)
    pdf = _pdf_text(parts["REC-2026-0001.pdf"].get_content())
    assert "Card" in pdf and "120.00" in pdf and "paid in full" in pdf


def test_a_declared_transfer_recorded_by_the_owner_gives_a_receipt(
    django_capture_on_commit_callbacks, mailoutbox
):
    invoice = DocumentFactory(finalised=True)
    with django_capture_on_commit_callbacks(execute=True):
        declaration = services.transfer_declare(
            invoice=invoice, client_name="x", paid_on_date=None, now=NOW
        )
        services.transfer_declaration_record(
            declaration=declaration, actor=None, now=NOW
        )

    assert _receipts(invoice.company) == [
        ("REC-2026-0001", Decimal("120.00"), "transfer", Decimal("0.00"))
    ]
    assert [m.subject for m in mailoutbox] == [
        f"Your transfer for invoice {invoice.number}",
        f"Receipt REC-2026-0001 from {invoice.company.name}",
    ]


def test_a_client_without_an_address_gets_its_receipt_in_the_portal_only(
    django_capture_on_commit_callbacks, mailoutbox, client
):
    customer = ClientFactory(email="")
    invoice = DocumentFactory(client=customer, finalised=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)

    receipt = Receipt.objects.for_company(invoice.company).get()
    page = client.get(f"/p/{customer.portal_token}/documents/{invoice.pk}/")
    url = f"/p/{customer.portal_token}/documents/{invoice.pk}/receipts/{receipt.pk}.pdf"
    download = client.get(url)

    assert (mailoutbox, receipt.email_id) == ([], None)
    assert url in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="REC-2026-0001.pdf"'
    assert "REC-2026-0001" in _pdf_text(b"".join(download.streaming_content))


def test_another_clients_token_or_invoice_never_opens_a_receipt(
    django_capture_on_commit_callbacks, client
):
    invoice = DocumentFactory(finalised=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    receipt = Receipt.objects.for_company(invoice.company).get()
    neighbour = ClientFactory(company=invoice.company)
    neighbours_invoice = DocumentFactory(client=neighbour, finalised=True)
    stranger = ClientFactory()

    urls = [
        f"/p/{neighbour.portal_token}/documents/{invoice.pk}/receipts/{receipt.pk}.pdf",
        f"/p/{neighbour.portal_token}/documents/{neighbours_invoice.pk}/receipts/{receipt.pk}.pdf",
        f"/p/{stranger.portal_token}/documents/{invoice.pk}/receipts/{receipt.pk}.pdf",
        f"/p/{invoice.client.portal_token}/documents/{neighbours_invoice.pk}/receipts/{receipt.pk}.pdf",
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]


def test_receipts_of_one_transaction_are_numbered_at_its_end_in_the_order_counted():
    customer = ClientFactory()
    first, second, third = (
        DocumentFactory(client=customer, finalised=True) for _ in range(3)
    )

    with transaction.atomic(), receipts.receipts_numbered_last():
        for invoice in (second, first, third):
            services.payment_record(
                invoice=invoice,
                amount=Decimal("10"),
                method="manual",
                actor=None,
                now=NOW,
            )
        # Prepared, not yet written: the sequence is not touched before the end.
        assert not Receipt.objects.for_company(customer.company).exists()
        assert not ReceiptNumberSequence.objects.for_company(customer.company).exists()

    assert list(
        Receipt.objects.for_company(customer.company)
        .order_by("number_sequence")
        .values_list("number", "invoice_id")
    ) == [
        ("REC-2026-0001", second.pk),
        ("REC-2026-0002", first.pk),
        ("REC-2026-0003", third.pk),
    ]
    assert (
        ReceiptNumberSequence.objects.for_company(customer.company).get().last_number
        == 3
    )


def test_a_payment_undone_by_its_savepoint_leaves_no_receipt_and_no_gap():
    customer = ClientFactory()
    kept, undone = (DocumentFactory(client=customer, finalised=True) for _ in range(2))

    with transaction.atomic(), receipts.receipts_numbered_last():
        with transaction.atomic():  # a batch refused halfway rolls its part back
            services.payment_record(
                invoice=undone,
                amount=Decimal("10"),
                method="manual",
                actor=None,
                now=NOW,
            )
            transaction.set_rollback(True)
        services.payment_record(
            invoice=kept, amount=Decimal("10"), method="manual", actor=None, now=NOW
        )

    assert list(
        Receipt.objects.for_company(customer.company).values_list(
            "number", "invoice_id"
        )
    ) == [("REC-2026-0001", kept.pk)]
    assert (
        ReceiptNumberSequence.objects.for_company(customer.company).get().last_number
        == 1
    )
    undone.refresh_from_db()
    assert (undone.amount_paid, undone.receipts.count()) == (Decimal("0.00"), 0)


def test_an_error_in_the_transaction_writes_no_receipt_and_takes_no_number():
    customer = ClientFactory()
    invoice = DocumentFactory(client=customer, finalised=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        with receipts.receipts_numbered_last():
            services.payment_record(
                invoice=invoice,
                amount=Decimal("10"),
                method="manual",
                actor=None,
                now=NOW,
            )
            raise RuntimeError("the event could not be stored")
    services.payment_record(
        invoice=invoice, amount=Decimal("10"), method="manual", actor=None, now=NOW
    )

    assert list(
        Receipt.objects.for_company(customer.company).values_list("number", flat=True)
    ) == ["REC-2026-0001"]

"""Sending documents through a real SMTP conversation (aiosmtpd on loopback)."""

import datetime as dt
import email
import email.policy
import io

import pytest
import time_machine
from pypdf import PdfReader

from branding.services import brand_kit_save
from documents.models import ClientEmail, DocumentEvent
from mail import services as mail_services
from mail import tasks
from mail.delivery import MAX_ATTEMPTS, RETRY_DELAYS
from tests.backoffice import sign_in
from tests.branding.helpers import image_bytes, upload
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.smtp import silent_server, smtp_server

pytestmark = pytest.mark.django_db


def _french_invoice():
    customer = ClientFactory(
        company__name="Atelier Lumière & Fils",
        company__email="contact@atelier.example",
        name="Café des Arts & Co",
        email="compta@cafe.example",
        extra_emails="patron@cafe.example\nCOMPTA@cafe.example",
        locale="fr",
    )
    brand_kit_save(
        company=customer.company,
        actor=None,
        now=NOW,
        display_name="Atelier Lumière & Fils",
        primary_colour="#1F3A5F",
        accent_colour="#E07A1F",
        logo=upload(image_bytes("PNG", size=(200, 100))),
    )
    return DocumentFactory(client=customer, finalised=True)


def _parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        key = part.get_filename() or part.get_content_type()
        parts[key] = part
    return message, parts


def test_a_document_goes_out_branded_in_french_with_its_pdf_and_link(
    settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    invoice = _french_invoice()
    token = invoice.client.portal_token
    link = f"https://portal.example/p/{token}/documents/{invoice.pk}/"

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            mail_services.document_send(document=invoice, actor=None, now=NOW)

    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["compta@cafe.example", "patron@cafe.example"]
    message, parts = _parts(envelope.content)
    assert message["Subject"] == "Facture INV-2026-0001 d'Atelier Lumière & Fils"
    assert message["To"] == "compta@cafe.example, patron@cafe.example"
    assert message["Reply-To"] == "contact@atelier.example"
    text = parts["text/plain"].get_content().replace("\r\n", "\n")
    assert "Bonjour Café des Arts & Co," in text
    assert "&amp;" not in text
    assert "Atelier Lumière & Fils vous a envoyé la facture INV-2026-0001." in text
    assert "Montant dû\u202f: 120,00\u00a0€" in text
    assert "Date d’échéance\u202f: 1 avr. 2026" in text
    assert f"Payer 120,00\u00a0€\u202f:\n{link}" in text  # what to do next
    html = parts["text/html"].get_content()
    assert "<style" not in html  # inlined into the elements by css-inline
    assert f'href="{link}"' in html
    button = html.split(f'href="{link}"')[1].split(">", 1)[0]
    assert "background: #E07A1F" in button  # the brand's accent, inlined
    assert 'src="cid:brand-logo"' in html
    assert parts["logo.png"]["Content-ID"] == "<brand-logo>"
    pdf = parts["INV-2026-0001.pdf"]
    assert pdf.get_content_type() == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.get_content()))
    assert "INV-2026-0001" in reader.pages[0].extract_text()
    event = DocumentEvent.objects.for_company(invoice.company).get(kind="sent")
    assert event.details == {"to": ["compta@cafe.example", "patron@cafe.example"]}
    assert event.version_id == invoice.current_version_id


def test_without_the_add_on_the_pdf_goes_alone(
    settings, django_capture_on_commit_callbacks
):
    invoice = DocumentFactory(
        client__company__has_receivables_addon=False, finalised=True
    )

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            mail_services.document_send(document=invoice, actor=None, now=NOW)

    (envelope,) = mailbox.envelopes
    message, parts = _parts(envelope.content)
    assert "/p/" not in parts["text/plain"].get_content()
    assert "/p/" not in parts["text/html"].get_content()
    assert "INV-2026-0001.pdf" in parts
    assert message["Subject"] == f"Invoice INV-2026-0001 from {invoice.company.name}"


def test_a_refusing_server_is_retried_with_backoff_then_delivered_once(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    invoice = DocumentFactory(finalised=True)
    sent = mail_services.document_send(document=invoice, actor=None, now=NOW)

    with smtp_server(settings, refuse=1) as mailbox:
        first = mail_services.client_email_deliver(email_id=sent.pk, now=NOW)
        waiting = ClientEmail.objects.get(pk=sent.pk)
        too_early = mail_services.client_email_deliver(
            email_id=sent.pk, now=NOW + dt.timedelta(seconds=30)
        )
        retry_at = NOW + dt.timedelta(seconds=RETRY_DELAYS[0])
        second = mail_services.client_email_deliver(email_id=sent.pk, now=retry_at)
        again = mail_services.client_email_deliver(email_id=sent.pk, now=retry_at)

    assert (first, too_early, second, again) == ("pending", "pending", "sent", "sent")
    assert (waiting.attempts, waiting.next_attempt_at) == (1, retry_at)
    assert waiting.last_error == (
        f"{invoice.client.email}: 451 4.3.0 Mailbox busy, try again later"
    )
    assert (mailbox.refusals, len(mailbox.envelopes)) == (1, 1)
    delivered = ClientEmail.objects.get(pk=sent.pk)
    assert (delivered.status, delivered.attempts, delivered.sent_at) == (
        "sent",
        2,
        retry_at,
    )
    kinds = list(invoice.events.order_by("pk").values_list("kind", "at"))
    assert kinds[-1] == ("sent", retry_at)


def test_the_retry_is_queued_for_later_on_a_backend_that_defers(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    invoice = DocumentFactory(finalised=True)
    sent = mail_services.document_send(document=invoice, actor=None, now=NOW)

    with smtp_server(settings, refuse=1), time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.client_email_deliver.call(sent.pk)

    queued = [
        (result.task.name, result.args, result.task.run_after)
        for result in default_task_backend.results
    ]
    assert queued == [
        (
            "client_email_deliver",
            [sent.pk],
            NOW + dt.timedelta(seconds=RETRY_DELAYS[0]),
        )
    ]


def test_a_server_that_keeps_refusing_marks_it_failed_and_the_owner_sees_it(
    settings, client
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    invoice = DocumentFactory(finalised=True)
    sent = mail_services.document_send(document=invoice, actor=None, now=NOW)
    moment = NOW
    statuses = []
    with smtp_server(settings, refuse=100) as mailbox:
        for delay in (0, *RETRY_DELAYS):
            moment += dt.timedelta(seconds=delay)
            statuses.append(
                mail_services.client_email_deliver(email_id=sent.pk, now=moment)
            )
        after = mail_services.client_email_deliver(
            email_id=sent.pk, now=moment + dt.timedelta(days=1)
        )

    assert statuses == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert (after, mailbox.refusals, mailbox.envelopes) == ("failed", MAX_ATTEMPTS, [])
    failed = invoice.events.get(kind="send_failed")
    assert failed.details["to"] == [invoice.client.email]
    assert "451 4.3.0 Mailbox busy" in failed.details["error"]
    sign_in(client, invoice.company)
    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
    notices = [notice["text"] for notice in page.context["sending"]]
    assert len(notices) == 1 and "could not be delivered" in notices[0]
    assert "451 4.3.0 Mailbox busy" in page.content.decode()


def test_a_server_that_never_answers_is_a_timeout_retried_later(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    invoice = DocumentFactory(finalised=True)
    sent = mail_services.document_send(document=invoice, actor=None, now=NOW)

    with silent_server(settings):
        status = mail_services.client_email_deliver(email_id=sent.pk, now=NOW)

    waiting = ClientEmail.objects.get(pk=sent.pk)
    assert (status, waiting.attempts) == ("pending", 1)
    assert "timed out" in waiting.last_error
    assert invoice.events.filter(kind="sent").count() == 0

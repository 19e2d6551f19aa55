"""The client is told what it did, in its language, through a real SMTP
conversation: its signed copy after signing, an acknowledgement after
declining, "we will confirm" after declaring a transfer. Each e-mail once."""

import email
import email.policy
import io

import pytest
from pypdf import PdfReader

from documents.models import ClientEmail
from mail import services as mail_services
from payments import services as payment_services
from signing import services as signing_services
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.signing.signing_helpers import (
    accept_arguments,
    decline_arguments,
    sign_arguments,
    signable_quote,
)
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db


def _parts(raw: bytes):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = {}
    for part in message.walk():
        if not part.is_multipart():
            parts[part.get_filename() or part.get_content_type()] = part
    text = parts["text/plain"].get_content().replace("\r\n", "\n")
    return message, parts, text


def _kinds(company):
    return list(
        ClientEmail.objects.for_company(company)
        .order_by("pk")
        .values_list("kind", "status")
    )


def test_signing_sends_the_client_its_sealed_copy_once(
    settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    quote = signable_quote(client=ClientFactory(email="ada@client.example"))
    link = f"https://portal.example/p/{quote.client.portal_token}/documents/{quote.pk}/"

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            signing_services.quote_sign(**sign_arguments(quote))
        with pytest.raises(signing_services.QuoteNotAnswerable):
            signing_services.quote_sign(**sign_arguments(quote))
        mail_services.client_emails_retry_due(now=NOW.replace(year=2027))

    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["ada@client.example"]
    message, parts, text = _parts(envelope.content)
    assert message["Subject"] == f"Quote {quote.number} signed: your copy"
    assert f"you accepted quote {quote.number} from {quote.company.name}" in text
    assert "Signed by: Ada Lovelace" in text
    assert link in text
    signed = parts[f"{quote.number}-v1-signed.pdf"].get_content()
    reader = PdfReader(io.BytesIO(signed))
    assert "/Sig" in str(
        reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    )
    assert _kinds(quote.company) == [("quote_signed", "sent")]


def test_accepting_without_a_signature_sends_the_copy_too(
    django_capture_on_commit_callbacks, mailoutbox
):
    quote = signable_quote(requires_signature=False)
    with django_capture_on_commit_callbacks(execute=True):
        signing_services.quote_accept_online(**accept_arguments(quote))

    (message,) = mailoutbox
    assert message.subject == f"Quote {quote.number} signed: your copy"
    assert [name for name, _data, _type in message.attachments] == [
        f"{quote.number}-v1-signed.pdf"
    ]


def test_declining_is_acknowledged_in_the_clients_language(
    settings, django_capture_on_commit_callbacks
):
    quote = signable_quote(client=ClientFactory(locale="fr"))
    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            signing_services.quote_decline_online(**decline_arguments(quote))

    (envelope,) = mailbox.envelopes
    message, parts, text = _parts(envelope.content)
    assert message["Subject"] == f"Devis {quote.number} refusé"
    assert f"Vous avez refusé le devis {quote.number} de {quote.company.name}." in text
    assert [name for name in parts if name.endswith(".pdf")] == []
    assert _kinds(quote.company) == [("quote_declined", "sent")]


def test_declaring_a_transfer_says_we_will_confirm_once(
    settings, django_capture_on_commit_callbacks
):
    invoice = DocumentFactory(finalised=True)
    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):  # pressed twice: one declaration, one e-mail
                payment_services.transfer_declare(
                    invoice=invoice,
                    client_name="x",
                    paid_on_date=NOW.date(),
                    now=NOW,
                )

    (envelope,) = mailbox.envelopes
    message, _parts_, text = _parts(envelope.content)
    assert message["Subject"] == f"Your transfer for invoice {invoice.number}"
    assert "We will confirm when it arrives on the account, with a receipt." in text
    assert "Amount declared: €120.00" in text
    assert "Paid on: Mar 2, 2026" in text
    assert _kinds(invoice.company) == [("transfer_declared", "sent")]


def test_a_client_e_mail_refused_by_the_server_is_retried_then_sent(
    settings, django_capture_on_commit_callbacks
):
    quote = signable_quote()
    with smtp_server(settings, refuse=1) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            signing_services.quote_decline_online(**decline_arguments(quote))
        failed_first = _kinds(quote.company)
        mail_services.client_emails_retry_due(now=NOW.replace(year=2027))

    assert failed_first == [("quote_declined", "pending")]
    assert _kinds(quote.company) == [("quote_declined", "sent")]
    assert len(mailbox.envelopes) == 1

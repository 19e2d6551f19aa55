"""A client e-mail's button says what the client does next."""

import pytest
import time_machine

from documents.models import Document
from mail import services as mail_services
from payments.services import payment_record
from tests.factories import NOW, DocumentFactory

pytestmark = pytest.mark.django_db


def sent_body(document: Document, mailoutbox, capture) -> str:
    with capture(execute=True):
        mail_services.document_send(document=document, actor=None, now=NOW)
    return mailoutbox[-1].body


@time_machine.travel(NOW, tick=False)
def test_an_invoice_to_pay_asks_to_pay_its_amount_and_a_paid_one_to_read(
    mailoutbox, django_capture_on_commit_callbacks
):
    invoice = DocumentFactory(finalised=True)

    assert "Pay €120.00:\n" in sent_body(
        invoice, mailoutbox, django_capture_on_commit_callbacks
    )

    payment_record(
        invoice=invoice, amount=invoice.total, method="transfer", actor=None, now=NOW
    )
    invoice.refresh_from_db()
    body = sent_body(invoice, mailoutbox, django_capture_on_commit_callbacks)
    assert "View the invoice:\n" in body and "Pay " not in body


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("requires_signature", "label"),
    [(True, "Review and sign:\n"), (False, "Review and answer:\n")],
)
def test_a_pending_quote_asks_for_its_answer(
    mailoutbox, django_capture_on_commit_callbacks, requires_signature, label
):
    quote = DocumentFactory(
        kind="quote", requires_signature=requires_signature, finalised=True
    )

    assert label in sent_body(quote, mailoutbox, django_capture_on_commit_callbacks)

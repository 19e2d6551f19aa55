"""Credit notes with issue 12's sending, activity and home page: a credit note
e-mail says what it takes off which invoice (no amount due, no due date); an
invoice's e-mail never asks for less than nothing; the outstanding total counts
refunds and credit notes as the amount due does."""

import datetime as dt
from decimal import Decimal

import pytest

from documents import services
from documents.models import DocumentEvent
from mail import services as mail_services
from mail.notifications import activity_text
from payments.services import payment_record, refund_record
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)


def sent(document, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        mail_services.document_send(document=document, actor=None, now=LATER)
    return mailoutbox[-1]


def test_a_credit_note_goes_out_as_a_credit_note(
    django_capture_on_commit_callbacks, mailoutbox
):
    customer = ClientFactory(
        company__name="Atelier", email="compta@cafe.example", locale="en"
    )
    bill = invoice(customer)
    services.document_cancel(document=bill, actor=None, now=NOW)
    credit_note = bill.credit_notes.get()

    message = sent(credit_note, django_capture_on_commit_callbacks, mailoutbox)

    assert message.subject == "Credit note CN-2026-0001 from Atelier"
    assert message.to == ["compta@cafe.example"]
    assert (
        "Atelier has sent you credit note CN-2026-0001, which takes this amount "
        "off invoice INV-2026-0001." in message.body
    )
    assert "Amount credited: €120.00" in message.body
    assert "Invoice: INV-2026-0001" in message.body
    assert "Amount due" not in message.body and "Due date" not in message.body
    assert "View the credit note:" in message.body
    link = url("document", customer, document_id=credit_note.pk)
    assert link in message.body
    assert [name for name, _content, _type in message.attachments] == [
        "CN-2026-0001.pdf"
    ]


def test_a_credit_note_e_mail_in_french(django_capture_on_commit_callbacks, mailoutbox):
    customer = ClientFactory(company__name="Atelier", locale="fr")
    bill = invoice(customer)
    services.document_cancel(document=bill, actor=None, now=NOW)

    message = sent(
        bill.credit_notes.get(), django_capture_on_commit_callbacks, mailoutbox
    )

    assert message.subject == "Avoir CN-2026-0001 d'Atelier"
    assert "Montant crédité\u202f: 120,00\u00a0€" in message.body
    assert "Voir l’avoir\u202f:" in message.body


def test_an_invoice_paid_then_credited_asks_for_nothing_in_its_e_mail(
    django_capture_on_commit_callbacks, mailoutbox
):
    bill = invoice(ClientFactory(locale="en"))
    payment_record(
        invoice=bill, amount=bill.total, method="transfer", actor=None, now=NOW
    )
    services.invoice_credit_partly(
        invoice=bill, amount=Decimal("20.00"), reason="", actor=None, now=NOW
    )

    message = sent(bill, django_capture_on_commit_callbacks, mailoutbox)

    assert "Amount due: €0.00" in message.body
    assert "-€" not in message.body


def test_the_activity_feed_names_a_credit_note_as_such():
    customer = ClientFactory(name="Café des Arts")
    bill = invoice(customer)
    services.document_cancel(document=bill, actor=None, now=NOW)
    credit_note = bill.credit_notes.get()
    viewed = DocumentEvent(
        company=credit_note.company,
        document=credit_note,
        kind=DocumentEvent.Kind.VIEWED,
        at=LATER,
        details={"version": 1},
    )

    assert activity_text(viewed) == "Café des Arts opened credit note CN-2026-0001"


def test_the_outstanding_total_counts_refunds_and_credit_notes(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    credited = invoice(customer, due_date=dt.date(2099, 1, 1))  # 120.00
    services.invoice_credit_partly(
        invoice=credited, amount=Decimal("20.00"), reason="", actor=None, now=NOW
    )
    refunded = invoice(customer, due_date=dt.date(2099, 1, 1))  # 120.00
    payment = payment_record(
        invoice=refunded, amount=Decimal("50.00"), method="manual", actor=None, now=NOW
    )
    refund_record(payment=payment, amount=Decimal("30.00"), actor=None, now=NOW)

    response = client.get("/admin/")

    figures = response.context["home_sections"][0]["figures"]
    # 100.00 left on the credited one, 120 - 50 + 30 = 100.00 on the other.
    assert figures["outstanding"]["amounts"] == ["€200.00"]

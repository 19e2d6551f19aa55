"""A document's history reads as sentences in the back office, on its page and
on its History page, never as the events' raw details."""

import datetime as dt

import pytest
from django.utils import translation

from documents import events, services
from documents.history import event_sentence
from documents.models import DocumentEvent
from mail import services as mail_services
from payments import services as payment_services
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_invoice(client, django_capture_on_commit_callbacks):
    company = CompanyFactory()
    user = sign_in(client, company)
    user.full_name = "Camille Durand"
    user.save()
    customer = ClientFactory(
        company=company, name="Café des Arts", email="compta@cafedesarts.example"
    )
    invoice = DocumentFactory(client=customer)
    services.document_finalise(document=invoice, actor=user, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        mail_services.document_send(document=invoice, actor=user, now=NOW)
    invoice.refresh_from_db()
    return invoice


def test_the_document_page_tells_its_history_in_sentences(client, sent_invoice):
    page = client.get(f"/admin/documents/invoice/{sent_invoice.pk}/change/")
    html = page.content.decode()

    assert "Finalised as INV-2026-0001 by Camille Durand" in html
    assert "Sent to compta@cafedesarts.example by Camille Durand" in html
    # The events' raw details ({"number": …}, {"to": […]}) appear nowhere.
    assert "&quot;number&quot;" not in html and "&quot;to&quot;" not in html


def test_the_history_page_tells_events_and_saves_in_sentences(client, sent_invoice):
    page = client.get(f"/admin/documents/invoice/{sent_invoice.pk}/history/")

    sentences = [sentence for _at, sentence in page.context["timeline"]]
    assert sentences == [
        "Created as a draft",
        "Finalised as INV-2026-0001 by Camille Durand",
        "Sent to compta@cafedesarts.example by Camille Durand",
    ]
    assert "{" not in page.content.decode().split('id="document-history"')[1]


def test_the_history_page_in_french(client, sent_invoice):
    page = client.get(
        f"/admin/documents/invoice/{sent_invoice.pk}/history/",
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert "Envoi à compta@cafedesarts.example par Camille Durand" in [
        sentence for _at, sentence in page.context["timeline"]
    ]


def test_client_events_name_the_client_and_amounts_read_as_money():
    invoice = DocumentFactory(client__name="Café des Arts", finalised=True)
    payment_services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    declared = events.invoice_transfer_declared(
        document=invoice, at=NOW, client_name="Café des Arts", paid_on="2026-03-05"
    )
    received = DocumentEvent.objects.for_company(invoice.company).get(
        document=invoice, kind="payment_received"
    )

    with translation.override("en"):  # an earlier request may have left French
        assert event_sentence(received) == (
            "Payment of €120.00 received, recorded by hand"
        )
        assert event_sentence(declared) == (
            "Bank transfer of Mar 5, 2026 declared by Café des Arts"
        )


def test_every_event_kind_reads_as_words():
    invoice = DocumentFactory(finalised=True)
    for kind in DocumentEvent.Kind.values:
        event = DocumentEvent(
            document=invoice, kind=kind, at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
        )
        assert "{" not in event_sentence(event) and event_sentence(event), kind

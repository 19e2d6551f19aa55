"""Remind now in the back office: from the invoice's page, the invoices list
and the client's page, with the history of reminders sent."""

import pytest

from documents.models import ClientEmail
from payments.services import payment_record
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/documents/invoice/"


def action_url(document, name="remind_now"):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def client_url(client, what="change"):
    return f"/admin/clients/client/{client.pk}/{what}/"


def reminders(company):
    return list(
        ClientEmail.objects.for_company(company)
        .filter(kind="reminder")
        .order_by("pk")
        .values_list("document_id", "requested_by_id")
    )


def test_the_invoice_page_offers_remind_now_and_it_queues_a_reminder(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    user = sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)

    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(invoice))

    offered = [action.name for action, _url in page.context["document_actions"]]
    assert "remind_now" in offered
    assert messages_of(response) == [
        "INV-2026-0001: a reminder is being sent to the client."
    ]
    assert reminders(company) == [(invoice.pk, user.pk)]
    assert [m.subject for m in mailoutbox] == [
        f"Reminder: invoice INV-2026-0001 from {company.name}"
    ]


def test_remind_now_is_not_offered_on_a_paid_invoice_and_is_refused_there(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=invoice, amount=invoice.total, method="transfer", actor=None, now=NOW
    )

    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/")
    response = client.post(action_url(invoice))

    offered = [action.name for action, _url in page.context["document_actions"]]
    assert "remind_now" not in offered
    assert messages_of(response) == [
        "INV-2026-0001: not waiting for a payment: no reminder to send."
    ]
    assert reminders(company) == []


def test_remind_now_in_bulk_from_the_invoices_list(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    first = DocumentFactory(client__company=company, finalised=True)
    second = DocumentFactory(client__company=company, finalised=True)
    draft = DocumentFactory(client__company=company)

    response = client.post(
        LIST_URL,
        {
            "action": "remind_now",
            "index": "0",
            "_selected_action": [first.pk, second.pk, draft.pk],
        },
    )

    assert response.status_code == 302
    assert reminders(company) == [(first.pk, user.pk), (second.pk, user.pk)]
    assert f"{draft}: not waiting for a payment: no reminder to send." in (
        messages_of(response)
    )


def test_reporting_may_not_remind(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    invoice = DocumentFactory(client__company=company, finalised=True)

    by_page = client.post(action_url(invoice))
    by_client = client.post(client_url(invoice.client, "remind"))

    assert (by_page.status_code, by_client.status_code) == (403, 403)
    assert reminders(company) == []


def test_the_client_page_reminds_every_invoice_to_pay_and_lists_the_history(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    customer = ClientFactory(company=company)
    first = DocumentFactory(client=customer, finalised=True)
    second = DocumentFactory(client=customer, finalised=True)

    before = client.get(client_url(customer))
    response = client.post(client_url(customer, "remind"))
    after = client.get(client_url(customer))

    assert 'id="client-remind-now"' in before.content.decode()
    assert "No reminder sent yet." in before.content.decode()
    assert response.url == client_url(customer)
    assert messages_of(response) == [
        f"Reminders of {first}, {second} are being sent to {customer.name}."
    ]
    assert reminders(company) == [(first.pk, user.pk), (second.pk, user.pk)]
    history = after.context["client_reminders"]["history"]
    assert [email.document_id for email in history] == [second.pk, first.pk]
    assert 'id="client-reminder-history"' in after.content.decode()


def test_the_client_page_offers_no_remind_now_when_nothing_is_owed(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    page = client.get(client_url(customer))
    response = client.post(client_url(customer, "remind"))

    assert 'id="client-remind-now"' not in page.content.decode()
    assert messages_of(response) == [
        f"{customer.name} has no invoice to pay: no reminder to send."
    ]
    assert reminders(company) == []


def test_remind_now_for_another_company_s_client_or_invoice_is_404(client):
    sign_in(client, CompanyFactory())
    other = DocumentFactory(finalised=True)

    by_page = client.post(action_url(other))
    by_client = client.post(client_url(other.client, "remind"))

    assert (by_page.status_code, by_client.status_code) == (404, 404)
    assert reminders(other.company) == []

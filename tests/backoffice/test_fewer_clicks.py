"""Fewer clicks in the back office: Finalise and send, Duplicate, what
finalising needs on the draft's page, and "send again?"."""

import pytest

from clients.models import Client
from documents import services
from documents.models import ClientEmail, Document
from mail import services as mail_services
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def action_url(document, name):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def change_url(document):
    page = "quote" if document.kind == "quote" else "invoice"
    return f"/admin/documents/{page}/{document.pk}/change/"


def offered(page):
    return [action.name for action, _url in page.context["document_actions"]]


def test_finalise_and_send_asks_first_then_does_both(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    draft = DocumentFactory(client__company=company)

    page = client.get(change_url(draft))
    confirm = client.get(action_url(draft, "finalise_and_send"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(draft, "finalise_and_send"))

    assert "finalise_and_send" in offered(page)
    text = confirm.content.decode()
    assert "It will be numbered INV-2026-0001" in text
    assert f"Version 1 will be e-mailed to {draft.client.email}" in text
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("to_pay", "INV-2026-0001")
    assert messages_of(response) == [
        "INV-2026-0001: finalised and being sent to the client."
    ]
    assert len(mailoutbox) == 1


def test_a_draft_page_says_what_finalising_needs_and_offers_no_finalise(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, siren="", country="FR")
    draft = DocumentFactory(client=customer)

    page = client.get(change_url(draft))

    assert "SIREN" in page.context["finalise_problems"][0]
    assert 'id="finalise-problems"' in page.content.decode()
    assert not {"finalise", "finalise_and_send"} & set(offered(page))
    # Once the SIREN is there, nothing is said and Finalise is offered.
    # unscoped: the client just made, by its key
    Client.objects.filter(pk=customer.pk).update(siren=ClientFactory().siren)
    page = client.get(change_url(draft))
    assert page.context["finalise_problems"] == []
    assert {"finalise", "finalise_and_send"} <= set(offered(page))


def test_duplicate_from_the_page_opens_the_new_draft(client):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)

    response = client.post(action_url(quote, "duplicate"))

    copy = (
        Document.objects.for_company(company).filter(status="draft").get(kind="quote")
    )
    assert response.url == change_url(copy)
    assert messages_of(response) == ["Q-2026-0001: duplicated as the new draft below."]


def test_sending_again_asks_with_the_date_of_the_last_send(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    email = mail_services.document_send(document=invoice, actor=None, now=NOW)
    mail_services.client_email_deliver(email_id=email.pk, now=NOW)

    confirm = client.get(action_url(invoice, "send"))

    items = confirm.context["items"][0]["consequences"]
    assert items[0].text == "Already sent on 2 Mar 2026: send it again?"
    assert ClientEmail.objects.for_company(company).count() == 1


def test_finalise_confirmation_lists_what_is_missing_as_refusals(client):
    company = CompanyFactory()
    sign_in(client, company)
    empty = DocumentFactory(client__company=company, lines=[])

    confirm = client.get(action_url(empty, "finalise"))
    response = client.post(action_url(empty, "finalise"))

    (item,) = confirm.context["items"]
    assert [(c.text, c.warning) for c in item["consequences"]] == [
        ("A document needs at least one line.", True)
    ]
    assert messages_of(response) == [
        "Draft Invoice: A document needs at least one line."
    ]
    empty.refresh_from_db()
    assert empty.status == "draft"
    assert services.finalise_problems(document=empty, now=NOW) == [
        "A document needs at least one line."
    ]

"""Sending from the back office: hidden documents, new versions, bulk."""

import pytest

from documents.models import ClientEmail
from mail import services as mail_services
from tests.backoffice import messages_of, sign_in
from tests.backoffice.test_documents import change_url, posted_back
from tests.factories import NOW, CompanyFactory, DocumentFactory
from tests.portal.helpers import hide

pytestmark = pytest.mark.django_db


def action_url(document, name):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def test_a_hidden_document_is_refused_and_show_and_send_is_offered(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    hide(document)

    refused = client.post(action_url(document, "send"))
    page = client.get(change_url(document))
    offered = [action.name for action, _url in page.context["document_actions"]]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(action_url(document, "show_and_send"))

    assert messages_of(refused) == [
        "INV-2026-0001: It is hidden from the client's portal. Show it in the "
        "portal first, then send it."
    ]
    assert "send" not in offered and "show_and_send" in offered
    assert messages_of(sent) == [
        "INV-2026-0001: shown in the portal and being sent to the client."
    ]
    document.refresh_from_db()
    assert document.hidden_from_portal is False
    assert [mail.to for mail in mailoutbox] == [[document.client.email]]


def test_show_and_send_without_an_address_shows_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(
        client__company=company, client__email="", finalised=True
    )
    hide(document)

    response = client.post(action_url(document, "show_and_send"))

    document.refresh_from_db()
    assert document.hidden_from_portal is True
    assert messages_of(response) == [
        f"INV-2026-0001: {document.client.name} has no e-mail address."
    ]
    assert ClientEmail.objects.for_company(company).count() == 0


def test_a_new_version_of_a_sent_document_offers_to_send_it_again(
    client, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    with django_capture_on_commit_callbacks(execute=True):
        mail_services.document_send(document=document, actor=None, now=NOW)
    page = client.get(change_url(document))

    saved = client.post(
        change_url(document),
        posted_back(page, **{"lines-0-description": "Revised"}),
    )
    page = client.get(change_url(document))

    assert (
        "INV-2026-0001 was sent before: send version 2 to the client with "
        "“Send again” on its page." in messages_of(saved)
    )
    notices = page.context["sending"]
    assert [notice.get("action") for notice in notices] == ["send"]
    assert "Version 2 has not been sent to the client yet" in notices[0]["text"]


def test_bulk_send_reports_each_document(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    first = DocumentFactory(client__company=company, finalised=True)
    second = DocumentFactory(client__company=company, finalised=True)
    hide(second)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/documents/invoice/",
            {
                "action": "send",
                "_selected_action": [first.pk, second.pk],
                "confirmed": "yes",  # as posted back from the confirmation page
            },
        )

    assert messages_of(response) == [
        "INV-2026-0001: being sent to the client (see its e-mails).",
        "INV-2026-0002: It is hidden from the client's portal. Show it in the "
        "portal first, then send it.",
    ]
    assert [mail.to for mail in mailoutbox] == [[first.client.email]]

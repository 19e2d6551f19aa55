"""Finalise, Send and Cancel ask first: the page (GET) says what will happen
and changes nothing; the confirmed POST does it, through the services."""

import pytest
from django.utils import timezone

from documents import services
from documents.models import ClientEmail, Document
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def action_url(document, name):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def consequences(response):
    return [
        [consequence.text for consequence in item["consequences"]]
        for item in response.context["items"]
    ]


def event_kinds(document):
    return list(document.events.order_by("pk").values_list("kind", flat=True))


def test_the_change_page_links_to_the_confirmation_pages(client):
    company = CompanyFactory()
    sign_in(client, company)
    draft = DocumentFactory(client__company=company)

    html = client.get(f"/admin/documents/invoice/{draft.pk}/change/").content.decode()

    assert (
        f'<a href="{action_url(draft, "finalise")}" class="document-action" '
        'id="document-action-finalise">Finalise</a>'
    ) in html


def test_finalise_says_which_number_it_will_give_and_changes_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    year = timezone.localdate().year
    DocumentFactory(client__company=company, finalised=True)  # takes 0001
    draft = DocumentFactory(client__company=company, client__name="Café des Arts")

    page = client.get(action_url(draft, "finalise"))

    assert page.status_code == 200
    assert consequences(page) == [
        [
            f"It will be numbered INV-{year}-0002, the next number of the year: "
            "numbers follow each other and are never reused.",
            "It is due on 1 Apr 2026.",
            "Café des Arts will see it in its portal at once.",
            "Nobody is e-mailed yet: send it afterwards with “Send to client”. "
            "A later change of its content becomes a new version.",
        ]
    ]
    html = page.content.decode()
    assert f'<form method="post" action="{action_url(draft, "finalise")}"' in html
    draft.refresh_from_db()
    assert (draft.status, draft.number, event_kinds(draft)) == (
        "draft",
        None,
        ["created"],
    )

    done = client.post(action_url(draft, "finalise"))

    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("to_pay", f"INV-{year}-0002")
    assert done["Location"] == f"/admin/documents/invoice/{draft.pk}/change/"


def test_send_says_to_whom_and_sends_only_when_confirmed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(
        company=company,
        email="compta@cafedesarts.example",
        extra_emails="direction@cafedesarts.example",
    )
    invoice = DocumentFactory(client=customer, finalised=True)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(action_url(invoice, "send"))

    assert consequences(page) == [
        [
            "Version 1 will be e-mailed to compta@cafedesarts.example, "
            "direction@cafedesarts.example, with its PDF and the link to the "
            "client's portal."
        ]
    ]
    assert mailoutbox == []
    assert not ClientEmail.objects.for_company(company).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url(invoice, "send"))

    assert ClientEmail.objects.for_company(company).get().recipients == [
        "compta@cafedesarts.example",
        "direction@cafedesarts.example",
    ]


def test_send_to_a_client_without_address_warns_before(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(
        client__company=company, client__email="", client__name="Bistro", finalised=True
    )

    page = client.get(action_url(invoice, "send"))

    assert consequences(page) == [
        [
            "Bistro has no e-mail address, so it cannot be sent: add one on the "
            "client's page."
        ]
    ]
    assert "Will be refused:" in page.content.decode()


def test_cancel_says_which_credit_note_will_annul_the_invoice(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    year = timezone.localdate().year

    page = client.get(action_url(invoice, "cancel"))

    assert consequences(page) == [
        [
            f"A credit note of €120.00, numbered CN-{year}-0001, will annul it; "
            "the invoice then reads Canceled.",
            "This cannot be undone.",
        ]
    ]
    invoice.refresh_from_db()
    assert invoice.status == "to_pay"
    assert not Document.objects.for_company(company).filter(kind="credit_note")

    client.post(action_url(invoice, "cancel"))

    invoice.refresh_from_db()
    assert invoice.status == "canceled"


def test_cancel_a_quote_says_the_client_can_no_longer_sign(client):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)

    page = client.get(action_url(quote, "cancel"))

    assert consequences(page)[0][0] == (
        "It will read Canceled, here and in the client's portal: the client can "
        "no longer accept or sign it."
    )
    assert page.context["back_url"] == f"/admin/documents/quote/{quote.pk}/change/"


def test_bulk_finalise_asks_first_with_each_number_then_does_it(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    first, second = DocumentFactory(client=customer), DocumentFactory(client=customer)
    year = timezone.localdate().year
    selection = {
        "action": "finalise",
        "index": "0",
        "_selected_action": [first.pk, second.pk],
    }

    page = client.post("/admin/documents/invoice/", selection)

    assert page.status_code == 200
    assert [texts[0].split(",")[0] for texts in consequences(page)] == [
        f"It will be numbered INV-{year}-0001",
        f"It will be numbered INV-{year}-0002",
    ]
    html = page.content.decode()
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    ours = Document.objects.for_company(company)
    assert set(ours.values_list("status", flat=True)) == {"draft"}

    done = client.post("/admin/documents/invoice/", {**selection, "confirmed": "yes"})

    assert set(ours.values_list("number", flat=True)) == {
        f"INV-{year}-0001",
        f"INV-{year}-0002",
    }
    assert messages_of(done) == [
        f"INV-{year}-0001: finalised.",
        f"INV-{year}-0002: finalised.",
    ]


def test_a_selection_says_which_documents_the_action_does_not_apply_to(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    draft = DocumentFactory(client=customer)
    final = DocumentFactory(client=customer, finalised=True)
    year = timezone.localdate().year

    page = client.post(
        "/admin/documents/invoice/",
        {"action": "cancel", "index": "0", "_selected_action": [draft.pk, final.pk]},
    )

    assert consequences(page) == [
        ["“Cancel” does not apply to it (draft): it stays as it is."],
        [
            f"A credit note of €120.00, numbered CN-{year}-0001, will annul it; "
            "the invoice then reads Canceled.",
            "This cannot be undone.",
        ],
    ]


def test_reporting_and_managers_get_no_confirmation_page(client):
    company = CompanyFactory()
    document = DocumentFactory(client__company=company)
    sign_in(client, company, role="reporting")
    assert client.get(action_url(document, "finalise")).status_code == 403
    sign_in(client, company, role="manager")
    assert client.get(action_url(document, "finalise")).status_code == 403


def test_another_company_s_confirmation_page_is_not_found(client):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory()

    assert client.get(action_url(theirs, "finalise")).status_code == 404


def test_a_shown_and_sent_hidden_document_says_both(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(
        client__company=company, client__name="Bistro", finalised=True
    )
    services.document_hide(document=invoice, actor=None, now=NOW)

    page = client.get(action_url(invoice, "show_and_send"))

    assert consequences(page)[0][0] == "It will be shown in Bistro's portal."

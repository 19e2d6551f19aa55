"""A client's back-office page: its documents, what it owes, the buttons that
start a document or open its portal; archiving; likely duplicates; companies
without the add-on."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from clients.models import Client
from companies.models import AuditEvent
from tests.backoffice import messages_of, sign_in
from tests.factories import ClientFactory, CompanyFactory, DocumentFactory
from tests.portal.helpers import invoice, quote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    """The day the helpers' invoices are open but not yet due."""
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        yield


CLIENT_POST = {
    "name": "Maison Martin",
    "email": "compta@martin.example",
    "address": "8 rue Royale\n69001 Lyon",
    "country": "FR",
    "is_business": "on",
    "siren": "",
    "locale": "fr",
}


def page_of(client, customer, **headers):
    return client.get(f"/admin/clients/client/{customer.pk}/change/", **headers)


def content_of(response) -> str:
    """The page's own content, without the site's header and footer."""
    html = response.content.decode()
    return html[html.index('<div id="content"') : html.index("<footer")]


def add_url(kind, customer) -> str:
    return reverse(f"admin:documents_{kind}_add") + f"?client={customer.pk}"


# Documents and what the client owes.


def test_the_page_lists_every_document_with_status_and_amount_due(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    draft = DocumentFactory(
        client=customer, kind="quote", issue_date=dt.date(2026, 3, 5)
    )
    part_paid = invoice(customer, status="partially_paid")
    sent_quote = quote(customer, issue_date=dt.date(2026, 3, 2))
    ClientFactory(company=company)  # another client's documents are not listed
    invoice(ClientFactory(company=company))

    response = page_of(client, customer)

    rows = response.context["client_summary"]["documents"]
    assert [(row["id"], row["status"], row["amount_due"]) for row in rows] == [
        (draft.pk, "draft", ""),
        (sent_quote.pk, "pending", ""),
        (part_paid.pk, "partially_paid", "€110.00"),
    ]
    html = content_of(response)
    for document in (draft, part_paid, sent_quote):
        link = reverse("admin:documents_document_change", args=[document.pk])
        assert f'<a href="{link}">' in html
    assert "Partially paid" in html


def test_the_total_owed_per_currency_in_the_member_s_language(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    invoice(  # overdue: 120.00 EUR
        customer, issue_date=dt.date(2000, 1, 1), due_date=dt.date(2000, 1, 2)
    )
    invoice(customer, status="partially_paid")  # 110.00 EUR left
    invoice(customer, currency="USD")
    invoice(customer, status="paid")  # owes nothing more
    invoice(customer, status="processing")  # paid by a debit not yet confirmed

    english = page_of(client, customer)
    french = page_of(client, customer, HTTP_ACCEPT_LANGUAGE="fr")

    assert [
        (row["currency"], row["owed"], row["overdue"], row["processing"])
        for row in english.context["client_summary"]["balance"]
    ] == [("EUR", "€230.00", "€120.00", "€120.00"), ("USD", "US$120.00", "", "")]
    assert [row["owed"] for row in french.context["client_summary"]["balance"]] == [
        "230,00\xa0€",
        "120,00\xa0$US",
    ]


def test_a_client_that_owes_nothing_says_so(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    html = content_of(page_of(client, customer))

    assert "Owes nothing: no invoice is waiting for a payment." in html
    assert "No document yet." in html


def test_new_invoice_and_new_quote_start_with_the_client(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    html = content_of(page_of(client, customer))

    assert f'href="{add_url("invoice", customer)}" id="new-invoice"' in html
    assert f'href="{add_url("quote", customer)}" id="new-quote"' in html


def test_reporting_gets_no_new_document_nor_archive_button(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company)

    html = content_of(page_of(client, customer))

    assert 'id="new-invoice"' not in html
    assert 'id="client-archive"' not in html
    assert 'id="open-portal"' in html  # looking is theirs too


def test_open_portal_is_the_link_on_this_host_in_a_new_tab(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    html = content_of(page_of(client, customer))

    # On the back office's host, where the member's session makes it a preview.
    assert (
        f'<a href="/p/{customer.portal_token}/" id="open-portal" target="_blank"'
        in html
    )


def test_no_open_portal_for_a_disabled_link(client):
    from clients.services import client_portal_disable
    from tests.factories import NOW

    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    client_portal_disable(client=customer, actor=None, now=NOW)

    html = content_of(page_of(client, customer))

    assert 'id="open-portal"' not in html
    assert 'id="portal-link-disabled"' in html


# Archiving.


def test_archive_hides_the_client_from_the_list_but_a_filter_shows_it(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    kept = ClientFactory(company=company, name="Kept")
    gone = ClientFactory(company=company, name="Gone")
    DocumentFactory(client=gone)

    response = client.post(f"/admin/clients/client/{gone.pk}/archive/")

    gone.refresh_from_db()
    assert response["Location"] == f"/admin/clients/client/{gone.pk}/change/"
    assert messages_of(response) == [
        "Gone is archived: it no longer appears in lists and pickers. Its portal "
        "link still works."
    ]
    assert gone.archived_at is not None
    event = AuditEvent.objects.for_company(company).get()
    assert (event.kind, event.subject_id, event.actor, event.details) == (
        "client_archived",
        gone.pk,
        user,
        {"open_invoices": 0},
    )

    def names(**query):
        response = client.get("/admin/clients/client/", query)
        return [row.name for row in response.context["cl"].result_list]

    assert names() == ["Kept"]
    assert names(archived="yes") == ["Gone"]
    assert names(archived="all") == ["Gone", "Kept"]
    assert kept.archived_at is None
    # Its page still opens, saying so, and its portal link still works.
    page = content_of(page_of(client, gone))
    assert 'id="client-archived"' in page
    assert 'id="new-invoice"' not in page
    assert client.get(f"/p/{gone.portal_token}/").status_code == 200


def test_archived_clients_are_not_offered_in_pickers(client):
    company = CompanyFactory()
    sign_in(client, company)
    kept = ClientFactory(company=company, name="Kept")
    gone = ClientFactory(company=company, name="Gone")
    client.post(f"/admin/clients/client/{gone.pk}/archive/")

    autocomplete = client.get(
        "/admin/autocomplete/",
        {"app_label": "documents", "model_name": "invoice", "field_name": "client"},
    )
    form = client.get("/admin/documents/invoice/add/").context["adminform"].form

    assert autocomplete.json()["results"] == [{"id": str(kept.pk), "text": "Kept"}]
    assert list(form.fields["client"].queryset) == [kept]


def test_a_draft_keeps_its_archived_client_in_its_picker(client):
    company = CompanyFactory()
    sign_in(client, company)
    gone = ClientFactory(company=company, name="Gone")
    draft = DocumentFactory(client=gone)
    client.post(f"/admin/clients/client/{gone.pk}/archive/")

    page = client.get(f"/admin/documents/document/{draft.pk}/change/", follow=True)

    assert gone in page.context["adminform"].form.fields["client"].queryset


def test_archiving_a_client_with_an_open_payment_is_allowed_and_says_so(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Debtor")
    invoice(customer)  # unpaid
    invoice(customer, status="processing")  # a bank debit on its way
    invoice(customer, status="paid")

    response = client.post(f"/admin/clients/client/{customer.pk}/archive/")

    customer.refresh_from_db()
    assert customer.archived_at is not None
    assert messages_of(response) == [
        "Debtor is archived: it no longer appears in lists and pickers. 2 of its "
        "invoices still expect a payment (unpaid, or a bank debit still "
        "processing): they stay open. Its portal link keeps working, so the "
        "client can still pay."
    ]
    event = AuditEvent.objects.for_company(company).get()
    assert event.details == {"open_invoices": 2}


def test_restore_brings_the_client_back(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Back")
    client.post(f"/admin/clients/client/{customer.pk}/archive/")

    response = client.post(f"/admin/clients/client/{customer.pk}/restore/")

    customer.refresh_from_db()
    assert customer.archived_at is None
    assert messages_of(response)[-1] == "Back is back in lists and pickers."
    assert list(
        AuditEvent.objects.for_company(company)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["client_archived", "client_restored"]


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_archive_and_restore_refuse_bad_requests(client, action):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    mine = ClientFactory(company=company)
    theirs = ClientFactory()
    owner_client = client.__class__()
    sign_in(owner_client, company)

    as_reporting = client.post(f"/admin/clients/client/{mine.pk}/{action}/")
    by_get = owner_client.get(f"/admin/clients/client/{mine.pk}/{action}/")
    other_company = owner_client.post(f"/admin/clients/client/{theirs.pk}/{action}/")
    missing = owner_client.post(f"/admin/clients/client/999999/{action}/")

    assert [
        as_reporting.status_code,
        by_get.status_code,
        other_company.status_code,
        missing.status_code,
    ] == [403, 405, 404, 404]
    assert not Client.objects.filter(archived_at__isnull=False).exists()
    assert not AuditEvent.objects.exists()


# Likely duplicates.


def test_a_client_with_the_same_email_is_flagged_with_a_link(client):
    company = CompanyFactory()
    sign_in(client, company)
    first = ClientFactory(
        company=company, name="Martin SA", email="Compta@Martin.example"
    )

    response = client.post("/admin/clients/client/add/", CLIENT_POST)

    assert response.status_code == 302
    assert Client.objects.for_company(company).count() == 2  # flagged, not refused
    warning = messages_of(response)[-1]
    assert warning == (
        "This client may already exist: "
        f'<a href="/admin/clients/client/{first.pk}/change/">Martin SA</a> '
        "(same e-mail address) — if it is the same, keep one and archive the other."
    )


def test_a_client_with_the_same_name_whatever_its_case_is_flagged(client):
    company = CompanyFactory()
    sign_in(client, company)
    first = ClientFactory(company=company, name="MAISON MARTIN", email="")
    client.post(f"/admin/clients/client/{first.pk}/archive/")
    second = ClientFactory(company=company, name="Other", email="")

    response = client.post(f"/admin/clients/client/{second.pk}/change/", CLIENT_POST)

    assert messages_of(response)[-1] == (
        "This client may already exist: "
        f'<a href="/admin/clients/client/{first.pk}/change/">MAISON MARTIN</a> '
        "(same name, archived) — if it is the same, keep one and archive the other."
    )


def test_no_flag_for_itself_nor_another_company_s_client(client):
    company = CompanyFactory()
    sign_in(client, company)
    ClientFactory(name="Maison Martin", email="compta@martin.example")
    customer = ClientFactory(company=company, name="Maison Martin", email="")

    response = client.post(f"/admin/clients/client/{customer.pk}/change/", CLIENT_POST)

    assert len(messages_of(response)) == 1  # the change was saved, nothing else
    assert "may already exist" not in messages_of(response)[0]


# Companies without the add-on.


def test_without_the_add_on_the_client_pages_say_nothing_of_a_portal(client):
    company = CompanyFactory(has_receivables_addon=False)
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Plain")
    invoice(customer, status="partially_paid")

    changelist = client.get("/admin/clients/client/")
    page = page_of(client, customer)
    archived = client.post(f"/admin/clients/client/{customer.pk}/archive/")
    archived_page = page_of(client, customer)
    preview = client.get(f"/p/{customer.portal_token}/")

    for html in (content_of(changelist), content_of(page), content_of(archived_page)):
        assert not re.search("portal", html, re.IGNORECASE), html
    assert messages_of(archived) == [
        "Plain is archived: it no longer appears in lists and pickers. One of its "
        "invoices still expects a payment (unpaid, or a bank debit still "
        "processing): it stays open."
    ]
    assert preview.status_code == 404


def test_another_company_s_client_page_and_its_sections_are_not_found(client):
    sign_in(client, CompanyFactory())
    theirs = ClientFactory()
    invoice(theirs)

    response = page_of(client, theirs)

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert "client_summary" not in (response.context or {})

"""The back office's client pages: scope, roles, the Client Portal section."""

import pytest

from clients.models import Client
from companies.models import AuditEvent
from tests.backoffice import messages_of, sign_in
from tests.factories import (
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
)

pytestmark = pytest.mark.django_db

PORTAL_BASE_URL = "https://portal.example.com"
CLIENT_POST = {
    "name": "Maison Martin",
    "email": "compta@martin.example",
    "address": "8 rue Royale\n69001 Lyon",
    "vat_number": "FR20222333444",
    "locale": "fr",
}


@pytest.fixture(autouse=True)
def _portal_base_url(settings):
    settings.PORTAL_BASE_URL = PORTAL_BASE_URL


def listed_names(response):
    return [customer.name for customer in response.context["cl"].result_list]


def portal_link(customer):
    return f"{PORTAL_BASE_URL}/p/{customer.portal_token}/"


# The list.


def test_list_shows_only_the_company_s_clients_with_document_counts(client):
    company = CompanyFactory()
    sign_in(client, company)
    busy = ClientFactory(company=company, name="Busy")
    ClientFactory(company=company, name="Quiet")
    ClientFactory(name="Someone else's")
    DocumentFactory(client=busy)
    DocumentFactory(client=busy, finalised=True)

    response = client.get("/admin/clients/client/")

    rows = {
        customer.name: customer.document_count
        for customer in response.context["cl"].result_list
    }
    assert rows == {"Busy": 2, "Quiet": 0}


def test_the_portal_token_never_appears_in_the_list(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.get("/admin/clients/client/")

    assert customer.portal_token not in response.content.decode()


def test_searching_by_portal_token_finds_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.get("/admin/clients/client/", {"q": customer.portal_token})

    assert listed_names(response) == []


def test_search_by_name_and_email_stays_in_the_company(client):
    company = CompanyFactory()
    sign_in(client, company)
    ClientFactory(company=company, name="Martin Frères", email="a@martin.example")
    ClientFactory(company=company, name="Durand", email="compta@martin.example")
    ClientFactory(name="Martin Other Company", email="b@martin.example")

    by_name = client.get("/admin/clients/client/", {"q": "Martin Fr"})
    by_email = client.get("/admin/clients/client/", {"q": "martin.example"})

    assert listed_names(by_name) == ["Martin Frères"]
    assert listed_names(by_email) == ["Durand", "Martin Frères"]


def test_another_company_s_client_page_does_not_exist(client):
    sign_in(client, CompanyFactory())
    theirs = ClientFactory(name="Theirs")

    response = client.get(f"/admin/clients/client/{theirs.pk}/change/")

    assert (response.status_code, response.url) == (302, "/admin/")
    assert messages_of(response) == [
        f"client with ID “{theirs.pk}” doesn’t exist. Perhaps it was deleted?"
    ]


def test_posting_to_another_company_s_client_changes_nothing(client):
    sign_in(client, CompanyFactory())
    theirs = ClientFactory(name="Theirs")

    client.post(f"/admin/clients/client/{theirs.pk}/change/", CLIENT_POST)

    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_autocomplete_offers_only_the_company_s_clients(client):
    company = CompanyFactory()
    sign_in(client, company)
    mine = ClientFactory(company=company, name="Mine")
    ClientFactory(name="Theirs")

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "documents", "model_name": "document", "field_name": "client"},
    )

    assert response.json()["results"] == [{"id": str(mine.pk), "text": "Mine"}]


# Add and change, through the services.


def test_add_creates_a_client_of_the_active_company_with_its_own_link(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post("/admin/clients/client/add/", CLIENT_POST)

    customer = Client.objects.for_company(company).get()
    assert response.status_code == 302
    assert (customer.name, customer.email, customer.locale) == (
        "Maison Martin",
        "compta@martin.example",
        "fr",
    )
    assert len(customer.portal_token) == 43  # token_urlsafe(32)


def test_change_updates_details_and_keeps_the_link(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Old name")
    token = customer.portal_token

    response = client.post(f"/admin/clients/client/{customer.pk}/change/", CLIENT_POST)

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.portal_token, customer.portal_revision) == (
        "Maison Martin",
        token,
        1,
    )


def test_save_as_new_is_gone_and_a_hand_made_one_copies_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    original = ClientFactory(company=company, name="Original")

    page = client.get(f"/admin/clients/client/{original.pk}/change/")
    response = client.post(
        f"/admin/clients/client/{original.pk}/change/",
        {**CLIENT_POST, "name": "Renamed", "_saveasnew": "Save as new"},
    )

    assert 'name="_saveasnew"' not in page.content.decode()
    assert response.status_code == 302
    assert list(Client.objects.for_company(company).values_list("pk", "name")) == [
        (original.pk, "Renamed")
    ]


def test_an_empty_name_is_a_form_error(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post("/admin/clients/client/add/", {**CLIENT_POST, "name": " "})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": ["This field is required."]
    }
    assert not Client.objects.for_company(company).exists()


def test_a_client_with_documents_is_not_deleted_and_the_page_says_why(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Kept")
    DocumentFactory(client=customer)

    page = client.get(f"/admin/clients/client/{customer.pk}/change/")
    response = client.post(
        f"/admin/clients/client/{customer.pk}/delete/", {"post": "yes"}
    )

    assert f"/admin/clients/client/{customer.pk}/delete/" not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/clients/client/{customer.pk}/change/"
    assert messages_of(response) == [
        "Kept has documents, so it cannot be deleted: archive it instead. It "
        "leaves the lists; its documents stay as they are."
    ]
    assert Client.objects.filter(pk=customer.pk).exists()
    assert not AuditEvent.objects.for_company(company).exists()


def test_a_client_without_documents_is_deleted_and_the_deletion_recorded(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    customer = ClientFactory(company=company, name="Mistake")

    response = client.post(
        f"/admin/clients/client/{customer.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Client.objects.filter(pk=customer.pk).exists()
    event = AuditEvent.objects.for_company(company).get()
    assert (event.kind, event.subject_id, event.subject_name, event.actor) == (
        "client_deleted",
        customer.pk,
        "Mistake",
        user,
    )


def test_reporting_deletes_no_client(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company)

    response = client.post(
        f"/admin/clients/client/{customer.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert Client.objects.filter(pk=customer.pk).exists()


def test_the_list_offers_no_bulk_delete(client):
    company = CompanyFactory()
    sign_in(client, company)
    ClientFactory(company=company)

    response = client.get("/admin/clients/client/")

    assert "delete_selected" not in response.content.decode()


# Roles.


def test_reporting_sees_clients_and_changes_nothing(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company, name="Kept")

    changelist = client.get("/admin/clients/client/")
    page = client.get(f"/admin/clients/client/{customer.pk}/change/")
    add = client.post("/admin/clients/client/add/", CLIENT_POST)
    change = client.post(f"/admin/clients/client/{customer.pk}/change/", CLIENT_POST)

    assert listed_names(changelist) == ["Kept"]
    assert changelist.context["action_form"] is None
    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert (add.status_code, change.status_code) == (403, 403)
    assert list(Client.objects.for_company(company).values_list("name", flat=True)) == [
        "Kept"
    ]


def test_manager_gets_403_on_every_client_page(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    customer = ClientFactory(company=company, name="Kept")
    token = customer.portal_token
    rotate = f"/admin/clients/client/{customer.pk}/portal-link/rotate/"

    responses = [
        client.get("/admin/clients/client/"),
        client.get("/admin/clients/client/add/"),
        client.get(f"/admin/clients/client/{customer.pk}/change/"),
        client.get(f"/admin/clients/client/{customer.pk}/history/"),
        client.post(f"/admin/clients/client/{customer.pk}/change/", CLIENT_POST),
        client.get(rotate),
        client.post(rotate),
    ]

    assert [response.status_code for response in responses] == [403] * 7
    customer.refresh_from_db()
    assert (customer.name, customer.portal_token) == ("Kept", token)


# The Client Portal section.


def test_client_portal_section_shows_the_full_link_and_a_copy_button(client):
    company = CompanyFactory(has_receivables_addon=True)
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.get(f"/admin/clients/client/{customer.pk}/change/")

    html = response.content.decode()
    assert "Client Portal</h2>" in html
    assert f'value="{portal_link(customer)}" readonly' in html
    assert 'data-copy-from="client-portal-link"' in html
    assert '<script src="/static/admin_extra/copy_link.js"></script>' in html
    assert f'href="/admin/clients/client/{customer.pk}/portal-link/rotate/"' in html


def test_client_portal_section_is_absent_without_the_add_on(client):
    company = CompanyFactory(has_receivables_addon=False)
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.get(f"/admin/clients/client/{customer.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Client Portal</h2>" not in html
    assert customer.portal_token not in html
    # Not even in the back office's header, which names the product elsewhere.
    assert "portal" not in html.lower().replace("/static/", "")


def test_with_the_add_on_the_header_names_the_product(client):
    sign_in(client, CompanyFactory(has_receivables_addon=True))

    html = client.get("/admin/clients/client/").content.decode()

    assert "Client Portal — back office" in html


def test_reporting_sees_the_link_but_no_rotate_button(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company)

    response = client.get(f"/admin/clients/client/{customer.pk}/change/")

    html = response.content.decode()
    assert portal_link(customer) in html
    assert "portal-link/rotate/" not in html


def test_the_link_is_not_on_the_add_page(client):
    sign_in(client, CompanyFactory())

    response = client.get("/admin/clients/client/add/")

    assert "Client Portal</h2>" not in response.content.decode()


def test_rotate_asks_for_confirmation_first(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Maison Martin")
    token = customer.portal_token

    response = client.get(f"/admin/clients/client/{customer.pk}/portal-link/rotate/")

    assert response.status_code == 200
    assert "Maison Martin will get a new portal link." in response.content.decode()
    customer.refresh_from_db()
    assert customer.portal_token == token


def test_rotate_kills_the_old_link_at_once(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Maison Martin")
    old_token = customer.portal_token

    response = client.post(f"/admin/clients/client/{customer.pk}/portal-link/rotate/")

    customer.refresh_from_db()
    assert (response.status_code, response.url) == (
        302,
        f"/admin/clients/client/{customer.pk}/change/",
    )
    assert messages_of(response) == [
        "Maison Martin has a new portal link; the old one no longer works. "
        "Copy the new link below."
    ]
    assert customer.portal_token != old_token
    assert client.get(f"/p/{old_token}/").status_code == 404
    page = client.get(f"/admin/clients/client/{customer.pk}/change/")
    assert portal_link(customer) in page.content.decode()


def test_rotate_refuses_reporting(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company)
    token = customer.portal_token

    response = client.post(f"/admin/clients/client/{customer.pk}/portal-link/rotate/")

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.portal_token == token


def test_rotate_of_another_company_s_client_is_not_found(client):
    sign_in(client, CompanyFactory())
    theirs = ClientFactory()
    token = theirs.portal_token

    response = client.post(f"/admin/clients/client/{theirs.pk}/portal-link/rotate/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.portal_token == token


def test_rotate_without_the_add_on_is_not_found(client):
    company = CompanyFactory(has_receivables_addon=False)
    sign_in(client, company)
    customer = ClientFactory(company=company)
    token = customer.portal_token

    response = client.post(f"/admin/clients/client/{customer.pk}/portal-link/rotate/")

    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.portal_token == token

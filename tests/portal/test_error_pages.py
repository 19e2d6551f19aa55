"""Inside a link that opens a portal, its errors are told on the portal's own
page, branded, in the client's language, with a way back to the tabs; a link
that opens nothing keeps the one page that names nothing."""

import pytest
from django.urls import reverse

from branding.services import brand_kit_save
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def french():
    customer = ClientFactory(locale="fr")
    brand_kit_save(
        company=customer.company,
        actor=None,
        now=NOW,
        display_name="Atelier Dupont",
        primary_colour="#1F3A5F",
        accent_colour="#E07A1F",
        logo=None,
    )
    return customer


def _branded(response, customer) -> str:
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert 'id="brand-name">Atelier Dupont<' in html
    assert f'href="{url("invoices", customer)}" id="error-back-invoices"' in html
    assert f'href="{url("quotes", customer)}" id="error-back-quotes"' in html
    return html


def test_a_missing_document_is_the_portals_404_in_the_clients_language(client, french):
    response = client.get(url("document", french, document_id=10**9))

    assert response.status_code == 404
    html = _branded(response, french)
    assert "Page introuvable" in html
    assert "This link does not open a portal" not in html


def test_a_missing_version_is_the_same_branded_404(client, french):
    own = invoice(french)
    missing = client.get(url("document", french, document_id=10**9))

    response = client.get(url("document_version", french, document_id=own.pk, number=9))

    assert response.status_code == 404
    assert _branded(response, french)
    assert 'id="error-page" data-status="404"' in response.content.decode()
    assert 'id="error-page" data-status="404"' in missing.content.decode()


def test_a_link_that_opens_nothing_still_names_nothing(client, french):
    response = client.get(f"/p/{'x' * 43}/documents/1/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "This link does not open a portal" in html
    assert "Atelier Dupont" not in html


def test_a_method_a_page_does_not_take_is_a_branded_405(client, french):
    response = client.get(url("invoices_pay", french))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = _branded(response, french)
    assert "Cette demande n’a pas pu être traitée" in html


def test_a_bad_request_is_a_branded_400(client, french):
    response = client.post(url("language", french), {"language": "klingon"})

    assert response.status_code == 400
    html = _branded(response, french)
    assert "Bad Request" not in html
    assert "Unknown language." not in html


def test_a_pdf_being_prepared_is_told_on_the_portals_page(client, french):
    waiting = DocumentFactory(client=french, finalised=True)  # no worker ran

    response = client.get(
        url("document_version_pdf", french, document_id=waiting.pk, number=1),
        HTTP_ACCEPT="text/html",
    )

    assert response.status_code == 503
    assert response["Refresh"] == "5"
    assert response["Retry-After"] == "5"
    html = _branded(response, french)
    assert "Votre PDF est en préparation" in html


def test_a_script_asking_for_a_pdf_being_prepared_gets_the_bare_503(client, french):
    waiting = DocumentFactory(client=french, finalised=True)

    response = client.get(
        url("document_version_pdf", french, document_id=waiting.pk, number=1)
    )

    assert response.status_code == 503
    assert "Atelier Dupont" not in response.content.decode()


def test_a_form_error_page_keeps_its_own_400(client, french):
    response = client.get(url("statement", french), {"start": "nonsense"})

    assert response.status_code == 400
    assert 'id="start-error"' in response.content.decode()
    assert 'id="error-page"' not in response.content.decode()


def test_the_language_switch_of_an_error_page_leads_back_to_the_tabs(client, french):
    response = client.get(
        reverse(
            "portal:document",
            kwargs={"token": french.portal_token, "document_id": 10**9},
        )
    )

    assert f'name="next" value="{url("invoices", french)}"' in response.content.decode()


def test_an_error_page_sends_no_beacon(client, french):
    response = client.get(url("document", french, document_id=10**9))

    html = response.content.decode()
    assert "beacon.js" not in html
    assert "data-beacon-url" not in html

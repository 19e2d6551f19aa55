"""The back office speaks the member's language, with its dates and amounts."""

import datetime as dt

import pytest

from companies.middleware import back_office_language
from tests.backoffice import sign_in
from tests.factories import ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

INVOICES = "/admin/documents/invoice/"


def invoices_page(client, company, language, **headers):
    customer = ClientFactory(company=company, name="Café des Arts")
    DocumentFactory(client=customer, finalised=True, due_date=dt.date(2026, 3, 5))
    user = sign_in(client, company)
    user.language = language
    user.save(update_fields=["language"])
    response = client.get(INVOICES, **headers)
    assert response.status_code == 200
    return response


def test_a_french_member_sees_french_whatever_the_browser_says(client):
    company = CompanyFactory(default_locale="en", country="GB")

    response = invoices_page(client, company, "fr", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in page
    assert "Factures" in page
    assert "5 mars 2026" in page


def test_an_english_member_of_a_french_company_sees_english(client):
    company = CompanyFactory(default_locale="fr", country="FR")

    response = invoices_page(client, company, "en", HTTP_ACCEPT_LANGUAGE="fr")

    page = response.content.decode()
    assert response["Content-Language"] == "en-gb"
    assert "Invoices" in page
    assert "Factures" not in page
    # Day first, as English is written in Europe: never the US "Mar 5, 2026".
    assert "5 Mar 2026" in page
    assert "Mar 5, 2026" not in page


def test_english_dates_of_a_british_and_an_american_company(client):
    british = invoices_page(client, CompanyFactory(country="GB"), "en")
    assert "5 Mar 2026" in british.content.decode()

    american = invoices_page(client, CompanyFactory(country="US"), "en")
    assert "Mar 5, 2026" in american.content.decode()


def test_no_choice_follows_the_browser(client):
    company = CompanyFactory(country="FR")

    page = invoices_page(client, company, "", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Factures" in page.content.decode()


def test_the_member_chooses_on_the_profile(client):
    user = sign_in(client, CompanyFactory(country="FR"))

    response = client.post("/admin/profile/", {"language": "fr"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "fr"
    assert "Votre profil" in client.get("/admin/profile/").content.decode()
    # An unknown language is a form error, never stored.
    refused = client.post("/admin/profile/", {"language": "de"})
    assert refused.status_code == 200
    user.refresh_from_db()
    assert user.language == "fr"


def test_the_language_rule():
    assert back_office_language(chosen="", browser="fr", company=None) == "fr"
    assert back_office_language(chosen="en", browser="fr", company=None) == "en-gb"
    american = CompanyFactory.build(country="US")
    assert back_office_language(chosen="", browser="en", company=american) == "en"

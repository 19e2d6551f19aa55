"""Payment terms in the company's and the client's back-office forms."""

import pytest

from clients.models import Client
from tests.backoffice import sign_in
from tests.companies.test_admin import SETTINGS_POST
from tests.factories import ClientFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def test_the_company_form_shows_and_saves_its_payment_terms(client):
    company = CompanyFactory()
    sign_in(client, company)
    url = f"/admin/companies/company/{company.pk}/change/"

    page = client.get(url).content.decode()
    assert "Payment terms" in page and 'name="payment_terms_days"' in page

    response = client.post(
        url,
        {
            **SETTINGS_POST,
            "payment_terms_days": "45",
            "payment_terms_end_of_month": "on",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.payment_terms_days, company.payment_terms_end_of_month) == (
        45,
        True,
    )


def test_a_negative_company_term_is_a_form_error(client):
    company = CompanyFactory(payment_terms_days=30)
    sign_in(client, company)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {**SETTINGS_POST, "payment_terms_days": "-5"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["payment_terms_days"] == [
        "Payment terms cannot be negative: enter 0 for payment on receipt."
    ]
    company.refresh_from_db()
    assert company.payment_terms_days == 30


def client_post(**changes):
    return {
        "name": "Café des Arts",
        "email": "compta@cafedesarts.example",
        "country": "FR",
        "locale": "fr",
        "reminders_enabled": "on",
        **changes,
    }


def test_a_client_s_own_terms_are_saved_and_a_negative_one_refused(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    url = f"/admin/clients/client/{customer.pk}/change/"
    assert 'name="payment_terms_days"' in client.get(url).content.decode()

    refused = client.post(url, client_post(payment_terms_days="-1"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["payment_terms_days"] == [
        "Payment terms cannot be negative: enter 0 for payment on receipt."
    ]
    customer.refresh_from_db()
    assert customer.payment_terms_days is None

    saved = client.post(url, client_post(payment_terms_days="60"))
    assert saved.status_code == 302
    customer = Client.objects.for_company(company).get(pk=customer.pk)
    assert (customer.payment_terms_days, customer.payment_terms_end_of_month) == (
        60,
        False,
    )

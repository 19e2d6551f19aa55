"""SIREN (nine digits, Luhn) and French VAT numbers (key from the SIREN),
checked in the company and client forms: a bad one is a form error."""

import pytest

from clients.models import Client
from companies import identifiers
from companies.models import Company
from tests.backoffice import sign_in
from tests.factories import ClientFactory, CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("siren", "valid"),
    [
        ("732829320", True),
        ("552 100 554", True),
        ("404.833.048", True),
        ("732829321", False),  # check digit
        ("812345678", False),  # the old demo's
        ("73282932", False),  # eight digits
        ("7328293200", False),
        ("73282932A", False),
        ("", False),
    ],
)
def test_siren_is_nine_digits_with_a_luhn_check(siren, valid):
    if valid:
        assert identifiers.siren_clean(siren) == identifiers.compact(siren)
    else:
        with pytest.raises(identifiers.InvalidIdentifier):
            identifiers.siren_clean(siren)


def test_the_french_vat_key_is_computed_from_the_siren():
    assert [
        identifiers.french_vat_number(siren)
        for siren in ("732829320", "552100554", "404833048")
    ] == ["FR44732829320", "FR96552100554", "FR83404833048"]


@pytest.mark.parametrize(
    ("number", "siren", "error"),
    [
        ("FR 44 732 829 320", "732829320", None),
        ("FR45732829320", "732829320", "The key of this VAT number should be 44"),
        ("FR44732829320", "552100554", "does not end with the SIREN 552100554"),
        ("FR4473282932", "", "A French VAT number is FR, a two-character key"),
        ("BE0123456789", "732829320", None),  # not French: not ours to check
        ("12345", "", "is not a VAT number"),
    ],
)
def test_vat_numbers(number, siren, error):
    if error is None:
        assert identifiers.vat_number_clean(number, siren=siren) == identifiers.compact(
            number
        )
    else:
        with pytest.raises(identifiers.InvalidIdentifier, match=error):
            identifiers.vat_number_clean(number, siren=siren)


COMPANY_POST = {
    "name": "Atelier Dupont",
    "legal_name": "Atelier Dupont SARL",
    "address": "3 quai Voltaire\n75007 Paris",
    "country": "FR",
    "email": "bonjour@dupont.example",
    "vat_number": "FR44732829320",
    "registration_number": "732829320",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "default_currency": "EUR",
    "default_locale": "fr",
    "late_payment_rate": "12.5",
    "early_payment_discount": "",
    "vat_on_debits": "on",
    "payment_terms_days": "30",
}


def test_company_settings_take_a_siren_and_its_vat_number(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {**COMPANY_POST, "registration_number": "732 829 320"},
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert (
        company.registration_number,
        company.vat_number,
        company.vat_on_debits,
        str(company.late_payment_rate),
    ) == ("732829320", "FR44732829320", True, "12.50")


def test_a_siren_that_fails_its_check_is_a_company_form_error(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {**COMPANY_POST, "registration_number": "732829321"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "registration_number": [
            "732829321 is not a valid SIREN: its check digit is wrong."
        ],
    }
    company.refresh_from_db()
    assert company.registration_number == "123456782"


def test_outside_france_the_registration_number_is_not_a_siren(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {
            **COMPANY_POST,
            "country": "gb",
            "registration_number": "09876543",
            "vat_number": "GB123456789",
        },
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.country, company.registration_number) == ("GB", "09876543")


CLIENT_POST = {
    "name": "Maison Martin",
    "email": "compta@martin.example",
    "address": "8 rue Royale\n69001 Lyon",
    "delivery_address": "",
    "country": "FR",
    "is_business": "on",
    "siren": "552100554",
    "vat_number": "FR96552100554",
    "locale": "fr",
}


def test_a_client_takes_its_siren_vat_number_and_delivery_address(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(
        "/admin/clients/client/add/",
        {**CLIENT_POST, "delivery_address": "Entrepôt\n2 rue du Port\n69002 Lyon"},
    )

    assert response.status_code == 302
    created = Client.objects.for_company(company).get()
    assert (created.siren, created.vat_number, created.delivery_address) == (
        "552100554",
        "FR96552100554",
        "Entrepôt\n2 rue du Port\n69002 Lyon",
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"siren": "552100555"},
            {
                "siren": ["552100555 is not a valid SIREN: its check digit is wrong."],
                # The VAT number is then not checked against a bad SIREN.
            },
        ),
        ({"siren": "55210055"}, {"siren": ["A SIREN is nine digits."]}),
        (
            {"vat_number": "FR97552100554"},
            {
                "vat_number": [
                    "The key of this VAT number should be 96 for SIREN 552100554."
                ]
            },
        ),
        (
            {"country": "France"},
            {"country": ["Enter a two-letter country code, such as FR or BE."]},
        ),
    ],
)
def test_bad_client_identifiers_are_form_errors_and_nothing_is_saved(
    client, changes, errors
):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post("/admin/clients/client/add/", {**CLIENT_POST, **changes})

    assert response.status_code == 200
    form_errors = dict(response.context["adminform"].form.errors)
    form_errors.pop("vat_number", None) if "siren" in changes else None
    assert form_errors == errors
    assert not Client.objects.for_company(company).exists()
    assert Company.objects.count() == 1


def test_an_existing_client_without_siren_can_still_be_edited(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, siren="")

    response = client.post(
        f"/admin/clients/client/{customer.pk}/change/",
        {**CLIENT_POST, "siren": "", "vat_number": ""},
    )

    assert response.status_code == 302

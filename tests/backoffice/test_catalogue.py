"""The catalogue of products and services, and lines picking from it."""

from decimal import Decimal

import pytest

from documents import services
from documents.models import CatalogueItem
from tests.backoffice import sign_in
from tests.factories import NOW, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

URL = "/admin/documents/catalogueitem/"


def item(company, name="Design day", price="650.00", rate="20", unit="day"):
    return services.catalogue_item_save(
        company=company,
        actor=None,
        now=NOW,
        name=name,
        unit=unit,
        unit_price=Decimal(price),
        vat_rate=Decimal(rate),
    )


def test_a_name_is_once_in_a_company_s_catalogue():
    company = CompanyFactory()
    item(company)

    with pytest.raises(services.CatalogueItemRefused, match="already has"):
        item(company, price="700.00")
    item(CompanyFactory())  # another company may use the name

    assert CatalogueItem.objects.for_company(company).count() == 1


def test_the_owner_adds_an_item_and_a_second_of_the_same_name_is_a_form_error(
    client,
):
    company = CompanyFactory()
    sign_in(client, company)
    data = {"name": "Printing", "unit": "page", "unit_price": "0.50", "vat_rate": "20"}

    added = client.post(f"{URL}add/", data)
    again = client.post(f"{URL}add/", data)

    assert added.status_code == 302
    assert again.status_code == 200
    assert "The catalogue already has “Printing”." in again.content.decode()
    saved = CatalogueItem.objects.for_company(company).get()
    assert (saved.unit, saved.unit_price, saved.vat_rate) == (
        "page",
        Decimal("0.50"),
        Decimal("20"),
    )


def test_another_company_s_item_is_404_and_a_manager_gets_403(client):
    company = CompanyFactory()
    foreign = item(CompanyFactory())
    sign_in(client, company)
    # As for any missing object of the admin: back to the index, nothing shown.
    response = client.get(f"{URL}{foreign.pk}/change/")
    assert (response.status_code, response.url) == (302, "/admin/")
    assert "Design day" not in client.get(URL).content.decode()
    client.logout()
    sign_in(client, company, role="manager")
    assert client.get(URL).status_code == 403


def test_a_draft_s_page_lists_the_catalogue_for_its_lines(client):
    company = CompanyFactory()
    sign_in(client, company)
    item(company, name="Livres", price="12.00", rate="5.5", unit="")
    item(company)
    item(CompanyFactory(), name="Not ours")
    draft = DocumentFactory(client__company=company)

    page = client.get(f"/admin/documents/invoice/{draft.pk}/change/")
    new = client.get("/admin/documents/invoice/add/")

    assert page.context["catalogue"] == [
        {"name": "Design day", "unit": "day", "unit_price": "650.00", "vat_rate": "20"},
        {"name": "Livres", "unit": "", "unit_price": "12.00", "vat_rate": "5.5"},
    ]
    assert '<datalist id="catalogue-items">' in new.content.decode()
    assert "Not ours" not in new.content.decode()

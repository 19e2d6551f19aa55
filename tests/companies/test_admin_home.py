"""The home page by role: managers learn whom to ask, reporting reads only."""

import datetime as dt

import pytest

from companies.admin_site import back_office
from payments.services import invoice_mark_paid
from tests.backoffice import sign_in
from tests.factories import (
    NOW,
    BrandKitFactory,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


def member(company, role, name, email, **user):
    return MembershipFactory(
        company=company,
        role=role,
        user__full_name=name,
        user__email=email,
        **{f"user__{key}": value for key, value in user.items()},
    )


def test_a_manager_is_told_whom_to_ask_and_sees_no_receivables(client):
    company = CompanyFactory(name="Atelier Nord")
    member(company, "owner", "Alice Martin", "alice@atelier.example")
    member(company, "admin", "Bruno Petit", "bruno@atelier.example")
    member(company, "admin", "Gone Away", "gone@atelier.example", is_active=False)
    member(company, "reporting", "Rita Report", "rita@atelier.example")
    member(CompanyFactory(), "owner", "Other Owner", "other@elsewhere.example")
    customer = ClientFactory(company=company, name="Café des Arts")
    DocumentFactory(client=customer, finalised=True, due_date=dt.date(2026, 3, 10))
    sign_in(client, company, role="manager")

    response = client.get("/admin/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "reserved to the company's owners, admins and reporting members" in page
    contacts = page.split('id="company-contacts">')[1].split("</ul>")[0]
    assert contacts.count("<li>") == 2
    # Owners first, each with a link to write to them.
    assert contacts.index("Alice Martin") < contacts.index("Bruno Petit")
    assert '<a href="mailto:alice@atelier.example">' in contacts
    assert '<a href="mailto:bruno@atelier.example">' in contacts
    for hidden in ("Gone Away", "Rita Report", "Other Owner"):
        assert hidden not in page
    for leak in ("Café des Arts", "INV-2026-0001", "€120.00", "recent-activity"):
        assert leak not in page
    assert "You don’t have permission" not in page
    assert client.get("/admin/documents/document/").status_code == 403


def test_a_manager_s_page_in_french(client):
    company = CompanyFactory()
    member(company, "owner", "Alice Martin", "alice@atelier.example")
    sign_in(client, company, role="manager")

    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Vous êtes manager chez" in page
    assert "mailto:alice@atelier.example" in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/payments/payment/",
        "/admin/documents/invoice/",
        "/admin/documents/quote/",
        "/admin/clients/client/",
        "/admin/companies/company/",
    ],
)
def test_reporting_sees_every_page_with_a_read_only_badge(client, url):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")

    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="read-only-badge">read-only</span>' in page
    assert 'class="addlink"' not in page


def test_reporting_reads_every_page_and_gets_no_button_that_changes_anything(
    client,
):
    company = CompanyFactory()
    BrandKitFactory(company=company)
    sign_in(client, company, role="reporting")
    invoice = DocumentFactory(client=ClientFactory(company=company), finalised=True)
    invoice_mark_paid(invoice=invoice, actor=None, now=NOW)

    checked = []
    for model, model_admin in back_office._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if getattr(model_admin, "owners_only", False):
            # Credentials to act in the company's name (its e-invoicing
            # platform): owners only, not even read by others.
            assert client.get(url).status_code == 403, url
            checked.append(1)
            continue
        response = client.get(url, follow=True)
        rows = response.context.get("cl") and response.context["cl"].result_list
        pages = [response] + (
            [client.get(f"{url}{rows[0].pk}/change/", follow=True)] if rows else []
        )
        for page in pages:
            html = page.content.decode()
            assert page.status_code == 200, url
            assert 'id="read-only-badge"' in html, url
            for button in ('name="_save"', 'class="addlink"', "refund-link"):
                assert button not in html, (url, button)
        checked.append(len(pages))
    # Every page, and the change page of those with a row (payment, document…).
    assert len(checked) == len(back_office._registry) and sum(checked) > 15
    index = client.get("/admin/")
    # Reporting members change nothing, so "My actions" is not shown.
    assert index.context["recent_actions"] is None
    assert "recent-actions-module" not in index.content.decode()


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_those_who_change_get_no_badge_and_keep_their_actions(client, role):
    sign_in(client, CompanyFactory(), role=role)

    response = client.get("/admin/")

    page = response.content.decode()
    assert "read-only-badge" not in page
    assert 'id="recent-actions-module"' in page
    assert 'id="dashboard"' in page


def test_the_back_office_greets_the_member_by_name(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    user.full_name = "Camille Durand"
    user.save()

    html = client.get("/admin/").content.decode()

    assert "<strong>Camille Durand</strong>" in html

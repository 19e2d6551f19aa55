"""The back office's site, company settings, memberships and company switcher."""

import pytest

from clients.models import Client
from companies import audit
from companies.admin_site import (
    ActiveCompanyAdmin,
    CompanyScopedAdmin,
    back_office,
    scoped_choices,
)
from companies.middleware import ACTIVE_COMPANY_SESSION_KEY
from companies.models import AuditEvent, Company, Membership, User
from documents.models import Document
from payments.models import Payment
from tests.backoffice import messages_of, sign_in
from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


SETTINGS_POST = {
    "name": "Atelier Dupont",
    "legal_name": "Atelier Dupont SARL",
    "address": "3 quai Voltaire\n75007 Paris",
    "email": "bonjour@dupont.example",
    "vat_number": "FR44732829320",
    "registration_number": "732829320",
    "iban": "fr76 3000 6000 0112 3456 7890 189",
    "bic": "agrifrpp",
    "default_currency": "chf",
    "default_locale": "fr",
    "payment_terms_days": "30",
}


def test_every_page_is_registered_on_the_back_office():
    assert {Company, Membership, Client, Document, Payment} <= set(
        back_office._registry
    )


def test_sign_in_by_email_and_password(client):
    company = CompanyFactory()
    membership = MembershipFactory(company=company, user__email="owner@dupont.example")

    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "owner@dupont.example",
            "password": "correct horse battery staple",
        },
    )

    assert (response.status_code, response.url) == (302, "/admin/")
    assert client.session["_auth_user_id"] == str(membership.user.pk)


def test_a_user_without_company_cannot_sign_in(client):
    UserFactory(email="nobody@example.com")

    response = client.post(
        "/admin/login/",
        {"username": "nobody@example.com", "password": "correct horse battery staple"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This account does not belong to any company."
    ]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("base", [CompanyScopedAdmin, ActiveCompanyAdmin])
def test_a_scoped_admin_may_not_override_get_queryset(base):
    with pytest.raises(TypeError, match="overrides get_queryset"):

        class LeakyAdmin(base):
            def get_queryset(self, request):
                return self.model.objects.all()


def test_foreign_key_choices_fail_closed_for_tables_without_company(rf):
    company = CompanyFactory()
    request = rf.get("/admin/")
    request.company = company
    UserFactory()

    assert list(scoped_choices(User, request)) == []
    assert list(scoped_choices(Company, request)) == [company]


# The index.


def test_manager_sees_no_receivables_on_the_index(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "app_list" not in response.context
    assert [t.name for t in response.templates][0] == "admin/manager_home.html"


def test_owner_sees_every_receivables_page_on_the_index(client):
    sign_in(client, CompanyFactory())

    response = client.get("/admin/")

    models = {
        model["object_name"]
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert {"Client", "Invoice", "Quote", "Payment", "Company", "Membership"} <= models
    assert "Document" not in models  # its addresses lead to Invoices and Quotes


# The company switcher.


def test_switcher_lists_only_own_companies_and_shows_the_active_one(client):
    first = CompanyFactory(name="Alpha Studio")
    second = CompanyFactory(name="Beta Works")
    CompanyFactory(name="Gamma Stranger")
    user = sign_in(client, first)
    MembershipFactory(user=user, company=second, role="reporting")

    response = client.get("/admin/")

    html = response.content.decode()
    assert "Company: <strong>Alpha Studio</strong> (Owner)" in html
    assert f'<option value="{first.pk}" selected>Alpha Studio</option>' in html
    assert f'<option value="{second.pk}">Beta Works</option>' in html
    assert "Gamma Stranger" not in html


def test_switcher_is_absent_for_a_member_of_one_company(client):
    sign_in(client, CompanyFactory(name="Alpha Studio"))

    response = client.get("/admin/")

    html = response.content.decode()
    assert "Company: <strong>Alpha Studio</strong> (Owner)" in html
    assert 'name="company"' not in html


def test_switching_company_changes_every_list(client):
    first, second = CompanyFactory(), CompanyFactory()
    user = sign_in(client, first)
    MembershipFactory(user=user, company=second, role="admin")
    ClientFactory(company=first, name="Of the first")
    ClientFactory(company=second, name="Of the second")

    response = client.post("/admin/switch-company/", {"company": second.pk})

    assert (response.status_code, response.url) == (302, "/admin/")
    listed = client.get("/admin/clients/client/").context["cl"].result_list
    assert [customer.name for customer in listed] == ["Of the second"]


def test_switching_to_a_company_one_does_not_belong_to_changes_nothing(client):
    mine, theirs = CompanyFactory(), CompanyFactory()
    sign_in(client, mine)
    ClientFactory(company=theirs, name="Not mine")

    client.post("/admin/switch-company/", {"company": theirs.pk})

    assert ACTIVE_COMPANY_SESSION_KEY not in client.session
    listed = client.get("/admin/clients/client/").context["cl"].result_list
    assert list(listed) == []


def test_switching_refuses_get(client):
    mine, other = CompanyFactory(), CompanyFactory()
    user = sign_in(client, mine)
    MembershipFactory(user=user, company=other)

    response = client.get(f"/admin/switch-company/?company={other.pk}")

    assert response.status_code == 405
    assert ACTIVE_COMPANY_SESSION_KEY not in client.session


# Company settings.


def test_company_list_shows_only_the_active_company(client):
    mine = CompanyFactory(name="Mine")
    CompanyFactory(name="Theirs")
    sign_in(client, mine)

    response = client.get("/admin/companies/company/")

    assert list(response.context["cl"].result_list) == [mine]


def test_another_company_s_settings_page_does_not_exist(client):
    sign_in(client, CompanyFactory())
    theirs = CompanyFactory(name="Theirs")

    response = client.get(f"/admin/companies/company/{theirs.pk}/change/")

    assert (response.status_code, response.url) == (302, "/admin/")
    assert messages_of(response) == [
        f"company with ID “{theirs.pk}” doesn’t exist. Perhaps it was deleted?"
    ]


def test_posting_another_company_s_settings_changes_nothing(client):
    sign_in(client, CompanyFactory())
    theirs = CompanyFactory(name="Theirs")

    client.post(f"/admin/companies/company/{theirs.pk}/change/", SETTINGS_POST)

    theirs.refresh_from_db()
    assert (theirs.name, theirs.default_currency) == ("Theirs", "EUR")


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_edit_the_company_settings(client, role):
    company = CompanyFactory(has_receivables_addon=False)
    sign_in(client, company, role=role)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {**SETTINGS_POST, "has_receivables_addon": "on"},
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert (
        company.name,
        company.legal_name,
        company.iban,
        company.bic,
        company.default_currency,
        company.default_locale,
    ) == (
        "Atelier Dupont",
        "Atelier Dupont SARL",
        "FR7630006000011234567890189",
        "AGRIFRPP",
        "CHF",
        "fr",
    )
    assert company.has_receivables_addon is False  # billing's, not the members'


def test_an_unknown_currency_is_a_form_error(client):
    company = CompanyFactory(name="Kept")
    sign_in(client, company)

    response = client.post(
        f"/admin/companies/company/{company.pk}/change/",
        {**SETTINGS_POST, "default_currency": "XYZ"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "default_currency": ["XYZ is not a known currency."]
    }
    company.refresh_from_db()
    assert (company.name, company.default_currency) == ("Kept", "EUR")


def test_reporting_sees_the_settings_and_changes_nothing(client):
    company = CompanyFactory(name="Kept")
    sign_in(client, company, role="reporting")

    page = client.get(f"/admin/companies/company/{company.pk}/change/")
    post = client.post(f"/admin/companies/company/{company.pk}/change/", SETTINGS_POST)

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    company.refresh_from_db()
    assert company.name == "Kept"


def test_manager_gets_403_on_company_settings(client):
    company = CompanyFactory(name="Kept")
    sign_in(client, company, role="manager")

    responses = [
        client.get("/admin/companies/company/"),
        client.get(f"/admin/companies/company/{company.pk}/change/"),
        client.post(f"/admin/companies/company/{company.pk}/change/", SETTINGS_POST),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    company.refresh_from_db()
    assert company.name == "Kept"


def test_nobody_adds_or_deletes_companies(client):
    company = CompanyFactory()
    sign_in(client, company)

    add = client.get("/admin/companies/company/add/")
    delete = client.post(
        f"/admin/companies/company/{company.pk}/delete/", {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Company.objects.filter(pk=company.pk).exists()


# Memberships.


def test_memberships_list_only_the_active_company_read_only(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    colleague = MembershipFactory(company=company, role="reporting")
    MembershipFactory(role="owner")  # another company's

    response = client.get("/admin/companies/membership/")

    listed = response.context["cl"].result_list
    assert {membership.user for membership in listed} == {user, colleague.user}
    assert response.context["has_add_permission"] is False


def test_memberships_cannot_be_changed_from_the_back_office(client):
    company = CompanyFactory()
    sign_in(client, company)
    colleague = MembershipFactory(company=company, role="reporting")

    response = client.post(
        f"/admin/companies/membership/{colleague.pk}/change/", {"role": "owner"}
    )

    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.role == "reporting"


def test_saving_settings_writes_the_activity_log_members_read(client):
    company = CompanyFactory(name="Before")
    owner = sign_in(client, company)
    other = CompanyFactory()
    audit.company_settings_changed(company=other, actor=None, at=NOW, fields=["name"])

    client.post(f"/admin/companies/company/{company.pk}/change/", SETTINGS_POST)
    log = client.get("/admin/companies/auditevent/")

    events = AuditEvent.objects.for_company(company)
    assert [(e.kind, e.actor) for e in events] == [("settings_changed", owner)]
    assert [row.pk for row in log.context["cl"].result_list] == [events.get().pk]


@pytest.mark.parametrize(("role", "status"), [("reporting", 200), ("manager", 403)])
def test_the_activity_log_is_read_only(client, role, status):
    company = CompanyFactory()
    sign_in(client, company, role=role)
    event = audit.company_settings_changed(
        company=company, actor=None, at=NOW, fields=["iban"]
    )

    page = client.get(f"/admin/companies/auditevent/{event.pk}/change/")
    add = client.get("/admin/companies/auditevent/add/")

    assert (page.status_code, add.status_code) == (status, 403)
    if status == 200:
        assert page.context["has_change_permission"] is False

"""The back office under attack: sign-in, filters, recent actions, its CSP."""

import base64
import hashlib
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from clients.models import Client
from companies.models import Membership
from tests.backoffice import sign_in
from tests.factories import ClientFactory, CompanyFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def member(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(email="owner@example.com")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, company=CompanyFactory(), role="owner")
    return user


def sign_in_with(client, password: str, next_url: str = "/admin/", address=None):
    extra = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        f"/admin/login/?next={next_url}",
        {"username": "owner@example.com", "password": password, "next": next_url},
        **extra,
    )


def test_after_a_handful_of_wrong_passwords_even_the_right_one_waits(client, member):
    wrong = [sign_in_with(client, f"guess-{n}").status_code for n in range(3)]
    right = sign_in_with(client, PASSWORD)

    assert wrong == [200, 200, 429]
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    html = right.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "paused for 15 minutes" in html
    assert "_auth_user_id" not in client.session


def colleague(email: str = "colleague@example.com"):
    user = UserFactory(email=email)
    user.set_password("the colleague's own password")
    user.save()
    Membership.objects.create(user=user, company=CompanyFactory(), role="admin")
    return user


def sign_in_as(client, email: str, password: str, address: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_a_colleague_s_typos_lock_no_one_else_behind_the_office_address(client, member):
    office = "198.51.100.1"
    other = colleague()
    typos = [
        sign_in_as(client, other.email, f"typo-{n}", office).status_code
        for n in range(3)
    ]

    owner = sign_in_as(client, "owner@example.com", PASSWORD, office)
    client.logout()
    theirs = sign_in_as(client, other.email, "the colleague's own password", office)
    elsewhere = sign_in_as(
        client, other.email, "the colleague's own password", "203.0.113.9"
    )

    assert typos == [200, 200, 429]
    assert owner.status_code == 302  # the right password of another account
    assert theirs.status_code == 429  # the pair cools down
    assert elsewhere.status_code == 302  # the same account at another address


def test_one_address_trying_many_accounts_cools_down_past_the_ceiling(
    client, member, settings
):
    settings.LOGIN_FAILURE_CEILING = 6
    for n in range(6):
        sign_in_as(client, f"someone-{n}@example.com", "x", "198.51.100.1")

    here = sign_in_as(client, "owner@example.com", PASSWORD, "198.51.100.1")
    there = sign_in_as(client, "owner@example.com", PASSWORD, "198.51.100.2")

    assert (here.status_code, there.status_code) == (429, 302)


def test_below_the_ceiling_many_accounts_from_one_address_still_sign_in(
    client, member, settings
):
    settings.LOGIN_FAILURE_CEILING = 6
    for n in range(5):
        sign_in_as(client, f"someone-{n}@example.com", "x", "198.51.100.1")

    assert sign_in_with(client, PASSWORD, address="198.51.100.1").status_code == 302


def test_one_account_tried_from_many_addresses_cools_down_past_the_ceiling(
    client, member, settings
):
    settings.LOGIN_FAILURE_CEILING = 6
    for n in range(5):
        sign_in_with(client, f"guess-{n}", address=f"198.51.100.{n + 1}")
    below = sign_in_with(client, PASSWORD, address="203.0.113.9")
    client.logout()
    sign_in_with(client, "guess-5", address="198.51.100.6")
    sign_in_with(client, "guess-6", address="198.51.100.7")

    past = sign_in_with(client, PASSWORD, address="203.0.113.9")

    assert (below.status_code, past.status_code) == (302, 429)


def test_signing_in_clears_only_one_s_own_failures(client, member):
    office = "198.51.100.1"
    other = colleague()
    for n in range(2):
        sign_in_as(client, other.email, f"typo-{n}", office)
    sign_in_with(client, PASSWORD, address=office)  # the owner signs in
    client.logout()

    third = sign_in_as(client, other.email, "typo-3", office)

    assert third.status_code == 429


def test_a_refused_next_lands_on_the_back_office_home(client, member):
    response = sign_in_with(client, PASSWORD, next_url="https://evil.example/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_no_filter_may_touch_a_portal_token(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    for lookup in (
        f"portal_token__startswith={customer.portal_token[:2]}",
        f"portal_token_digest__startswith={customer.portal_token_digest[:2]}",
    ):
        assert client.get(f"/admin/clients/client/?{lookup}").status_code == 400
    through = f"client__portal_token__startswith={customer.portal_token[:1]}"
    assert client.get(f"/admin/documents/invoice/?{through}").status_code == 400
    assert client.get("/admin/clients/client/?locale=fr").status_code == 200


def test_recent_actions_show_the_active_company_only(client):
    ours, theirs = CompanyFactory(), CompanyFactory()
    user = sign_in(client, ours)
    mine = ClientFactory(company=ours, name="Our client")
    former = ClientFactory(company=theirs, name="Former employer's client")
    client_type = ContentType.objects.get_for_model(Client)
    for customer in (former, mine):
        LogEntry.objects.create(
            user=user,
            content_type=client_type,
            object_id=str(customer.pk),
            object_repr=customer.name,
            action_flag=CHANGE,
        )

    html = client.get("/admin/").content.decode()

    assert "Our client" in html
    assert "Former employer" not in html


def test_the_back_office_has_a_strict_csp_that_its_pages_keep(client):
    company = CompanyFactory()
    sign_in(client, company)
    DocumentFactory(client=ClientFactory(company=company), finalised=True)
    pages = [
        "/admin/",
        "/admin/clients/client/",
        "/admin/clients/client/add/",
        "/admin/documents/invoice/",
        "/admin/documents/invoice/add/",
        "/admin/documents/quote/",
        "/admin/documents/quote/add/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        csp = response["Content-Security-Policy"]
        directives = dict(
            part.strip().split(" ", 1) for part in csp.split(";") if part.strip()
        )
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        html = response.content.decode()
        # Every script is a file of ours, every inline style allowed by its hash.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], page
        assert not re.search(r"\son[a-z]+=", html), page
        assert ' style="' not in html, page
        for style in re.findall(r"<style>(.*?)</style>", html, re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest())
            assert f"'sha256-{digest.decode()}'" in directives["style-src"], page


def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get("/admin/login/")

    assert "script-src 'self'" in response["Content-Security-Policy"]

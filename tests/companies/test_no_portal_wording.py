"""A company without the receivables add-on reads no word of a client portal."""

import re

import pytest

from companies.admin_site import back_office
from companies.profile import hears_client_activity
from tests.backoffice import sign_in
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def back_office_pages(company) -> list[str]:
    urls = ["/admin/", "/admin/profile/"]
    for model in back_office._registry:
        urls.append(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    urls.append(f"/admin/companies/company/{company.pk}/change/")
    return urls


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_speaks_of_a_portal_without_the_add_on(client, language):
    company = CompanyFactory(has_receivables_addon=False)
    user = sign_in(client, company)
    user.language = language
    user.save(update_fields=["language"])

    said = {}
    for url in back_office_pages(company):
        response = client.get(url)
        if response.status_code != 200:
            continue
        found = re.findall(
            r"[^.]{0,40}\bportail?\b[^.]{0,40}",
            visible_text(response.content.decode()),
            flags=re.I,
        )
        if found:
            said[url] = found

    assert said == {}


def test_with_the_add_on_the_settings_say_it(client):
    company = CompanyFactory(has_receivables_addon=True)
    sign_in(client, company)

    page = client.get(f"/admin/companies/company/{company.pk}/change/")

    assert (
        "Clients have a portal only while the add-on is active" in page.content.decode()
    )


def test_without_the_add_on_the_profile_offers_no_client_activity_e_mails(client):
    company = CompanyFactory(has_receivables_addon=False)  # Boulangerie's case
    user = sign_in(client, company)

    page = client.get("/admin/profile/")
    saved = client.post("/admin/profile/", {"language": "fr"})

    assert "notify_client_activity" not in page.context["form"].fields
    assert "client activity" not in page.content.decode()
    assert saved.status_code == 302
    user.refresh_from_db()
    # Kept as it was, for the day the company takes the add-on.
    assert (user.language, user.notify_client_activity) == ("fr", True)


def test_an_owner_elsewhere_with_the_add_on_keeps_the_preference(client):
    without = CompanyFactory(has_receivables_addon=False)
    user = sign_in(client, without)
    MembershipFactory(
        user=user, company=CompanyFactory(has_receivables_addon=True), role="admin"
    )
    reporting_only = sign_in(
        client.__class__(), CompanyFactory(has_receivables_addon=True), "reporting"
    )

    page = client.get("/admin/profile/")

    assert "notify_client_activity" in page.context["form"].fields
    assert "e-mail me about client activity" in page.content.decode().lower()
    assert hears_client_activity(reporting_only) is False

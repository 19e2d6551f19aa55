"""Owners rotate, disable and enable a client's link; the portal's 404 page;
the access log on the client's page. End to end through the back office."""

import pytest

from clients.models import Client
from companies.models import AuditEvent
from documents.models import ClientEmail
from tests.backoffice import messages_of, sign_in
from tests.factories import ClientFactory, CompanyFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)


def change_url(customer) -> str:
    return f"/admin/clients/client/{customer.pk}/change/"


def test_disable_then_enable_the_link(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Maison Martin")
    home = url("home", customer)

    off = client.post(f"/admin/clients/client/{customer.pk}/portal-link/switch/")
    while_off = client.get(home)
    page = client.get(change_url(customer))
    on = client.post(
        f"/admin/clients/client/{customer.pk}/portal-link/switch/", {"enabled": "1"}
    )
    after = client.get(home)

    assert messages_of(off) == [
        "The portal link of Maison Martin is disabled: it opens nothing until you "
        "enable it again."
    ]
    assert while_off.status_code == 404
    assert 'id="portal-link-disabled"' in page.content.decode()
    assert messages_of(on) == ["The portal link of Maison Martin works again."]
    assert after.status_code == 200
    kinds = list(
        AuditEvent.objects.for_company(company)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["portal_link_disabled", "portal_link_enabled"]


@pytest.mark.parametrize("role", ["reporting", "manager"])
def test_only_owners_and_admins_switch_links(client, role):
    company = CompanyFactory()
    sign_in(client, company, role=role)
    customer = ClientFactory(company=company)

    response = client.post(f"/admin/clients/client/{customer.pk}/portal-link/switch/")

    customer.refresh_from_db()
    assert (response.status_code, customer.portal_disabled_at) == (403, None)


def test_rotate_and_email_the_new_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory(name="Atelier")
    sign_in(client, company)
    customer = ClientFactory(company=company, extra_emails="boss@martin.example")
    old = customer.portal_token

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/clients/client/{customer.pk}/portal-link/rotate/",
            {"send_link": "on"},
        )

    customer.refresh_from_db()
    page = client.get(change_url(customer)).content.decode()
    assert customer.portal_token != old
    assert f'value="http://127.0.0.1:8000/p/{customer.portal_token}/"' in page
    (message,) = mailoutbox
    assert message.to == [customer.email, "boss@martin.example"]
    assert message.subject == "Your new portal link from Atelier"
    assert f"/p/{customer.portal_token}/" in message.body
    assert old not in message.body
    assert ClientEmail.objects.for_company(company).get().status == "sent"
    assert any("being e-mailed" in text for text in messages_of(response))


def test_rotated_disabled_and_unknown_links_answer_the_same_404_in_the_browser_language(
    client,
):
    customer = ClientFactory()
    rotated, disabled = ClientFactory(), ClientFactory()
    old = url("home", rotated)
    from clients import services

    services.client_portal_rotate(client=rotated, actor=None, now=rotated.created_at)
    services.client_portal_disable(client=disabled, actor=None, now=disabled.created_at)
    paths = [old, url("home", disabled), "/p/" + "x" * 43 + "/"]

    english = [
        client.get(path, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8") for path in paths
    ]
    french = [client.get(path, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9") for path in paths]

    assert {response.status_code for response in english + french} == {404}
    assert len({response.content for response in english}) == 1
    assert len({response.content for response in french}) == 1
    text = english[0].content.decode()
    assert "Please ask the business that sent it to you for a new link." in text
    assert customer.company.name not in text and "/p/" not in text
    assert "demander un nouveau lien" in french[0].content.decode()
    assert french[0]["Content-Language"] == "fr"


def test_the_client_page_shows_the_access_log_without_the_token(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    bill = invoice(customer)
    visitor = client.__class__()
    visitor.post(
        url("beacon", customer),
        {"document": bill.pk, "version": 1},
        HTTP_USER_AGENT=FIREFOX,
        REMOTE_ADDR="2001:db8:abcd:12::5",
    )
    visitor.post(
        url("beacon", customer), HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="198.51.100.4"
    )

    page = client.get(change_url(customer)).content.decode()

    log = page.split('id="portal-access-log"')[1].split("</table>")[0]
    assert "2001:db8:abcd::/48" in log and "198.51.100.0/24" in log
    assert "INV-2026-0001" in log and "Portal (list)" in log
    assert "Firefox, Windows" in log
    assert "2001:db8:abcd:12::5" not in page and "198.51.100.4" not in page
    assert customer.portal_token not in log


def test_the_document_page_and_list_show_when_it_was_viewed(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    bill = invoice(customer)
    unseen = invoice(customer)
    client.__class__().post(
        url("beacon", customer), {"document": bill.pk, "version": 1}
    )

    listing = client.get("/admin/documents/invoice/").content.decode()
    page = client.get(f"/admin/documents/invoice/{bill.pk}/change/").content.decode()

    assert listing.count("Viewed ") == 1 and "Not viewed yet" in listing
    assert "Viewed " in page
    assert unseen.pk != bill.pk


def test_client_recipients_are_validated_and_kept_one_per_line(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    form = {
        "name": customer.name,
        "email": customer.email,
        "locale": "en",
        "reminders_enabled": "on",
    }

    bad = client.post(
        change_url(customer), {**form, "extra_emails": "ok@x.example, nope"}
    )
    good = client.post(
        change_url(customer), {**form, "extra_emails": "a@x.example; b@x.example"}
    )

    assert "nope is not a valid e-mail address." in bad.content.decode()
    assert good.status_code == 302
    customer = Client.objects.for_company(company).get(pk=customer.pk)
    assert customer.extra_emails == "a@x.example\nb@x.example"
    assert customer.recipients == [customer.email, "a@x.example", "b@x.example"]

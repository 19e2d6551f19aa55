"""The platform connection in the back office (owners only, secrets at rest
encrypted, never shown back) and the lifecycle shown on both sides."""

import datetime as dt
import re

import pytest
from django.db import connection as db

from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory
from tests.portal.helpers import url
from tests.transmission.standin import CLIENT_SECRET, SIGNING_KEY
from transmission import lifecycle, services
from transmission.models import PlatformConnection
from transmission.secrets import secret_decrypt

pytestmark = pytest.mark.django_db

URL = "/admin/transmission/platformconnection/"
FORM = {
    "flow_url": "https://api.flow.example.com/flow-service",
    "directory_url": "https://api.directory.example.com/directory-service",
    "token_url": "https://auth.example.com/token",
    "client_id": "atelier",
    "client_secret": CLIENT_SECRET,
    "webhook_secret": SIGNING_KEY,
    "enabled": "on",
}


def test_an_owner_connects_the_platform_and_secrets_are_encrypted(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(URL + "add/", FORM)

    assert response.status_code == 302
    connection = PlatformConnection.objects.for_company(company).get()
    assert (connection.flow_url, connection.client_id) == (
        FORM["flow_url"],
        "atelier",
    )
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret_encrypted, webhook_secret_encrypted "
            "FROM transmission_platformconnection"
        )
        stored = cursor.fetchone()
    assert CLIENT_SECRET not in stored[0] and SIGNING_KEY not in stored[1]
    assert secret_decrypt(stored[0]) == CLIENT_SECRET
    assert secret_decrypt(stored[1]) == SIGNING_KEY
    page = client.get(URL + f"{connection.pk}/change/").content.decode()
    assert CLIENT_SECRET not in page and SIGNING_KEY not in page


def test_an_empty_secret_keeps_the_stored_one(client):
    company = CompanyFactory()
    sign_in(client, company)
    client.post(URL + "add/", FORM)
    connection = PlatformConnection.objects.for_company(company).get()

    client.post(
        URL + f"{connection.pk}/change/",
        {**FORM, "client_secret": "", "webhook_secret": "", "client_id": "other"},
    )

    connection.refresh_from_db()
    assert connection.client_id == "other"
    assert secret_decrypt(connection.client_secret_encrypted) == CLIENT_SECRET


def test_a_webhook_key_that_is_not_base64_is_a_form_error(client):
    company = CompanyFactory()
    sign_in(client, company)

    response = client.post(URL + "add/", {**FORM, "webhook_secret": "not a key!"})

    assert response.status_code == 200
    assert "base64" in response.content.decode()
    assert not PlatformConnection.objects.for_company(company).exists()


@pytest.mark.parametrize("role", ["admin", "reporting", "manager"])
def test_only_owners_see_the_platform_page(client, role):
    company = CompanyFactory()
    sign_in(client, company, role=role)

    assert client.get(URL).status_code == 403
    assert client.post(URL + "add/", FORM).status_code == 403
    assert not PlatformConnection.objects.for_company(company).exists()


def test_another_company_s_connection_is_not_found(client):
    other = CompanyFactory()
    foreign = services.platform_connection_save(
        company=other,
        now=NOW,
        actor=None,
        enabled=True,
        **{k: v for k, v in FORM.items() if k != "enabled"},
    )
    sign_in(client, CompanyFactory())

    response = client.get(URL + f"{foreign.pk}/change/")

    assert response.status_code in (302, 404)
    assert response.status_code != 200


def _with_statuses():
    company = CompanyFactory()
    customer = ClientFactory(company=company, locale="fr")
    invoice = DocumentFactory(client=customer, finalised=True)
    for minutes, code, reason in [(1, "200", ""), (2, "210", "Taux de TVA erroné")]:
        lifecycle.lifecycle_record(
            document=invoice,
            code=code,
            source="platform",
            at=NOW + dt.timedelta(minutes=minutes),
            now=NOW,
            reason_code="TX_TVA_ERR" if reason else "",
            reason=reason,
        )
    return invoice


def test_the_owner_sees_the_lifecycle_on_the_invoice_page(client):
    invoice = _with_statuses()
    sign_in(client, invoice.company)

    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/").content.decode()

    block = re.search(r'<ul id="einvoice-lifecycle">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'data-lifecycle="(\d+)"', block) == ["200", "210"]
    assert "Refused (Refusée)" in block and "TX_TVA_ERR Taux de TVA erroné" in block


def test_the_client_reads_the_lifecycle_in_its_words_in_french(client):
    invoice = _with_statuses()

    page = client.get(url("document", invoice.client, document_id=invoice.pk))

    html = page.content.decode()
    block = re.search(r'id="einvoice-lifecycle">(.*?)</section>', html, re.S).group(1)
    labels = re.findall(r'<span class="history__label">([^<]+)</span>', block)
    assert labels == [
        "Transmise par la plateforme de facturation électronique",
        "Refusée par vous",
    ]
    assert "Taux de TVA erroné" in block
    assert "Statut de la facture électronique" in html


def test_the_client_reads_it_in_english_too(client):
    invoice = _with_statuses()
    invoice.client.locale = "en"
    invoice.client.save(update_fields=["locale"])

    html = client.get(url("document", invoice.client, document_id=invoice.pk)).content
    labels = re.findall(
        r'data-lifecycle="\d+">.*?<span class="history__label">([^<]+)</span>',
        html.decode(),
        re.S,
    )
    assert labels == ["Sent through the e-invoicing platform", "Refused by you"]


def test_platform_secrets_follow_a_key_rotation(settings):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    company = CompanyFactory()
    services.platform_connection_save(
        company=company,
        now=NOW,
        actor=None,
        enabled=True,
        **{k: v for k, v in FORM.items() if k != "enabled"},
    )
    old = list(settings.PORTAL_TOKEN_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.PORTAL_TOKEN_KEYS = [new_key, *old]

    call_command("platform_secrets_rotate", stdout=io.StringIO())

    settings.PORTAL_TOKEN_KEYS = [new_key]  # the old key removed
    connection = PlatformConnection.objects.for_company(company).get()
    assert secret_decrypt(connection.client_secret_encrypted) == CLIENT_SECRET
    assert secret_decrypt(connection.webhook_secret_encrypted) == SIGNING_KEY

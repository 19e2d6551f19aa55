import pytest
from django.http import Http404

from clients import services
from clients.models import Client
from companies.models import AuditEvent
from portal.selectors import portal_client
from tests.factories import NOW, ClientFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_client_create_issues_a_256_bit_token_of_its_own():
    company = CompanyFactory()

    first = services.client_create(company=company, now=NOW, name="A")
    second = services.client_create(company=company, now=NOW, name="B")

    assert len(first.portal_token) == 43  # 32 bytes, URL-safe base64, unpadded
    assert first.portal_token != second.portal_token
    assert first.portal_token_digest == services.portal_token_digest(first.portal_token)
    assert portal_client(token=first.portal_token) == first


def test_client_portal_rotate_kills_the_old_link_at_once():
    client = ClientFactory()
    old_token = client.portal_token

    services.client_portal_rotate(client=client, actor=None, now=NOW)

    client.refresh_from_db()
    assert client.portal_token != old_token
    with pytest.raises(Http404):
        portal_client(token=old_token)
    assert portal_client(token=client.portal_token) == client


def test_rotating_a_link_records_who_did_it_and_never_the_token():
    client = ClientFactory()
    member = UserFactory()

    services.client_portal_rotate(client=client, actor=member, now=NOW)

    client.refresh_from_db()
    event = AuditEvent.objects.for_company(client.company).get()
    assert (event.kind, event.actor, event.at, event.subject_id) == (
        "portal_link_rotated",
        member,
        NOW,
        client.pk,
    )
    assert client.portal_token not in str(
        AuditEvent.objects.for_company(client.company).values().get()
    )


def test_portal_client_is_404_without_the_receivables_addon():
    client = ClientFactory(company=CompanyFactory(has_receivables_addon=False))

    with pytest.raises(Http404):
        portal_client(token=client.portal_token)


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../admin", "%00"])
def test_portal_client_is_404_for_unknown_tokens(token):
    ClientFactory()

    with pytest.raises(Http404):
        portal_client(token=token)


def test_client_update_keeps_the_portal_link_and_bumps_the_revision():
    client = ClientFactory()
    token, revision = client.portal_token, client.portal_revision

    services.client_update(client=client, name="Renamed", locale="fr")

    client.refresh_from_db()
    assert (client.name, client.locale, client.portal_token) == ("Renamed", "fr", token)
    assert client.portal_revision == revision + 1


def test_client_update_refuses_to_touch_the_token():
    client = ClientFactory()

    with pytest.raises(ValueError):
        services.client_update(client=client, portal_token="chosen-by-attacker")

    assert Client.objects.for_company(client.company).get().portal_token != (
        "chosen-by-attacker"
    )

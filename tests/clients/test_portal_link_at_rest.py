"""Portal links at rest: encrypted in the database, found by their digest,
decrypted only to show or e-mail the link; the keys rotate."""

import pickle

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clients import services
from clients.models import Client
from clients.portal_link import PortalLinkUnreadable
from clients.selectors import client_portal_url
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def table_text() -> str:
    """Every column of every row of the clients table, as a dump holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clients_client")
        return "\n".join(" ".join(str(value) for value in row) for row in cursor)


def stored(client: Client) -> Client:
    """The client as read afresh from the database, nothing decrypted yet."""
    return Client.objects.for_company(client.company).get(pk=client.pk)


def test_the_clients_table_holds_no_token(settings):
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    customers = [ClientFactory() for _ in range(3)]
    rotated = services.client_portal_rotate(client=customers[0], actor=None, now=NOW)

    dump = table_text()

    tokens = [rotated.portal_token] + [c.portal_token for c in customers[1:]]
    assert all(len(token) == 43 for token in tokens)
    assert [token for token in tokens if token in dump] == []
    assert [stored(c).portal_token for c in customers] == tokens


def test_the_portal_opens_without_decrypting_the_link(client, settings):
    """A page's own links come from the request's token, checked against the
    digest: with no key able to decrypt, the portal still opens."""
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    document = DocumentFactory(finalised=True)
    portal = document.client
    home_url = url("home", portal)
    document_url = url("document", portal, document_id=document.pk)
    settings.PORTAL_TOKEN_KEYS = [KEY_B]

    home = client.get(home_url)
    page = client.get(document_url)

    assert (home.status_code, page.status_code) == (200, 200)
    assert f'href="{document_url}"' in home.content.decode()
    with pytest.raises(PortalLinkUnreadable):
        stored(portal).portal_token  # noqa: B018  (what showing it would need)


def test_showing_the_link_decrypts_it(settings):
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    customer = ClientFactory()

    shown = client_portal_url(client=stored(customer))

    assert shown == f"{settings.PORTAL_BASE_URL}/p/{customer.portal_token}/"


def test_a_pickled_client_carries_no_token(settings):
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    customer = ClientFactory()
    token = customer.portal_token

    pickled = pickle.dumps(customer)

    assert token.encode() not in pickled
    assert pickle.loads(pickled).portal_token == token


def test_keys_rotate_and_the_links_stay_the_same(settings):
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    customers = [ClientFactory() for _ in range(2)]
    tokens = [c.portal_token for c in customers]
    settings.PORTAL_TOKEN_KEYS = [KEY_B, KEY_A]

    call_command("portal_token_keys_rotate", stdout=open("/dev/null", "w"))
    settings.PORTAL_TOKEN_KEYS = [KEY_B]  # the old key gone

    assert [stored(c).portal_token for c in customers] == tokens
    assert [
        Fernet(KEY_B).decrypt(stored(c).portal_token_encrypted.encode()).decode()
        for c in customers
    ] == tokens


def test_rotating_keys_names_the_links_no_key_opens(settings):
    settings.PORTAL_TOKEN_KEYS = [KEY_C]
    lost = ClientFactory()
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    kept = ClientFactory()
    settings.PORTAL_TOKEN_KEYS = [KEY_B, KEY_A]

    with pytest.raises(
        CommandError, match=rf"1 link\(s\) no key decrypts \(clients {lost.pk}\)"
    ):
        call_command("portal_token_keys_rotate", stdout=open("/dev/null", "w"))

    assert stored(lost).portal_token_encrypted == lost.portal_token_encrypted
    settings.PORTAL_TOKEN_KEYS = [KEY_B]
    assert stored(kept).portal_token == kept.portal_token


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_tokens_and_its_reverse_puts_them_back(
    settings,
):
    settings.PORTAL_TOKEN_KEYS = [KEY_A]
    customer = ClientFactory()
    token = customer.portal_token
    before = ("clients", "0007_electronic_address")
    after = ("clients", "0008_portal_token_encrypted")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT portal_token FROM clients_client WHERE id = %s", [customer.pk]
            )
            (cleartext,) = cursor.fetchone()
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([after])
        encrypted = table_text()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert cleartext == token
    assert token not in encrypted
    assert stored(customer).portal_token == token

"""A company's platform connection and the platform's webhook signature.

The rest of transmission's state changes: `sending` (what goes to the
platform), `worker` (the HTTP calls, in the task worker, never inside a
transaction nor in a request), `lifecycle` (the statuses recorded).
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from companies.errors import ActionRefused
from companies.identifiers import FRANCE
from companies.models import Actor, Company
from transmission.afnor import Credentials, PlatformClient
from transmission.chorus import ChorusClient, ChorusCredentials
from transmission.models import ChorusConnection, PlatformConnection
from transmission.secrets import (
    SecretUnreadable,
    secret_decrypt,
    secret_encrypt,
    secret_reencrypt,
)

logger = logging.getLogger(__name__)


class ConnectionRefused(ActionRefused):
    """A platform connection that cannot be saved; the message is for people."""


class WebhookRefused(Exception):
    """A delivery that is not signed by the platform, or too old."""


def connection_of(company: Company) -> PlatformConnection | None:
    return PlatformConnection.objects.for_company(company).first()


@transaction.atomic
def platform_connection_save(
    *,
    company: Company,
    flow_url: str,
    directory_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    webhook_secret: str,
    enabled: bool,
    actor: Actor,
    now: dt.datetime,
) -> PlatformConnection:
    """Create or change the company's platform connection; a secret left empty
    keeps the stored one.

    :raises ConnectionRefused: a new connection without its client secret, or
        a webhook secret that is not the base64 signing key the platform gave.
    """
    connection = (
        PlatformConnection.objects.for_company(company).select_for_update().first()
    )
    if connection is None:
        if not client_secret:
            raise ConnectionRefused(_("Enter the client secret the platform gave you."))
        connection = PlatformConnection(company=company)
    if webhook_secret:
        webhook_key_bytes(webhook_secret)  # refuses what is not a signing key
        connection.webhook_secret_encrypted = secret_encrypt(webhook_secret)
    if client_secret:
        connection.client_secret_encrypted = secret_encrypt(client_secret)
    connection.flow_url = flow_url
    connection.directory_url = directory_url
    connection.token_url = token_url
    connection.client_id = client_id
    connection.enabled = enabled
    if connection.polled_until is None:
        connection.polled_until = now
    connection.save()
    return connection


def platform_connection_from_environment(
    *, company: Company, now: dt.datetime
) -> PlatformConnection | None:
    """The EINVOICING_* settings as the connection of a French company (the
    demo's, tests'); nothing when EINVOICING_FLOW_URL is not set."""
    if not settings.EINVOICING_FLOW_URL or company.country != FRANCE:
        return None
    return platform_connection_save(
        company=company,
        flow_url=settings.EINVOICING_FLOW_URL,
        directory_url=settings.EINVOICING_DIRECTORY_URL,
        token_url=settings.EINVOICING_TOKEN_URL,
        client_id=settings.EINVOICING_CLIENT_ID,
        client_secret=settings.EINVOICING_CLIENT_SECRET,
        webhook_secret=settings.EINVOICING_WEBHOOK_SECRET,
        enabled=True,
        actor=None,
        now=now,
    )


def chorus_connection_of(company: Company) -> ChorusConnection | None:
    """The company's Chorus Pro connection, when it sends through it."""
    return ChorusConnection.objects.for_company(company).filter(enabled=True).first()


@transaction.atomic
def chorus_connection_save(
    *,
    company: Company,
    api_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    login: str,
    password: str,
    enabled: bool,
    actor: Actor,
    now: dt.datetime,
) -> ChorusConnection:
    """Create or change the company's Chorus Pro connection (PISTE client
    credentials and technical account); a secret left empty keeps the stored
    one.

    :raises ConnectionRefused: a new connection without its client secret or
        its technical account's password.
    """
    connection = (
        ChorusConnection.objects.for_company(company).select_for_update().first()
    )
    if connection is None:
        if not client_secret or not password:
            raise ConnectionRefused(
                _("Enter the PISTE client secret and the technical account password.")
            )
        connection = ChorusConnection(company=company)
    if client_secret:
        connection.client_secret_encrypted = secret_encrypt(client_secret)
    if password:
        connection.password_encrypted = secret_encrypt(password)
    connection.api_url = api_url
    connection.token_url = token_url
    connection.client_id = client_id
    connection.login = login
    connection.enabled = enabled
    connection.save()
    return connection


def chorus_connection_from_environment(
    *, company: Company, now: dt.datetime
) -> ChorusConnection | None:
    """The CHORUS_* settings as the Chorus Pro connection of a French company
    (the demo's, tests'); nothing when CHORUS_API_URL is not set."""
    if not settings.CHORUS_API_URL or company.country != FRANCE:
        return None
    return chorus_connection_save(
        company=company,
        api_url=settings.CHORUS_API_URL,
        token_url=settings.CHORUS_TOKEN_URL,
        client_id=settings.CHORUS_CLIENT_ID,
        client_secret=settings.CHORUS_CLIENT_SECRET,
        login=settings.CHORUS_LOGIN,
        password=settings.CHORUS_PASSWORD,
        enabled=True,
        actor=None,
        now=now,
    )


def chorus_client_of(connection: ChorusConnection) -> ChorusClient:
    return ChorusClient(
        ChorusCredentials(
            api_url=connection.api_url,
            token_url=connection.token_url,
            client_id=connection.client_id,
            client_secret=secret_decrypt(connection.client_secret_encrypted),
            login=connection.login,
            password=secret_decrypt(connection.password_encrypted),
        )
    )


def credentials_of(connection: PlatformConnection) -> Credentials:
    return Credentials(
        flow_url=connection.flow_url,
        directory_url=connection.directory_url,
        token_url=connection.token_url,
        client_id=connection.client_id,
        client_secret=secret_decrypt(connection.client_secret_encrypted),
    )


def client_of(connection: PlatformConnection) -> PlatformClient:
    return PlatformClient(credentials_of(connection))


def webhook_key_bytes(secret: str) -> bytes:
    """The signing key the platform returned (`signingKey`, base64).

    :raises ConnectionRefused: not base64, or shorter than 256 bits.
    """
    try:
        key = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConnectionRefused(
            _("The webhook signing key is the base64 text the platform gave.")
        ) from exc
    if len(key) < 32:
        raise ConnectionRefused(_("The webhook signing key is too short."))
    return key


def webhook_signature(*, key: bytes, body: bytes, timestamp: str) -> str:
    """Afnor-Signature (Flow Service 1.3.0, webhooks): the HMAC-SHA-256, under
    the signing key, of the payload as sent, "@", and the epoch seconds of
    Afnor-Signature-Timestamp; base64."""
    digest = hmac.new(key, body + b"@" + timestamp.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_connection(
    *, body: bytes, signature: str, timestamp: str, now: dt.datetime
) -> PlatformConnection:
    """The connection whose signing key signed this delivery.

    :raises WebhookRefused: unsigned, stale, or signed by no key of ours.
    """
    if not signature or not timestamp.isdigit():
        raise WebhookRefused("unsigned")
    age = abs(now.timestamp() - int(timestamp))
    if age > settings.EINVOICING_WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRefused("stale")
    # unscoped: the delivery names no company until its signature is checked
    for connection in PlatformConnection.objects.exclude(
        webhook_secret_encrypted=""
    ).select_related("company"):
        try:
            key = webhook_key_bytes(secret_decrypt(connection.webhook_secret_encrypted))
        except Exception:  # an unreadable key signs nothing
            continue
        expected = webhook_signature(key=key, body=body, timestamp=timestamp)
        if hmac.compare_digest(expected, signature):
            return connection
    raise WebhookRefused("bad signature")


def platform_webhook_register(
    *, connection: PlatformConnection, callback_url: str, now: dt.datetime
) -> PlatformConnection:
    """Subscribe `callback_url` to the platform's events and keep the
    signing key it returns (encrypted), replacing the one stored.

    :raises PlatformError: the platform refused or could not be reached.
    :raises ConnectionRefused: its signing key is not one.
    """
    answer = client_of(connection).webhook_create(callback_url=callback_url)
    key = str(answer.get("signingKey", ""))
    webhook_key_bytes(key)
    with transaction.atomic():
        connection = (
            PlatformConnection.objects.for_company(connection.company)
            .select_for_update()
            .get(pk=connection.pk)
        )
        connection.webhook_secret_encrypted = secret_encrypt(key)
        connection.save(update_fields=["webhook_secret_encrypted", "updated_at"])
    return connection


def platform_secrets_reencrypt() -> tuple[int, list[int]]:
    """Encrypt every platform secret again under the first key (a key
    rotation); returns how many connections and those no key opens."""
    done, unreadable = 0, []
    # unscoped: every company's connection, for the key rotation
    for connection in PlatformConnection.objects.order_by("pk"):
        try:
            client_secret = secret_reencrypt(connection.client_secret_encrypted)
            webhook_secret = secret_reencrypt(connection.webhook_secret_encrypted)
            # unscoped: the connection's own row, by its key
            PlatformConnection.objects.filter(pk=connection.pk).update(
                client_secret_encrypted=client_secret,
                webhook_secret_encrypted=webhook_secret,
            )
        except SecretUnreadable:
            unreadable.append(connection.company_id)
            continue
        done += 1
    # unscoped: every company's Chorus Pro connection, for the key rotation
    for chorus in ChorusConnection.objects.order_by("pk"):
        try:
            # unscoped: the connection's own row, by its key
            ChorusConnection.objects.filter(pk=chorus.pk).update(
                client_secret_encrypted=secret_reencrypt(
                    chorus.client_secret_encrypted
                ),
                password_encrypted=secret_reencrypt(chorus.password_encrypted),
            )
        except SecretUnreadable:
            unreadable.append(chorus.company_id)
            continue
        done += 1
    return done, unreadable

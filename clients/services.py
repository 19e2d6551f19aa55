"""Every change to a client and its portal link."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from clients.access import browser_family, coarse_network
from clients.models import Client, ClientPortalAccess
from clients.portal_link import (
    PortalLinkUnreadable,
    portal_token_encrypt,
    portal_token_reencrypt,
)
from companies import audit
from companies.errors import ActionRefused
from companies.models import Actor, Company
from companies.services import fields_update


def portal_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _portal_token_issue(client: Client, now: dt.datetime) -> None:
    """A new token for the client (256 bits), kept only encrypted and as its
    digest, and known to this instance (not saved)."""
    token = secrets.token_urlsafe(32)
    client.portal_token_encrypted = portal_token_encrypt(token)
    client.portal_token_digest = portal_token_digest(token)
    client.portal_token_issued_at = now
    client.portal_token_remember(token)


@transaction.atomic
def client_create(*, company: Company, now: dt.datetime, **fields: object) -> Client:
    """Create a client with a fresh portal link of its own."""
    client = Client(company=company, **fields)
    _portal_token_issue(client, now)
    client.save(force_insert=True)
    return client


CLIENT_EDITABLE_FIELDS = (
    "name",
    "email",
    "extra_emails",
    "address",
    "delivery_address",
    "country",
    "is_business",
    "siren",
    "vat_number",
    "electronic_address",
    "is_public_buyer",
    "service_code",
    "locale",
    "reminders_enabled",
    "payment_terms_days",
    "payment_terms_end_of_month",
)


@transaction.atomic
def client_update(*, client: Client, **fields: object) -> Client:
    """Change a client's contact details; its portal link stays as it is.

    :raises ValueError: a field that is not a contact detail.
    """
    # unscoped: the stored row of the client in hand, not a copy a form changed
    client = Client.objects.select_for_update().get(pk=client.pk)
    if fields_update(client, allowed=CLIENT_EDITABLE_FIELDS, fields=fields):
        client_portal_revision_bump(client_id=client.pk)
    return client


@transaction.atomic
def client_portal_rotate(*, client: Client, actor: Actor, now: dt.datetime) -> Client:
    """Give the client a new portal link; the old one stops working at once."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    _portal_token_issue(client, now)
    client.save(
        update_fields=[
            "portal_token_encrypted",
            "portal_token_digest",
            "portal_token_issued_at",
            "updated_at",
        ]
    )
    audit.portal_link_rotated(
        company=client.company, client=client, actor=actor, at=now
    )
    client_portal_revision_bump(client_id=client.pk)  # open pages learn: 404
    return client


@transaction.atomic
def client_portal_disable(*, client: Client, actor: Actor, now: dt.datetime) -> bool:
    """Switch the client's link off: it answers 404 until enabled again.
    Returns whether anything changed."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    if client.portal_disabled_at is not None:
        return False
    client.portal_disabled_at = now
    client.save(update_fields=["portal_disabled_at", "updated_at"])
    audit.portal_link_disabled(
        company=client.company, client=client, actor=actor, at=now
    )
    client_portal_revision_bump(client_id=client.pk)
    return True


@transaction.atomic
def client_portal_enable(*, client: Client, actor: Actor, now: dt.datetime) -> bool:
    """Switch a disabled link back on (the same link). Whether anything changed."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    if client.portal_disabled_at is None:
        return False
    client.portal_disabled_at = None
    client.save(update_fields=["portal_disabled_at", "updated_at"])
    audit.portal_link_enabled(
        company=client.company, client=client, actor=actor, at=now
    )
    client_portal_revision_bump(client_id=client.pk)
    return True


class ClientHasDocuments(ActionRefused):
    """A client with documents is kept for good: archived, never deleted."""

    @classmethod
    def of(cls, client: Client) -> "ClientHasDocuments":
        return cls(
            _(
                "%(client)s has documents, so it cannot be deleted: archive it "
                "instead. It leaves the lists; its documents stay as they are."
            )
            % {"client": client.name}
        )


@transaction.atomic
def client_archive(
    *, client: Client, actor: Actor, now: dt.datetime, open_invoices: int
) -> None:
    """Take the client out of lists and pickers; its portal link keeps working
    and its documents stay as they are. `open_invoices`, how many of its
    invoices still expect money (archiving settles nothing), is recorded with
    the event."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    if client.archived_at is None:
        client.archived_at = now
        client.save(update_fields=["archived_at", "updated_at"])
        audit.client_archived(
            company=client.company,
            client=client,
            actor=actor,
            at=now,
            open_invoices=open_invoices,
        )


@transaction.atomic
def client_restore(*, client: Client, actor: Actor, now: dt.datetime) -> bool:
    """Bring an archived client back into lists and pickers. Whether anything
    changed."""
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    if client.archived_at is None:
        return False
    client.archived_at = None
    client.save(update_fields=["archived_at", "updated_at"])
    audit.client_restored(company=client.company, client=client, actor=actor, at=now)
    return True


@transaction.atomic
def client_delete(*, client: Client, actor: Actor, now: dt.datetime) -> None:
    """Delete a client that never had a document (one added by mistake).

    :raises ClientHasDocuments: it has documents; archive it instead.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)  # unscoped: in hand
    if client.documents.exists():
        raise ClientHasDocuments.of(client)
    audit.client_deleted(company=client.company, client=client, actor=actor, at=now)
    client.delete()


# How long the same page, opened again from the same network and browser,
# counts as the same visit in the access log.
ACCESS_DEDUPLICATION = dt.timedelta(minutes=10)


def client_portal_access_record(
    *,
    client: Client,
    document_id: int | None,
    address: str,
    user_agent: str,
    now: dt.datetime,
) -> ClientPortalAccess | None:
    """Note that the client's portal was opened in a browser; None when the
    same page was noted from the same network and browser a moment ago."""
    network, browser = coarse_network(address), browser_family(user_agent)
    rows = ClientPortalAccess.objects.for_company(client.company).filter(
        client=client,
        network=network,
        browser=browser,
        at__gte=now - ACCESS_DEDUPLICATION,
    )
    if document_id is None:
        rows = rows.filter(document__isnull=True)
    else:
        rows = rows.filter(document_id=document_id)
    recent = rows.exists()
    if recent:
        return None
    return ClientPortalAccess.objects.create(
        company_id=client.company_id,
        client=client,
        document_id=document_id,
        at=now,
        network=network,
        browser=browser,
    )


def client_portal_revision_bump(*, client_id: int) -> None:
    """Tell open portal pages of this client that something they show changed.

    Called inside the transaction of the change itself, so the new revision is
    visible exactly when the change is.
    """
    # unscoped: the caller changed this very client inside the same transaction
    Client.objects.filter(pk=client_id).update(portal_revision=F("portal_revision") + 1)


def client_portal_tokens_reencrypt() -> tuple[int, list[int]]:
    """Encrypt every stored portal token again under the first key of
    PORTAL_TOKEN_KEYS (after a new key was put first); the links stay the same.
    Returns how many were encrypted again, and the clients whose token no key
    decrypts (their links must be rotated)."""
    done, unreadable = 0, []
    # unscoped: every company's clients, one at a time
    rows = Client.objects.values_list("pk", "portal_token_encrypted").iterator()
    for pk, stored in rows:
        try:
            again = portal_token_reencrypt(stored)
        except PortalLinkUnreadable:
            unreadable.append(pk)
            continue
        # unscoped: the row just read; only if no rotation replaced it meanwhile
        done += Client.objects.filter(pk=pk, portal_token_encrypted=stored).update(
            portal_token_encrypted=again
        )
    return done, unreadable

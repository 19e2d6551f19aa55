"""Telling the client what it did: asked for here, in the action's transaction,
delivered by a task (once, retried like every client e-mail)."""

import datetime as dt

from clients.models import Client
from companies.queue import enqueue_at_commit
from documents.models import ClientEmail, Document
from mail.tasks import client_email_deliver


def client_notice_request(
    *, client: Client, document: Document | None, kind: str, now: dt.datetime
) -> ClientEmail | None:
    """Ask for an e-mail of `kind` (one that `mail.hooks` knows) to the client;
    None when the client has no e-mail address. Called inside the service's
    transaction: the e-mail exists only if the action does, and goes once."""
    recipients = client.recipients
    if not recipients:
        return None
    email = ClientEmail.objects.create(
        company_id=client.company_id,
        client=client,
        document=document,
        kind=kind,
        recipients=recipients,
        requested_at=now,
    )
    enqueue_at_commit(client_email_deliver, email.pk)
    return email

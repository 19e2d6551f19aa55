"""Sending a final document to its client: asked for here, delivered by a task."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from clients.models import Client
from companies.models import Actor
from documents import status
from documents.models import ClientEmail, Document
from documents.services import document_finalise
from documents.services.errors import DocumentError
from mail.tasks import client_email_enqueue


class DocumentNotSendable(DocumentError):
    pass


class DocumentHiddenNotSendable(DocumentNotSendable):
    """A hidden document: the client could not open what the e-mail links to."""


@transaction.atomic
def document_send(*, document: Document, actor: Actor, now: dt.datetime) -> ClientEmail:
    """Ask for the document's current version to be e-mailed to every recipient
    of its client, with its PDF and its portal link; a task delivers it.

    :raises DocumentNotSendable: a draft, or a client without an e-mail address.
    :raises DocumentHiddenNotSendable: hidden from the client's portal.
    """
    document = (
        # unscoped: re-read under lock (its own row, not the client's)
        Document.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=document.pk)
    )
    if not status.is_sendable(document):
        if document.is_draft:
            raise DocumentNotSendable(_("Finalise the document before sending it."))
        raise DocumentHiddenNotSendable(
            _(
                "It is hidden from the client's portal. Show it in the portal "
                "first, then send it."
            )
        )
    recipients = document.client.recipients
    if not recipients:
        raise DocumentNotSendable(
            _("%(client)s has no e-mail address.") % {"client": document.client.name}
        )
    email = ClientEmail.objects.create(
        company_id=document.company_id,
        client=document.client,
        document=document,
        version=document.current_version,
        kind=ClientEmail.Kind.DOCUMENT,
        recipients=recipients,
        requested_at=now,
        requested_by=actor,
    )
    transaction.on_commit(lambda: client_email_enqueue(email_id=email.pk))
    return email


@transaction.atomic
def document_finalise_and_send(
    *, document: Document, actor: Actor, now: dt.datetime
) -> ClientEmail:
    """ "Finalise and send": number the draft and e-mail it to its client, in
    one transaction: when sending is refused, the draft stays a draft and
    its number is given back.

    :raises DocumentNotFinalisable: what `document_finalise` refuses.
    :raises DocumentNotSendable: a client without an e-mail address, a
        document hidden from the portal.
    """
    finalised = document_finalise(document=document, actor=actor, now=now)
    return document_send(document=finalised, actor=actor, now=now)


@transaction.atomic
def client_portal_link_send(
    *, client: Client, actor: Actor, now: dt.datetime
) -> ClientEmail:
    """Ask for the client's portal link (as it is now) to be e-mailed to it.

    :raises DocumentNotSendable: no portal (no add-on, link disabled) or no
        e-mail address.
    """
    if not client.has_portal:
        raise DocumentNotSendable(_("This client has no portal link to send."))
    if not client.recipients:
        raise DocumentNotSendable(
            _("%(client)s has no e-mail address.") % {"client": client.name}
        )
    email = ClientEmail.objects.create(
        company_id=client.company_id,
        client=client,
        kind=ClientEmail.Kind.PORTAL_LINK,
        recipients=client.recipients,
        requested_at=now,
        requested_by=actor,
    )
    transaction.on_commit(lambda: client_email_enqueue(email_id=email.pk))
    return email

"""Sending a final document to its client."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import emails, events
from documents.models import Document
from documents.services.errors import DocumentError


class DocumentNotSendable(DocumentError):
    pass


@transaction.atomic
def document_send(*, document: Document, actor: Actor, now: dt.datetime) -> Document:
    """Record that a final document was sent, and e-mail the client its portal link.

    :raises DocumentNotSendable: a draft, or a client without an e-mail address.
    """
    document = (
        # unscoped: re-read under lock (its own row, not the client's)
        Document.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=document.pk)
    )
    if document.is_draft:
        raise DocumentNotSendable(_("Finalise the document before sending it."))
    if not document.client.email:
        raise DocumentNotSendable(
            _("%(client)s has no e-mail address.") % {"client": document.client.name}
        )
    document.sent_at = now
    document.save(update_fields=["sent_at", "updated_at"])
    events.document_sent(
        document=document, actor=actor, at=now, recipient=document.client.email
    )
    client_portal_revision_bump(client_id=document.client_id)
    transaction.on_commit(lambda: emails.document_sent_notify(document_id=document.pk))
    return document

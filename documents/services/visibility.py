"""Hiding a document from its client's portal, and showing it again."""

import datetime as dt

from django.db import transaction

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events
from documents.models import Document


def _visibility_set(
    *, document: Document, hidden: bool, actor: Actor, now: dt.datetime
) -> bool:
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.hidden_from_portal == hidden:
        return False
    document.hidden_from_portal = hidden
    document.save(update_fields=["hidden_from_portal", "updated_at"])
    writer = events.document_hidden if hidden else events.document_shown
    writer(document=document, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return True


@transaction.atomic
def document_hide(*, document: Document, actor: Actor, now: dt.datetime) -> bool:
    """Hide a document from the client's portal. Returns whether anything changed."""
    return _visibility_set(document=document, hidden=True, actor=actor, now=now)


@transaction.atomic
def document_show(*, document: Document, actor: Actor, now: dt.datetime) -> bool:
    """Show a document in the client's portal again; whether anything changed."""
    return _visibility_set(document=document, hidden=False, actor=actor, now=now)

"""Moving a final document from one status to another, under its row lock."""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events, status
from documents.models import Document
from documents.services.errors import DocumentError


class StatusChangeRefused(DocumentError):
    pass


def status_change(
    document: Document, *, allowed: Callable[[Document], bool], to: str, refusal: str
) -> Document:
    """Lock the document, check `allowed` on what the lock read, and move it `to`.

    :raises StatusChangeRefused: `allowed` says no; `refusal` is the message.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not allowed(document):
        raise StatusChangeRefused(refusal)
    document.status = to
    document.save(update_fields=["status", "updated_at"])
    client_portal_revision_bump(client_id=document.client_id)
    return document


@transaction.atomic
def document_cancel(*, document: Document, actor: Actor, now: dt.datetime) -> Document:
    """Cancel an unpaid invoice or an open quote.

    :raises StatusChangeRefused: a draft, money already received, or closed.
    """
    document = status_change(
        document,
        allowed=status.is_cancelable,
        to=Document.Status.CANCELED,
        refusal=_("Only an open quote or an unpaid invoice can be canceled."),
    )
    events.document_canceled(document=document, actor=actor, at=now)
    return document

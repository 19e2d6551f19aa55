"""Deleting a draft: a working copy that never left the business."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from companies import audit
from companies.models import Actor
from documents.models import Document, DocumentEvent
from documents.services.errors import DocumentError


class DocumentNotDeletable(DocumentError):
    pass


@transaction.atomic
def document_draft_delete(
    *, document: Document, actor: Actor, now: dt.datetime
) -> None:
    """Delete a draft with its lines and its own history; the company's
    activity log keeps who deleted what. A finalised document is never
    deleted (an invoice is canceled by a credit note, a quote canceled).

    :raises DocumentNotDeletable: not a draft (checked under the row lock).
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DocumentNotDeletable(
            _("Only a draft can be deleted: %(document)s is finalised.")
            % {"document": document}
        )
    audit.draft_deleted(
        company=document.company,
        document=document,
        actor=actor,
        at=now,
        details={
            "kind": document.kind,
            "client": document.client.name,
            "total": str(document.total),
            "currency": document.currency,
        },
    )
    document.lines.all().delete()
    # The database lets a draft's events go, and no other's.
    DocumentEvent.objects.for_company(document.company).filter(
        document=document
    ).delete()
    document.delete()

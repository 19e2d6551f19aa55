"""Finalising a draft: its gapless number and its first version."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events
from documents.models import Document, DocumentNumberSequence
from documents.services.drafts import document_lines, totals_of
from documents.services.errors import DocumentError
from documents.services.versions import snapshot, version_write


class DocumentNotFinalisable(DocumentError):
    pass


def _number_allocate(document: Document, now: dt.datetime) -> None:
    """Take the next number of the company, kind and year, inside this transaction.

    The sequence row is locked until commit, so two finalisations never read the
    same value, and a rolled-back one gives its number back: no gaps.
    """
    year = timezone.localdate(now).year
    scope = {"company_id": document.company_id, "kind": document.kind, "year": year}
    DocumentNumberSequence.objects.bulk_create(
        [DocumentNumberSequence(**scope, last_number=0)], ignore_conflicts=True
    )
    # unscoped: the scope above names the company
    sequence = DocumentNumberSequence.objects.select_for_update().get(**scope)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    prefix = Document.NUMBER_PREFIXES[document.kind]
    document.number = f"{prefix}-{year}-{sequence.last_number:04d}"
    document.number_year = year
    document.number_sequence = sequence.last_number


@transaction.atomic
def document_finalise(
    *, document: Document, actor: Actor, now: dt.datetime
) -> Document:
    """Give a draft its number and its first version; the client can now see it.

    :raises DocumentNotFinalisable: not a draft, or no lines.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DocumentNotFinalisable(_("This document is already finalised."))
    lines = document_lines(document)
    if not lines:
        raise DocumentNotFinalisable(_("A document needs at least one line."))
    totals = totals_of(lines, document.currency)
    _number_allocate(document, now)
    document.status = (
        Document.Status.TO_PAY
        if document.kind == Document.Kind.INVOICE
        else Document.Status.PENDING
    )
    document.finalised_at = now
    document.save(
        update_fields=[
            "number",
            "number_year",
            "number_sequence",
            "status",
            "finalised_at",
            "updated_at",
        ]
    )
    version_write(
        document=document,
        content=snapshot(document, totals),
        totals=totals,
        actor=actor,
        now=now,
    )
    events.document_finalised(document=document, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return document

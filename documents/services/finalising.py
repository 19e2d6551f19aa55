"""Finalising a draft: its gapless number and its first version."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events
from documents.models import Document, DocumentNumberSequence
from documents.services.deductions import deductions_for
from documents.services.drafts import document_lines, issue_check, totals_of
from documents.services.errors import DocumentError
from documents.services.versions import snapshot, version_write


class DocumentNotFinalisable(DocumentError):
    pass


def number_allocate(document: Document, now: dt.datetime) -> None:
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
    An invoice's version must make a valid Factur-X e-invoice.

    :raises DocumentNotFinalisable: not a draft, an invoice without a due
        date, no lines, or an invoice that
        lacks what an e-invoice needs (a SIREN, a VAT number…): nothing is
        written, the number is given back.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DocumentNotFinalisable(_("This document is already finalised."))
    if document.kind == Document.Kind.INVOICE and document.due_date is None:
        raise DocumentNotFinalisable(
            _("This invoice has no due date: give it one, then finalise it.")
        )
    lines = document_lines(document)
    if not lines:
        raise DocumentNotFinalisable(_("A document needs at least one line."))
    try:
        # A final invoice takes off the deposits issued up to now.
        totals = totals_of(lines, document.currency, deductions_for(document))
    except DocumentError as exc:
        raise DocumentNotFinalisable(str(exc)) from exc
    number_allocate(document, now)
    document.status = (
        Document.Status.TO_PAY
        if document.kind == Document.Kind.INVOICE
        else Document.Status.PENDING
    )
    document.finalised_at = now
    document.total_excl_tax = totals.total_excl_tax
    document.total_tax = totals.total_tax
    document.total = totals.total
    content = snapshot(document, totals)
    issue_check(content, DocumentNotFinalisable)
    document.save(
        update_fields=[
            "number",
            "number_year",
            "number_sequence",
            "status",
            "finalised_at",
            "total_excl_tax",
            "total_tax",
            "total",
            "updated_at",
        ]
    )
    version_write(
        document=document, content=content, totals=totals, actor=actor, now=now
    )
    events.document_finalised(document=document, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return document

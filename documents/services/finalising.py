"""Finalising a draft: its gapless number and its first version."""

import copy
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events, hooks
from documents.models import Document, DocumentNumberSequence
from documents.services.deductions import deductions_for
from documents.services.drafts import document_lines, issue_check, totals_of
from documents.services.errors import DocumentError
from documents.services.versions import snapshot, version_write
from documents.totals import LineInput, Totals


class DocumentNotFinalisable(DocumentError):
    pass


def _draft_basics(
    document: Document, lines: list[LineInput]
) -> tuple[str | None, Totals | None]:
    """The first thing a draft lacks before anything is numbered (an invoice's
    due date, a line, totals that add up), or its totals."""
    if document.kind == Document.Kind.INVOICE and document.due_date is None:
        return _("This invoice has no due date: give it one, then finalise it."), None
    if not lines:
        return _("A document needs at least one line."), None
    try:
        # A final invoice takes off the deposits issued up to now.
        return None, totals_of(lines, document.currency, deductions_for(document))
    except DocumentError as exc:
        return str(exc), None


def finalise_problems(*, document: Document, now: dt.datetime) -> list[str]:
    """What would make finalising the draft refused now, each said for people
    (empty: it can be finalised): the checks of `document_finalise`, run on
    a copy numbered for the preview, nothing written or locked. Shown on the
    draft's page, before anyone confirms anything.
    """
    if not document.is_draft:
        return []
    lines = document_lines(document)
    problem, totals = _draft_basics(document, lines)
    if problem is not None or totals is None:
        return [problem] if problem else []
    preview = copy.copy(document)
    issue_date_set(preview, now)
    year = timezone.localdate(now).year
    preview.number = f"{Document.NUMBER_PREFIXES[document.kind]}-{year}-0000"
    content = snapshot(preview, totals)
    problems = []
    for check in hooks.issue_checks:
        try:
            check(content, DocumentNotFinalisable)
        except DocumentNotFinalisable as exc:
            problems.append(str(exc))
    return problems


def scope_of(document: Document, year: int) -> dict[str, object]:
    # unscoped: the company is named
    return {
        "company_id": document.company_id,
        "kind": document.kind,
        "number_year": year,
    }


def issue_date_set(document: Document, now: dt.datetime) -> None:
    """The issue date is the finalisation date, today in the business's time
    zone (chronological numbering); the due or expiry date keeps the term
    the draft gave it."""
    today = timezone.localdate(now)
    shift = today - document.issue_date
    if not shift:
        return
    document.issue_date = today
    if document.due_date is not None:
        document.due_date = max(document.due_date + shift, today)
    if document.expiry_date is not None:
        document.expiry_date = max(document.expiry_date + shift, today)


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
    # The sequence's latest document, issued before this one under the same
    # lock: numbers and dates go the same way.
    latest = (
        # unscoped: the scope names the company
        Document.objects.filter(**scope_of(document, year))
        .filter(number_sequence=sequence.last_number - 1)
        .values_list("finalised_at", flat=True)
        .first()
    )
    if latest is not None and timezone.localdate(latest) > timezone.localdate(now):
        raise DocumentError(
            _(
                "The previous number was issued on %(date)s, after today: "
                "numbers must follow dates."
            )
            % {"date": timezone.localdate(latest).isoformat()}
        )
    prefix = Document.NUMBER_PREFIXES[document.kind]
    document.number = f"{prefix}-{year}-{sequence.last_number:04d}"
    document.number_year = year
    document.number_sequence = sequence.last_number


@transaction.atomic
def document_finalise(
    *, document: Document, actor: Actor, now: dt.datetime
) -> Document:
    """Give a draft its number, today as its issue date, and its first
    version; the client can now see it. An invoice's version must make a
    valid Factur-X e-invoice.

    :raises DocumentNotFinalisable: not a draft, an invoice without a due
        date, no lines, or an invoice that
        lacks what an e-invoice needs (a SIREN, a VAT number…): nothing is
        written, the number is given back.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DocumentNotFinalisable(_("This document is already finalised."))
    lines = document_lines(document)
    problem, totals = _draft_basics(document, lines)
    if problem is not None:
        raise DocumentNotFinalisable(problem)
    assert totals is not None  # no problem: the totals were computed
    number_allocate(document, now)
    issue_date_set(document, now)
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
            "issue_date",
            "due_date",
            "expiry_date",
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

"""Every change to a quote or an invoice: one function per business action.

Each runs in one transaction, writes the document's history (a DocumentEvent)
and bumps the client's portal revision in that same transaction; side effects
(e-mail, PDF rendering) run on commit.
"""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from clients.services import client_portal_revision_bump
from companies.models import Company
from documents import emails, events, tasks
from documents.models import (
    Document,
    DocumentLine,
    DocumentNumberSequence,
    DocumentVersion,
)
from documents.money import is_known_currency
from documents.totals import InvalidLine, LineInput, Totals, compute_totals

Actor = AbstractBaseUser | None


class DocumentError(Exception):
    """A document action refused; the message is written for people."""


class InvalidDocument(DocumentError):
    pass


class DocumentNotEditable(DocumentError):
    pass


class DocumentNotFinalisable(DocumentError):
    pass


class DocumentNotSendable(DocumentError):
    pass


class StatusChangeRefused(DocumentError):
    pass


HEADER_FIELDS = (
    "currency",
    "issue_date",
    "due_date",
    "expiry_date",
    "requires_signature",
    "notes",
)


def _validate_header(*, kind: str, header: dict) -> None:
    if not is_known_currency(header["currency"]):
        raise InvalidDocument(
            _("%(code)s is not a known currency.") % {"code": header["currency"]}
        )
    issue_date = header["issue_date"]
    if kind == Document.Kind.INVOICE:
        if header.get("expiry_date") is not None or header.get("requires_signature"):
            raise InvalidDocument(_("An invoice has a due date, not an expiry date."))
        if header.get("due_date") is not None and header["due_date"] < issue_date:
            raise InvalidDocument(_("The due date cannot be before the issue date."))
    else:
        if header.get("due_date") is not None:
            raise InvalidDocument(_("A quote has an expiry date, not a due date."))
        if header.get("expiry_date") is not None and header["expiry_date"] < issue_date:
            raise InvalidDocument(_("The expiry date cannot be before the issue date."))


def _totals(lines: Sequence[LineInput], currency: str) -> Totals:
    try:
        return compute_totals(lines, currency)
    except InvalidLine as exc:
        raise InvalidDocument(str(exc)) from exc


def _replace_lines(document: Document, lines: Sequence[LineInput]) -> None:
    document.lines.all().delete()
    DocumentLine.objects.bulk_create(
        DocumentLine(
            company_id=document.company_id,
            document=document,
            position=position,
            description=line.description.strip(),
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
        )
        for position, line in enumerate(lines)
    )


def _apply_totals(document: Document, totals: Totals) -> None:
    document.total_excl_tax = totals.total_excl_tax
    document.total_tax = totals.total_tax
    document.total = totals.total


def document_lines(document: Document) -> list[LineInput]:
    """The document's working lines, as the services take them."""
    return [
        LineInput(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
        )
        for line in document.lines.order_by("position", "pk")
    ]


@transaction.atomic
def document_create(
    *,
    company: Company,
    client: Client,
    kind: str,
    lines: Sequence[LineInput],
    actor: Actor,
    now: dt.datetime,
    currency: str | None = None,
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    expiry_date: dt.date | None = None,
    requires_signature: bool = False,
    notes: str = "",
    hidden_from_portal: bool = False,
) -> Document:
    """Create a draft quote or invoice for one of the company's clients.

    :raises InvalidDocument: unknown currency, dates out of order, a bad line.
    """
    if client.company_id != company.pk:
        raise InvalidDocument(_("This client does not belong to your company."))
    if kind not in Document.Kind.values:
        raise InvalidDocument(_("A document is a quote or an invoice."))
    header = {
        "currency": currency or company.default_currency,
        "issue_date": issue_date or timezone.localdate(now),
        "due_date": due_date,
        "expiry_date": expiry_date,
        "requires_signature": requires_signature,
        "notes": notes,
    }
    _validate_header(kind=kind, header=header)
    totals = _totals(lines, header["currency"])
    document = Document(
        company=company,
        client=client,
        kind=kind,
        hidden_from_portal=hidden_from_portal,
        **header,
    )
    _apply_totals(document, totals)
    document.save()
    _replace_lines(document, lines)
    events.document_created(document=document, actor=actor, at=now)
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    lines: Sequence[LineInput],
    actor: Actor,
    now: dt.datetime,
    client: Client | None = None,
    **header: object,
) -> DocumentVersion | None:
    """Change a document's content.

    A draft is simply changed. A finalised document keeps what it was: the new
    content becomes its next version, when it differs from the current one.
    Returns the new version, if one was written.

    :raises DocumentNotEditable: paid, partly paid, accepted, declined or canceled.
    :raises InvalidDocument: unknown currency, dates out of order, a bad line.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"Not a document header field: {sorted(unknown)}")
    editable_statuses = (
        Document.Status.DRAFT,
        Document.Status.TO_PAY,
        Document.Status.PENDING,
    )
    if document.status not in editable_statuses or document.amount_paid > 0:
        raise DocumentNotEditable(
            _("A %(status)s document can no longer be changed.")
            % {"status": document.get_status_display().lower()}
        )
    if client is not None and client.pk != document.client_id:
        if not document.is_draft:
            raise DocumentNotEditable(
                _("A finalised document cannot move to another client.")
            )
        if client.company_id != document.company_id:
            raise InvalidDocument(_("This client does not belong to your company."))
        document.client = client
    merged = {name: getattr(document, name) for name in HEADER_FIELDS} | header
    _validate_header(kind=document.kind, header=merged)
    totals = _totals(lines, merged["currency"])
    for name, value in merged.items():
        setattr(document, name, value)
    _apply_totals(document, totals)
    document.save()
    _replace_lines(document, lines)
    if document.is_draft:
        return None
    content = _snapshot(document, totals)
    if content == document.current_version.content:
        return None
    version = _version_write(
        document=document, content=content, totals=totals, actor=actor, now=now
    )
    events.document_new_version(document=document, version=version, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return version


def _snapshot(document: Document, totals: Totals) -> dict:
    """Everything a version shows, frozen: parties, dates, lines and totals."""
    company, client = document.company, document.client

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "kind": document.kind,
        "number": document.number,
        "currency": document.currency,
        "issue_date": day(document.issue_date),
        "due_date": day(document.due_date),
        "expiry_date": day(document.expiry_date),
        "requires_signature": document.requires_signature,
        "notes": document.notes,
        "payment_reference": document.number,
        "seller": {
            "name": company.name,
            "legal_name": company.legal_name or company.name,
            "address": company.address,
            "vat_number": company.vat_number,
            "registration_number": company.registration_number,
            "email": company.email,
            "iban": company.iban,
            "bic": company.bic,
        },
        "client": {
            "name": client.name,
            "address": client.address,
            "email": client.email,
            "vat_number": client.vat_number,
        },
        "lines": totals.lines,
        "vat_breakdown": totals.vat_breakdown,
        "totals": {
            "excl_tax": str(totals.total_excl_tax),
            "tax": str(totals.total_tax),
            "total": str(totals.total),
        },
    }


def _version_write(
    *, document: Document, content: dict, totals: Totals, actor: Actor, now: dt.datetime
) -> DocumentVersion:
    last = (
        document.versions.order_by("-number").values_list("number", flat=True).first()
    )
    version = DocumentVersion.objects.create(
        company_id=document.company_id,
        document=document,
        number=(last or 0) + 1,
        content=content,
        total_excl_tax=totals.total_excl_tax,
        total_tax=totals.total_tax,
        total=totals.total,
        created_at=now,
        created_by=actor,
    )
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    # The version's PDF is printed once, off the request path, after commit.
    transaction.on_commit(lambda: tasks.version_render_pdf.enqueue(version.pk))
    return version


def _allocate_number(document: Document, now: dt.datetime) -> None:
    """Take the next number of the company, kind and year, inside this transaction.

    The sequence row is locked until commit, so two finalisations never read the
    same value, and a rolled-back one gives its number back: no gaps.
    """
    year = timezone.localdate(now).year
    scope = {"company_id": document.company_id, "kind": document.kind, "year": year}
    DocumentNumberSequence.objects.bulk_create(
        [DocumentNumberSequence(**scope, last_number=0)], ignore_conflicts=True
    )
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
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DocumentNotFinalisable(_("This document is already finalised."))
    lines = document_lines(document)
    if not lines:
        raise DocumentNotFinalisable(_("A document needs at least one line."))
    totals = _totals(lines, document.currency)
    _allocate_number(document, now)
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
    _version_write(
        document=document,
        content=_snapshot(document, totals),
        totals=totals,
        actor=actor,
        now=now,
    )
    events.document_finalised(document=document, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return document


@transaction.atomic
def document_send(*, document: Document, actor: Actor, now: dt.datetime) -> Document:
    """Record that a final document was sent, and e-mail the client its portal link.

    :raises DocumentNotSendable: a draft, or a client without an e-mail address.
    """
    document = (
        Document.objects.select_for_update(of=("self",))  # not the client's row
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


def _set_visibility(
    *, document: Document, hidden: bool, actor: Actor, now: dt.datetime
) -> bool:
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
    return _set_visibility(document=document, hidden=True, actor=actor, now=now)


@transaction.atomic
def document_show(*, document: Document, actor: Actor, now: dt.datetime) -> bool:
    """Show a document in the client's portal again; whether anything changed."""
    return _set_visibility(document=document, hidden=False, actor=actor, now=now)


def _change_status(
    document: Document, *, allowed_from: Sequence[str], to: str, refusal: str
) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status not in allowed_from:
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
    if document.amount_paid > 0:
        raise StatusChangeRefused(_("An invoice with payments cannot be canceled."))
    document = _change_status(
        document,
        allowed_from=(Document.Status.TO_PAY, Document.Status.PENDING),
        to=Document.Status.CANCELED,
        refusal=_("Only an open quote or an unpaid invoice can be canceled."),
    )
    events.document_canceled(document=document, actor=actor, at=now)
    return document


@transaction.atomic
def quote_accept(
    *, quote: Document, actor: Actor, now: dt.datetime, actor_name: str = ""
) -> Document:
    """Mark a pending quote accepted.

    :raises StatusChangeRefused: not a pending quote.
    """
    if quote.kind != Document.Kind.QUOTE:
        raise StatusChangeRefused(_("Only a quote can be accepted."))
    quote = _change_status(
        quote,
        allowed_from=(Document.Status.PENDING,),
        to=Document.Status.ACCEPTED,
        refusal=_("Only a pending quote can be accepted."),
    )
    events.quote_accepted(document=quote, actor=actor, at=now, actor_name=actor_name)
    return quote


@transaction.atomic
def quote_decline(
    *,
    quote: Document,
    actor: Actor,
    now: dt.datetime,
    reason: str = "",
    actor_name: str = "",
) -> Document:
    """Mark a pending quote declined.

    :raises StatusChangeRefused: not a pending quote.
    """
    if quote.kind != Document.Kind.QUOTE:
        raise StatusChangeRefused(_("Only a quote can be declined."))
    quote = _change_status(
        quote,
        allowed_from=(Document.Status.PENDING,),
        to=Document.Status.DECLINED,
        refusal=_("Only a pending quote can be declined."),
    )
    events.quote_declined(
        document=quote, actor=actor, at=now, reason=reason, actor_name=actor_name
    )
    return quote

"""Writing a document's content: creating a draft, changing a draft or, once
finalised, publishing the change as the document's next version."""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from clients.services import client_portal_revision_bump
from companies.models import Actor, Company
from companies.money import (
    is_known_currency,
    is_supported_currency,
    unsupported_currency_message,
)
from companies.payment_terms import payment_terms_for
from companies.validators import NOTES_MAX_LENGTH, is_single_line
from documents import events, hooks, status
from documents.models import Document, DocumentLine, DocumentVersion
from documents.services import frozen
from documents.services.deductions import deductions_for
from documents.services.errors import DocumentError
from documents.services.versions import snapshot, version_write
from documents.totals import (
    Deduction,
    InvalidLine,
    LineInput,
    Totals,
    compute_totals,
)


class InvalidDocument(DocumentError):
    pass


class DocumentNotEditable(DocumentError):
    pass


# The header fields a document's form and its services share.
HEADER_FIELDS = (
    "currency",
    "issue_date",
    "due_date",
    "expiry_date",
    "requires_signature",
    "notes",
    "operation_category",
    "vat_exemption",
    "delivery_date",
    "delivery_end_date",
    "purchase_order",
    "euro_rate",
)
PURCHASE_ORDER_MAX_LENGTH = 100


def header_errors(*, kind: str, header: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a document's header, field by field (the back-office
    form shows each next to its field; the services refuse the first)."""
    errors = {}
    category = header.get("operation_category")
    if category is not None and category not in Document.OperationCategory.values:
        errors["operation_category"] = _("An invoice is for goods, services or both.")
    exemption = header.get("vat_exemption")
    if exemption not in (None, "") and exemption not in Document.VatExemption.values:
        errors["vat_exemption"] = _("Unknown reason for 0 % VAT.")
    currency = header.get("currency")
    if currency is not None and not is_known_currency(currency):
        errors["currency"] = _("%(code)s is not a known currency.") % {"code": currency}
    elif currency is not None and not is_supported_currency(currency):
        errors["currency"] = unsupported_currency_message(currency)
    if len(header.get("notes") or "") > NOTES_MAX_LENGTH:
        errors["notes"] = _("Notes have at most %(limit)s characters.") % {
            "limit": NOTES_MAX_LENGTH
        }
    purchase_order = header.get("purchase_order") or ""
    if len(purchase_order) > PURCHASE_ORDER_MAX_LENGTH or not is_single_line(
        purchase_order
    ):
        errors["purchase_order"] = _(
            "A purchase order reference is one line of at most %(limit)s characters."
        ) % {"limit": PURCHASE_ORDER_MAX_LENGTH}
    euro_rate = header.get("euro_rate")
    if euro_rate is not None and euro_rate <= 0:
        errors["euro_rate"] = _("An exchange rate is greater than zero.")
    delivery_date = header.get("delivery_date")
    delivery_end_date = header.get("delivery_end_date")
    if delivery_end_date is not None and delivery_date is None:
        errors["delivery_date"] = _(
            "A delivery period needs its first day in the delivery date."
        )
    elif delivery_end_date is not None and delivery_end_date < delivery_date:
        errors["delivery_end_date"] = _(
            "The delivery period cannot end before it starts."
        )
    issue_date = header.get("issue_date")
    due_date, expiry_date = header.get("due_date"), header.get("expiry_date")
    if kind == Document.Kind.INVOICE:
        if expiry_date is not None:
            errors["expiry_date"] = _("An invoice has a due date, not an expiry date.")
        if header.get("requires_signature"):
            errors["requires_signature"] = _("Only a quote can require a signature.")
    elif due_date is not None:
        errors["due_date"] = _("A quote has an expiry date, not a due date.")
    if issue_date is not None and due_date is not None and due_date < issue_date:
        errors.setdefault(
            "due_date", _("The due date cannot be before the issue date.")
        )
    if issue_date is not None and expiry_date is not None and expiry_date < issue_date:
        errors.setdefault(
            "expiry_date", _("The expiry date cannot be before the issue date.")
        )
    return errors


def _header_check(*, kind: str, header: Mapping[str, Any]) -> None:
    errors = header_errors(kind=kind, header=header)
    if errors:
        raise InvalidDocument(next(iter(errors.values())))


def totals_of(
    lines: Sequence[LineInput], currency: str, deductions: Sequence[Deduction] = ()
) -> Totals:
    """The lines' totals, less the deposits a final invoice deducts.

    :raises InvalidDocument: a line that cannot be used, deposits larger than
        the lines, or a total too large.
    """
    try:
        return compute_totals(lines, currency, deductions)
    except InvalidLine as exc:
        raise InvalidDocument(str(exc)) from exc


def issue_check(content: dict[str, Any], error: type[DocumentError]) -> None:
    """Refuse content that cannot be issued as it is (e-invoicing's checks,
    registered in `hooks.issue_checks`), naming what is missing; nothing is
    written when this raises.

    :raises error: what a check refused (a missing SIREN, VAT number or 0 %
        VAT reason, XML the XSD refuses…).
    """
    for check in hooks.issue_checks:
        check(content, error)


def lines_replace(document: Document, lines: Sequence[LineInput]) -> None:
    """Replace the document's working lines."""
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


def _totals_apply(document: Document, totals: Totals) -> None:
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
    operation_category: str = Document.OperationCategory.SERVICES,
    vat_exemption: str = "",
    delivery_date: dt.date | None = None,
    delivery_end_date: dt.date | None = None,
    purchase_order: str = "",
    euro_rate: Decimal | None = None,
    source_quote: Document | None = None,
    deposit_quote: Document | None = None,
    corrected_invoice: Document | None = None,
) -> Document:
    """Create a draft quote or invoice for one of the company's clients (an
    invoice may bill an accepted quote: `billing` makes those). An invoice
    without a due date gets one from the payment terms.

    :raises InvalidDocument: unknown currency, dates out of order, a bad line.
    """
    if client.company_id != company.pk:
        raise InvalidDocument(_("This client does not belong to your company."))
    if kind not in (Document.Kind.QUOTE, Document.Kind.INVOICE):
        raise InvalidDocument(_("A document is a quote or an invoice."))
    issue_date = issue_date or timezone.localdate(now)
    if kind == Document.Kind.INVOICE and due_date is None:
        # No date given: the client's payment terms, else the company's.
        due_date = payment_terms_for(company, client).due_date(issue_date)
    header: dict[str, Any] = {
        "currency": currency or company.default_currency,
        "issue_date": issue_date,
        "due_date": due_date,
        "expiry_date": expiry_date,
        "requires_signature": requires_signature,
        "notes": notes,
        "operation_category": operation_category,
        "vat_exemption": vat_exemption,
        "delivery_date": delivery_date,
        "delivery_end_date": delivery_end_date,
        "purchase_order": purchase_order,
        "euro_rate": euro_rate,
    }
    _header_check(kind=kind, header=header)
    document = Document(
        company=company,
        client=client,
        kind=kind,
        hidden_from_portal=hidden_from_portal,
        source_quote=source_quote,
        deposit_quote=deposit_quote,
        corrected_invoice=corrected_invoice,
        **header,
    )
    totals = totals_of(lines, header["currency"], deductions_for(document))
    _totals_apply(document, totals)
    document.save()
    lines_replace(document, lines)
    events.document_created(document=document, actor=actor, at=now)
    return document


def _editable_check(document: Document) -> None:
    if not status.is_editable(document):
        raise DocumentNotEditable(
            _("A %(status)s document can no longer be changed.")
            % {"status": document.get_status_display().lower()}
        )


def _client_move(document: Document, client: Client | None) -> None:
    """Give a draft to another of the company's clients; a final one keeps its."""
    if client is None or client.pk == document.client_id:
        return
    if not document.is_draft:
        raise DocumentNotEditable(
            _("A finalised document cannot move to another client.")
        )
    if client.company_id != document.company_id:
        raise InvalidDocument(_("This client does not belong to your company."))
    document.client = client


def _content_write(
    document: Document, lines: Sequence[LineInput], header: Mapping[str, Any]
) -> Totals:
    """Check and save the new header and lines on the working copy."""
    merged = {name: getattr(document, name) for name in HEADER_FIELDS} | dict(header)
    _header_check(kind=document.kind, header=merged)
    totals = totals_of(lines, merged["currency"], deductions_for(document))
    for name, value in merged.items():
        setattr(document, name, value)
    _totals_apply(document, totals)
    document.save()
    lines_replace(document, lines)
    return totals


def _version_publish(
    document: Document, totals: Totals, actor: Actor, now: dt.datetime
) -> DocumentVersion | None:
    """The working copy as the next version, unless it shows what the current
    one already does."""
    content = snapshot(document, totals)
    if document.current_version and content == document.current_version.content:
        return None
    issue_check(content, InvalidDocument)
    version = version_write(
        document=document, content=content, totals=totals, actor=actor, now=now
    )
    events.document_new_version(document=document, version=version, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return version


def _issued_invoice_revise(
    document: Document,
    lines: Sequence[LineInput],
    header: Mapping[str, Any],
    client: Client | None,
    actor: Actor,
    now: dt.datetime,
) -> DocumentVersion | None:
    """An issued invoice's next version: its fiscal content as issued, what
    may change taken from `header`; None when nothing changed."""
    frozen.fiscal_change_check(
        document=document, lines=lines, header=header, client=client
    )
    revisable = {
        name: header[name] for name in frozen.REVISABLE_FIELDS if name in header
    }
    merged = {name: getattr(document, name) for name in HEADER_FIELDS} | revisable
    _header_check(kind=document.kind, header=merged)
    for name, value in revisable.items():
        setattr(document, name, value)
    document.save(update_fields=[*revisable, "updated_at"])
    content = frozen.revised_content(document)
    current = document.current_version
    assert current is not None
    if content == current.content:
        return None
    issue_check(content, InvalidDocument)
    totals = Totals(
        lines=content["lines"],
        vat_breakdown=content["vat_breakdown"],
        total_excl_tax=current.total_excl_tax,
        total_tax=current.total_tax,
        total=current.total,
    )
    version = version_write(
        document=document, content=content, totals=totals, actor=actor, now=now
    )
    events.document_new_version(document=document, version=version, actor=actor, at=now)
    client_portal_revision_bump(client_id=document.client_id)
    return version


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

    An issued invoice's fiscal content never changes (`frozen`): only its
    notes, purchase order reference, a later due date and the payment
    instructions make its next version.

    :raises DocumentNotEditable: paid, partly paid, accepted, declined or canceled.
    :raises FiscalContentFrozen: a change to an issued invoice's client,
        lines, dates, currency or VAT.
    :raises InvalidDocument: unknown currency, dates out of order, a bad line.
    """
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"Not a document header field: {sorted(unknown)}")
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    _editable_check(document)
    if status.is_fiscally_frozen(document):
        # An issued invoice keeps its fiscal content: only what may change
        # after issue makes its next version (`frozen`).
        return _issued_invoice_revise(document, lines, header, client, actor, now)
    _client_move(document, client)
    totals = _content_write(document, lines, header)
    if document.is_draft:
        return None
    return _version_publish(document, totals, actor, now)

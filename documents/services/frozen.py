"""An issued invoice's fiscal content, frozen from finalisation.

French law (CGI art. 242 nonies A) and the e-invoicing reform hold an issued
invoice as a legal record: its number, issue date, parties, lines, VAT rates,
totals and currency never change; a correction of substance is a credit note
(and a replacing invoice: "Correct this invoice"). What may still change makes
its next version: the notes, the purchase order reference, a later due date,
and the payment instructions (the company's bank details as they are now).
`documents.services.drafts.document_update` asks here first.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client
from documents.models import Document
from documents.services.errors import DocumentError
from documents.totals import LineInput

# What may change on an issued invoice, as a new version.
REVISABLE_FIELDS = ("notes", "due_date", "purchase_order")

# The header fields that are fiscal content, as a sentence names them.
FROZEN_HEADER = {
    "currency": gettext_lazy("its currency"),
    "issue_date": gettext_lazy("its issue date"),
    "operation_category": gettext_lazy("what it is for (goods, services)"),
    "vat_exemption": gettext_lazy("its reason for 0 % VAT"),
    "delivery_date": gettext_lazy("its delivery date"),
    "delivery_end_date": gettext_lazy("its delivery period"),
    "euro_rate": gettext_lazy("its exchange rate to euros"),
}


class FiscalContentFrozen(DocumentError):
    """A change to an issued invoice's fiscal content: nothing was written."""


def _refusal(document: Document, what: str) -> FiscalContentFrozen:
    return FiscalContentFrozen(
        _(
            "%(number)s is issued: %(what)s can no longer change. To correct "
            "it, use “Correct this invoice”: a credit note annuls it and a new "
            "draft replaces it."
        )
        % {"number": document.number, "what": what}
    )


def _line_change(issued: list[dict[str, Any]], lines: Sequence[LineInput]) -> str:
    """What differs between the issued lines and `lines`, named; "" if none."""
    if len(issued) != len(lines):
        return str(_("its lines"))
    for before, after in zip(issued, lines, strict=True):
        if Decimal(before["unit_price"]) != after.unit_price:
            return str(_("a line's unit price"))
        if Decimal(before["quantity"]) != after.quantity:
            return str(_("a line's quantity"))
        if Decimal(before["vat_rate"]) != after.vat_rate:
            return str(_("a line's VAT rate"))
        if before["description"] != after.description.strip():
            return str(_("a line's description"))
    return ""


def fiscal_change_check(
    *,
    document: Document,
    lines: Sequence[LineInput],
    header: Mapping[str, Any],
    client: Client | None,
) -> None:
    """Refuse any change to the issued invoice's fiscal content, naming it;
    a due date may only move later.

    :raises FiscalContentFrozen: the client, a line (price, quantity, VAT
        rate, description), the issue date, the currency… or an earlier due
        date.
    """
    if client is not None and client.pk != document.client_id:
        raise _refusal(document, _("its client"))
    version = document.current_version
    issued_lines = version.content["lines"] if version is not None else []
    changed = _line_change(issued_lines, lines)
    if changed:
        raise _refusal(document, changed)
    for name, what in FROZEN_HEADER.items():
        if name in header and header[name] != getattr(document, name):
            raise _refusal(document, str(what))
    due_date = header.get("due_date", document.due_date)
    if document.due_date is not None and (
        due_date is None or due_date < document.due_date
    ):
        raise FiscalContentFrozen(
            _(
                "%(number)s is issued: its due date may be extended, never "
                "brought forward nor removed."
            )
            % {"number": document.number}
        )


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def revised_content(document: Document) -> dict[str, Any]:
    """The issued version's content with what may change after issue taken
    from the document as it is now: everything fiscal stays as issued."""
    version = document.current_version
    assert version is not None, "an issued invoice has a version"
    content = dict(version.content)
    company = document.company
    content["notes"] = document.notes
    content["due_date"] = day(document.due_date)
    content["purchase_order"] = document.purchase_order
    content["seller"] = {
        **content["seller"],
        "iban": company.iban,
        "bic": company.bic,
    }
    return content

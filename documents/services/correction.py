"""Correcting an issued invoice: French law allows no rewrite, so a credit
note annuls it whole and a new draft, prefilled from it, replaces it. The
two are linked both ways: the draft names the invoice it replaces
(`corrected_invoice`, printed "Replaces invoice INV-…"), the invoice lists
its replacement (`corrections`, shown "Replaced by INV-…")."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from companies.models import Actor
from documents import status
from documents.models import Document
from documents.services.credit_notes import (
    CreditNoteRefused,
    invoice_credit_whole,
)
from documents.services.drafts import document_create
from documents.totals import LineInput


def is_correctable(document: Document) -> bool:
    """An issued invoice a credit note may annul whole (it holds none of the
    client's money) and that bills no quote's deposits: its replacement is
    an ordinary invoice."""
    return (
        document.kind == Document.Kind.INVOICE
        and status.is_cancelable(document)
        and not document.is_deposit
        and document.source_quote_id is None
    )


@transaction.atomic
def invoice_correct(
    *, invoice: Document, actor: Actor, now: dt.datetime
) -> tuple[Document, Document]:
    """Annul the issued invoice by a credit note for all it carries, and make
    a draft invoice prefilled from it that replaces it. Returns (credit note,
    draft).

    :raises CreditNoteRefused: not an open invoice, money received (refund it
        or credit it for an amount), a deposit invoice or the final invoice of
        a quote (credit those for an amount, then invoice again).
    """
    if invoice.kind == Document.Kind.INVOICE and (
        invoice.is_deposit or invoice.source_quote_id is not None
    ):
        raise CreditNoteRefused(
            _(
                "%(number)s bills a quote: issue a credit note for the amount to "
                "correct, then invoice what is right."
            )
            % {"number": invoice.number}
        )
    credit_note = invoice_credit_whole(invoice=invoice, actor=actor, now=now)
    invoice.refresh_from_db()
    content = invoice.current_version.content  # type: ignore[union-attr]
    lines = [
        LineInput(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
        )
        for line in content["lines"]
    ]
    draft = document_create(
        company=invoice.company,
        client=invoice.client,
        kind=Document.Kind.INVOICE,
        lines=lines,
        actor=actor,
        now=now,
        currency=invoice.currency,
        notes=invoice.notes,
        hidden_from_portal=invoice.hidden_from_portal,
        operation_category=invoice.operation_category,
        vat_exemption=invoice.vat_exemption,
        delivery_date=invoice.delivery_date,
        delivery_end_date=invoice.delivery_end_date,
        purchase_order=invoice.purchase_order,
        corrected_invoice=invoice,
    )
    return credit_note, draft

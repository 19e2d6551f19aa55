"""Waiving (or claiming again) an invoice's late-payment interest or its
recovery indemnity, and billing them on an invoice of their own."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from companies.money import format_day, format_money, format_rate
from documents import status
from documents.late_fees import LateFees, late_fees, late_fees_billed
from documents.models import Document
from documents.services.drafts import document_create
from documents.services.errors import DocumentError
from documents.totals import LineInput


class LateFeesRefused(DocumentError):
    pass


@transaction.atomic
def late_fees_waive(
    *,
    document: Document,
    actor: Actor,
    now: dt.datetime,
    interest: bool | None = None,
    indemnity: bool | None = None,
) -> bool:
    """Waive (True) or claim again (False) the interest and/or the €40
    indemnity of an issued invoice; whether anything changed. The client's
    portal shows the change.

    :raises LateFeesRefused: not an issued invoice.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.kind != Document.Kind.INVOICE or document.is_draft:
        raise LateFeesRefused(_("Only an issued invoice has late fees."))
    fields = []
    if interest is not None and document.late_interest_waived != interest:
        document.late_interest_waived = interest
        fields.append("late_interest_waived")
    if indemnity is not None and document.recovery_indemnity_waived != indemnity:
        document.recovery_indemnity_waived = indemnity
        fields.append("recovery_indemnity_waived")
    if not fields:
        return False
    document.save(update_fields=[*fields, "updated_at"])
    client_portal_revision_bump(client_id=document.client_id)
    return True


def _late_fees_lines(invoice: Document, fees: LateFees, today: dt.date) -> list[Any]:
    """One line for the interest (its period, days, rate, base and invoice),
    one for the indemnity; a waived one is left out. Written in the client's
    language, as its documents are."""
    locale = invoice.client.locale
    lines = []
    with translation.override(locale):
        if fees.interest > 0:
            assert invoice.due_date is not None  # overdue
            start = invoice.due_date + dt.timedelta(days=1)
            text = _(
                "Late-payment interest on invoice %(number)s: %(days)s days late, "
                "from %(start)s to %(end)s, at %(rate)s a year on %(base)s still "
                "due (art. L441-10 of the French commercial code)"
            ) % {
                "number": invoice.number,
                "days": fees.days,
                "start": format_day(start, locale),
                "end": format_day(today, locale),
                "rate": format_rate(fees.rate, locale),
                "base": format_money(
                    max(invoice.amount_due, Decimal(0)), invoice.currency, locale
                ),
            }
            lines.append(LineInput(text, Decimal(1), fees.interest, Decimal(0)))
        if fees.indemnity > 0:
            text = _(
                "Fixed indemnity for recovery costs, late payment of invoice "
                "%(number)s (art. L441-10 and D441-5 of the French commercial code)"
            ) % {"number": invoice.number}
            lines.append(LineInput(text, Decimal(1), fees.indemnity, Decimal(0)))
    return lines


def late_fees_refusal(invoice: Document, today: dt.date) -> str | None:
    """Why no late fees can be billed on `invoice` today, if so."""
    if invoice.kind != Document.Kind.INVOICE or invoice.is_draft:
        return _("Only an issued invoice has late fees.")
    billed = late_fees_billed(invoice)
    if billed is not None and billed.is_draft:
        return _(
            "Its late fees are already on a draft invoice: finalise and send it, "
            "or delete it to bill them again."
        )
    if billed is not None:
        return _("Its late fees are already billed, on %(invoice)s.") % {
            "invoice": billed
        }
    version = invoice.current_version
    if version is None or not version.content.get("late_payment"):
        # The reverse accessor reads through the invoice, already scoped.
        if getattr(invoice, "late_fees_of", None) is not None:
            return _("An invoice of late fees bears no late fees of its own.")
        return _("Late fees apply only to a French company's invoices to a business.")
    if not status.is_overdue(invoice, today):
        return _("It is not overdue: no late fees are due.")
    if invoice.currency != "EUR":
        return _(
            "Late fees are billed on invoices in euros only (the €40 indemnity "
            "is in euros)."
        )
    fees = late_fees(invoice, today)
    if fees is None or not fees.claimed:
        return _("Its late fees were waived: there is nothing to bill.")
    if invoice.client.is_archived:
        return _("%(client)s is archived: restore it first.") % {
            "client": invoice.client.name
        }
    return None


def late_fees_billable(invoice: Document, today: dt.date) -> bool:
    """Whether "Add late fees" would bill something on `invoice` today."""
    return late_fees_refusal(invoice, today) is None


@transaction.atomic
def invoice_late_fees_bill(
    *, invoice: Document, actor: Actor, now: dt.datetime
) -> Document:
    """Bill an overdue invoice's late fees on a new draft invoice for the same
    client, ready for "Finalise and send": the interest accrued to today and
    the €40 indemnity, less what was waived; the overdue invoice itself never
    changes. A draft, not an issued invoice, so that the owner reads it first
    (and may drop a line, or delete the draft to bill nothing).

    The overdue invoice records it (`late_fees_invoice`) and from then on
    claims no late fees (`late_fees`): its interest is billed up to today,
    once. The invoice of late fees is due on
    receipt and bears none of its own.

    Its lines are outside the scope of VAT ("not subject to VAT", EN 16931
    category O): compensation for a delay is not the consideration for a
    supply. So its e-invoice carries no VAT rate on its lines and neither
    party's VAT number (BR-O-02, BR-O-05); it names the overdue invoice as
    the preceding invoice (BG-3).

    :raises LateFeesRefused: not an issued invoice, not a French company's
        invoice to a business, not overdue, not in euros, everything waived,
        already billed, or the client archived; nothing is written.
    """
    # unscoped: re-read under lock, the caller scoped this document
    invoice = Document.objects.select_for_update().get(pk=invoice.pk)
    today = timezone.localdate(now)
    refusal = late_fees_refusal(invoice, today)
    if refusal is not None:
        raise LateFeesRefused(refusal)
    fees = late_fees(invoice, today)
    assert fees is not None  # refused above otherwise
    draft = document_create(
        company=invoice.company,
        client=invoice.client,
        kind=Document.Kind.INVOICE,
        lines=_late_fees_lines(invoice, fees, today),
        actor=actor,
        now=now,
        currency=invoice.currency,
        issue_date=today,  # due on the client's usual terms, as printed
        operation_category=Document.OperationCategory.SERVICES,
        vat_exemption=Document.VatExemption.NOT_SUBJECT,
    )
    invoice.late_fees_invoice = draft
    invoice.save(update_fields=["late_fees_invoice", "updated_at"])
    client_portal_revision_bump(client_id=invoice.client_id)
    return draft

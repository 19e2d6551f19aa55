"""Credit notes: how a finalised invoice is corrected or annulled.

A finalised invoice is never changed nor canceled in place (French rules): a
credit note, numbered in its own gapless series (CN-2026-0001), takes all or
part of it back. Taking it all back is what "Cancel" does; the invoice then
reads Canceled, with its credit note beside it.

Paid or not: a credit note may take up to what the invoice still carries
(`status.creditable_amount`). What it takes beyond what is still unpaid is
money the client paid for nothing, so the business owes it back: the
invoice's amount due goes below zero (`status.amount_owed_back`) until the
payment is refunded (payments' refund, which brings it back to zero). Cancel,
one click, is only offered on an invoice that holds none of the client's money
(`status.is_cancelable`); on one that does, the owner issues the credit note
for the amount, and is told what becomes owed back.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events, status
from documents.models import Document
from documents.services.amounts import (
    bases_for_amount,
    bases_sum,
    credited_bases,
    current_content,
    incl_vat,
    rate_lines,
    version_bases,
)
from documents.services.drafts import issue_check, lines_replace, totals_of
from documents.services.errors import DocumentError
from documents.services.finalising import number_allocate
from documents.services.versions import snapshot, version_write
from documents.totals import LineInput


class CreditNoteRefused(DocumentError):
    pass


def _invoice_locked(invoice: Document) -> Document:
    return (
        # unscoped: re-read under lock, the caller scoped this invoice
        Document.objects.select_for_update(of=("self",))
        .select_related("current_version", "company", "client")
        .get(pk=invoice.pk)
    )


def _whole_lines(invoice: Document) -> list[LineInput]:
    """The invoice's own lines, for a credit note that takes all of it back."""
    return [
        LineInput(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
        )
        for line in current_content(invoice)["lines"]
    ]


def _credit_note_write(
    *,
    invoice: Document,
    lines: list[LineInput],
    reason: str,
    actor: Actor,
    now: dt.datetime,
) -> Document:
    """Number and issue the credit note, and take its total off the invoice."""
    credit_note = Document(
        company_id=invoice.company_id,
        client_id=invoice.client_id,
        kind=Document.Kind.CREDIT_NOTE,
        status=Document.Status.ISSUED,
        credited_invoice=invoice,
        currency=invoice.currency,
        issue_date=timezone.localdate(now),
        notes=reason,
        operation_category=invoice.operation_category,
        vat_exemption=invoice.vat_exemption,
        hidden_from_portal=invoice.hidden_from_portal,
        finalised_at=now,
    )
    credit_note.company, credit_note.client = invoice.company, invoice.client
    totals = totals_of(lines, invoice.currency)
    if totals.total > status.creditable_amount(invoice):
        raise CreditNoteRefused(
            _(
                "A credit note cannot take off more than the invoice still "
                "carries (%(amount)s)."
            )
            % {"amount": status.creditable_amount(invoice)}
        )
    credit_note.total_excl_tax = totals.total_excl_tax
    credit_note.total_tax = totals.total_tax
    credit_note.total = totals.total
    number_allocate(credit_note, now)
    content = snapshot(credit_note, totals)
    issue_check(content, CreditNoteRefused)
    credit_note.save()
    lines_replace(credit_note, lines)
    version_write(
        document=credit_note, content=content, totals=totals, actor=actor, now=now
    )
    events.document_finalised(document=credit_note, actor=actor, at=now)
    owed_back_before = status.amount_owed_back(invoice)
    invoice.amount_credited += totals.total
    invoice.status = status.status_after_credit(invoice)
    invoice.save(update_fields=["amount_credited", "status", "updated_at"])
    events.invoice_credited(
        document=invoice,
        credit_note=credit_note,
        actor=actor,
        at=now,
        owed_back=status.amount_owed_back(invoice) - owed_back_before,
    )
    if invoice.status == Document.Status.CANCELED:
        events.document_canceled(document=invoice, actor=actor, at=now)
    client_portal_revision_bump(client_id=invoice.client_id)
    return credit_note


def _deducted_deposit_check(invoice: Document) -> None:
    """A deposit a final invoice already deducted cannot be taken back: the
    final invoice would then bill less than the work."""
    quote = invoice.deposit_quote
    if quote is None:
        return
    final = (
        # unscoped: the invoice the deposit's own quote became
        Document.objects.filter(source_quote=quote)
        .exclude(status__in=(Document.Status.DRAFT, Document.Status.CANCELED))
        .first()
    )
    if final is not None:
        raise CreditNoteRefused(
            _("Invoice %(final)s already deducted this deposit; credit it first.")
            % {"final": final.number}
        )


def _processing_refusal(invoice: Document) -> str:
    return _("A payment of %(number)s is processing: wait until the bank says.") % {
        "number": invoice.number
    }


def _cancel_refusal(invoice: Document) -> str:
    if invoice.kind == Document.Kind.INVOICE and invoice.status in (
        status.MONEY_STATUSES
    ):
        if invoice.amount_processing > 0:
            return _processing_refusal(invoice)
        if status.money_held(invoice) > 0:
            return _(
                "%(number)s holds a payment: issue a credit note for the amount "
                "to take back instead (what the client paid beyond it is then "
                "owed back), or refund the payment first."
            ) % {"number": invoice.number}
    return _("Only a finalised invoice that is still open can be canceled.")


@transaction.atomic
def invoice_credit_whole(
    *, invoice: Document, actor: Actor, now: dt.datetime
) -> Document:
    """Cancel a finalised invoice that holds none of the client's money: one
    credit note takes back all it still carries. Returns the credit note.

    :raises CreditNoteRefused: not an open invoice, money received and not
        refunded (or on its way), a deposit a final invoice deducted, or twice
        (the second waits for the first's lock, then finds it canceled).
    """
    invoice = _invoice_locked(invoice)
    if invoice.kind != Document.Kind.INVOICE or not status.is_cancelable(invoice):
        raise CreditNoteRefused(_cancel_refusal(invoice))
    _deducted_deposit_check(invoice)
    if invoice.amount_credited == 0 and not current_content(invoice).get("deductions"):
        lines = _whole_lines(invoice)
    else:
        remaining = bases_sum(
            version_bases(invoice.current_version),
            credited_bases(invoice),
            sign=-1,
        )
        lines = rate_lines(
            bases_for_amount(
                remaining, status.creditable_amount(invoice), invoice.currency
            ),
            _("Cancellation of invoice %(number)s") % {"number": invoice.number},
        )
    return _credit_note_write(
        invoice=invoice,
        lines=lines,
        reason=_("Cancels invoice %(number)s.") % {"number": invoice.number},
        actor=actor,
        now=now,
    )


@transaction.atomic
def invoice_credit_partly(
    *,
    invoice: Document,
    amount: Decimal,
    reason: str,
    actor: Actor,
    now: dt.datetime,
) -> Document:
    """Issue a credit note for `amount` (VAT included) of an open or paid
    invoice, split over its VAT rates in proportion; the invoice's amount due
    goes down by as much (below zero, owed back to the client, when it takes
    more than is unpaid). Returns the credit note.

    :raises CreditNoteRefused: a draft, a quote, a credit note, a payment
        processing, an amount not above zero, above what the invoice still
        carries, or part of a deposit (credited whole only).
    """
    invoice = _invoice_locked(invoice)
    if invoice.kind != Document.Kind.INVOICE:
        raise CreditNoteRefused(_("Only an invoice can be credited."))
    if invoice.is_draft:
        raise CreditNoteRefused(
            _("A draft is not credited: change it or delete it instead.")
        )
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise CreditNoteRefused(_("Enter an amount.")) from exc
    if amount <= 0:
        raise CreditNoteRefused(_("A credit note must be greater than zero."))
    if invoice.amount_processing > 0:
        raise CreditNoteRefused(_processing_refusal(invoice))
    creditable = status.creditable_amount(invoice)
    if not status.is_creditable(invoice) or amount > creditable:
        raise CreditNoteRefused(
            _(
                "A credit note cannot take off more than %(number)s still "
                "carries (%(amount)s %(currency)s)."
            )
            % {
                "number": invoice.number,
                "amount": max(creditable, Decimal(0)),
                "currency": invoice.currency,
            }
        )
    if invoice.is_deposit:
        if amount != creditable:
            raise CreditNoteRefused(
                _("A deposit invoice is credited whole only: %(amount)s %(currency)s.")
                % {"amount": creditable, "currency": invoice.currency}
            )
        _deducted_deposit_check(invoice)
    remaining = bases_sum(
        version_bases(invoice.current_version), credited_bases(invoice), sign=-1
    )
    bases = bases_for_amount(remaining, amount, invoice.currency)
    if incl_vat(bases, invoice.currency) <= 0:
        raise CreditNoteRefused(_("This amount is too small to credit."))
    label = reason.strip() or _("Credit on invoice %(number)s") % {
        "number": invoice.number
    }
    return _credit_note_write(
        invoice=invoice,
        lines=rate_lines(bases, label[:200]),
        reason=reason.strip(),
        actor=actor,
        now=now,
    )

"""Paying several invoices by one bank transfer: one RF reference and one QR
code for the total, declared by the client once, recorded by the owner once.

The client asks for the details (`transfer_batch_open`: the same selection
and amounts again find the same batch); it may say it sent the transfer
(`transfer_batch_declare`: a `TransferDeclaration` per invoice, pointing at
the batch, so every invoice shows "Transfer declared…" exactly as a single
one does, and one e-mail); the owner records it once the money shows on the
account (`transfer_batch_record`: a payment per invoice, each with its
receipt, in one transaction) or says it never came (`transfer_batch_reject`).

Locks are taken as the single transfer's are, invoices first, in id order,
then the batch: two answers at once never deadlock, and the second finds the
first done.
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import Client
from clients.services import client_portal_revision_bump
from companies.errors import ActionRefused
from companies.models import Actor
from companies.money import format_day, format_money
from companies.references import creditor_reference_from, grouped
from documents import events, status
from documents.models import ClientEmail, Document
from mail import hooks as mail_hooks
from mail.services import client_notice_request
from payments.models import (
    Payment,
    TransferBatch,
    TransferBatchLine,
    TransferDeclaration,
)
from payments.services import recording
from payments.services.batches import MAX_INVOICES
from payments.services.receipts import receipts_numbered_last


class TransferBatchRefused(ActionRefused):
    """Paying these invoices by one transfer cannot go on; the message is for
    the client."""


# Letters and digits no one confuses when typing a reference from a screen.
_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"


def _new_reference() -> str:
    """A batch's RF reference: `PAY` and eight random characters. Random rather
    than counted, so that it says nothing of other clients' batches."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return creditor_reference_from(f"PAY{code}")


def _open_declarations(invoices: list[Document]) -> dict[int, TransferDeclaration]:
    # unscoped: the caller's invoices, of one company
    waiting = TransferDeclaration.objects.filter(
        invoice__in=[invoice.pk for invoice in invoices],
        payment__isnull=True,
        rejected_at__isnull=True,
    ).order_by("invoice_id", "-declared_at", "-pk")
    found: dict[int, TransferDeclaration] = {}
    for declaration in waiting:
        found.setdefault(declaration.invoice_id, declaration)
    return found


def _refuse_declared(
    invoices: list[Document], declared: dict[int, TransferDeclaration]
) -> None:
    for invoice in invoices:
        if invoice.pk in declared:
            raise TransferBatchRefused(
                _(
                    "You already told us you paid invoice %(number)s by transfer: "
                    "it awaits our confirmation. Untick it to pay the others."
                )
                % {"number": invoice.number}
            )


def transfer_batch_open(
    *, client: Client, invoices: list[Document], now: dt.datetime
) -> TransferBatch:
    """The transfer details for paying `invoices` (the client's own, open, in
    one currency) at once: a batch with its own RF reference. The same
    invoices for the same amounts, while that batch waits, are the same batch.

    :raises TransferBatchRefused: fewer than two or too many, another
        client's, one with nothing left to pay or a transfer declared already,
        several currencies, or no IBAN to pay to.
    """
    invoices = sorted(invoices, key=lambda invoice: invoice.pk)
    if len(invoices) < 2:
        raise TransferBatchRefused(_("Choose at least two invoices to pay at once."))
    if len(invoices) > MAX_INVOICES:
        raise TransferBatchRefused(
            _("Choose at most %(count)s invoices at once.") % {"count": MAX_INVOICES}
        )
    if any(invoice.client_id != client.pk for invoice in invoices):
        raise TransferBatchRefused(_("These invoices cannot be paid together."))
    if not all(status.is_payable(invoice) for invoice in invoices):
        raise TransferBatchRefused(_("One of these invoices has nothing left to pay."))
    currencies = {invoice.currency for invoice in invoices}
    if len(currencies) > 1:
        raise TransferBatchRefused(
            _("Invoices in different currencies are paid one currency at a time.")
        )
    if not client.company.iban:
        raise TransferBatchRefused(
            _("Bank transfer details are not available: please contact us.")
        )
    (currency,) = currencies
    wanted = sorted((invoice.pk, invoice.amount_due) for invoice in invoices)
    with transaction.atomic():
        for batch in (
            TransferBatch.objects.for_company(client.company)
            .waiting()
            .filter(client=client, currency=currency)
            .filter(lines__invoice=invoices[0])
            .prefetch_related("lines")
            .order_by("-opened_at", "-pk")
        ):
            lines = sorted((line.invoice_id, line.amount) for line in batch.lines.all())
            if lines == wanted:
                return batch
        _refuse_declared(invoices, _open_declarations(invoices))
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    batch = TransferBatch.objects.create(
                        company_id=client.company_id,
                        client=client,
                        public_id=secrets.token_urlsafe(18),
                        reference=_new_reference(),
                        currency=currency,
                        amount=sum((amount for _pk, amount in wanted), Decimal(0)),
                        opened_at=now,
                    )
            except IntegrityError:  # the one-in-a-billion same reference: again
                continue
            TransferBatchLine.objects.bulk_create(
                [
                    TransferBatchLine(
                        company_id=client.company_id,
                        batch=batch,
                        invoice_id=pk,
                        amount=amount,
                    )
                    for pk, amount in wanted
                ]
            )
            return batch
    raise RuntimeError("No free reference for a transfer batch.")


def _lock(batch: TransferBatch) -> tuple[TransferBatch, list[TransferBatchLine]]:
    """The batch's invoices locked in id order, then the batch; its lines in
    invoice id order, each with its locked invoice."""
    # unscoped: the lines of the batch the caller resolved
    of_batch = TransferBatchLine.objects.filter(batch_id=batch.pk)
    lines = list(of_batch.order_by("invoice_id"))
    invoices = {
        line.invoice_id: recording.invoice_lock(line.invoice_id) for line in lines
    }
    # unscoped: re-read under lock, the caller scoped this batch
    batch = TransferBatch.objects.select_for_update().get(pk=batch.pk)
    for line in lines:
        line.invoice = invoices[line.invoice_id]
    return batch, lines


@transaction.atomic
def transfer_batch_declare(
    *,
    batch: TransferBatch,
    client_name: str,
    paid_on_date: dt.date | None,
    now: dt.datetime,
) -> TransferBatch:
    """The client says it sent the one transfer: each invoice shows a declared
    transfer, the owner sees it among the declared transfers, and the client
    gets one e-mail. Saying it again changes nothing.

    :raises TransferBatchRefused: recorded or rejected already, an invoice
        with nothing left to pay or declared on its own meanwhile, or a date in
        the future or before an invoice was issued.
    """
    batch, lines = _lock(batch)
    if batch.declared_at is not None and batch.rejected_at is None:
        return batch
    if batch.recorded_at is not None or batch.rejected_at is not None:
        raise TransferBatchRefused(
            _("This transfer was answered already: choose the invoices again.")
        )
    invoices = [line.invoice for line in lines]
    for invoice in invoices:
        if not status.is_payable(invoice):
            raise TransferBatchRefused(
                _(
                    "Invoice %(number)s has nothing left to pay any more: "
                    "choose the invoices again."
                )
                % {"number": invoice.number}
            )
    if paid_on_date is not None and paid_on_date > timezone.localdate(now):
        raise TransferBatchRefused(
            _("The date of the transfer cannot be in the future.")
        )
    if paid_on_date is not None and paid_on_date < max(
        invoice.issue_date for invoice in invoices
    ):
        raise TransferBatchRefused(
            _("The date of the transfer cannot be before the invoices were issued.")
        )
    _refuse_declared(invoices, _open_declarations(invoices))
    TransferDeclaration.objects.bulk_create(
        [
            TransferDeclaration(
                company_id=batch.company_id,
                invoice=line.invoice,
                amount=line.amount,
                paid_on_date=paid_on_date,
                declared_at=now,
                batch=batch,
            )
            for line in lines
        ]
    )
    # The members hear of the one transfer once, on its first invoice's
    # event, with every invoice it pays; each invoice's history has its own.
    numbers = [invoice.number for invoice in invoices]
    for position, invoice in enumerate(invoices):
        events.invoice_transfer_declared(
            document=invoice,
            at=now,
            client_name=client_name,
            paid_on=paid_on_date.isoformat() if paid_on_date else "",
            batch={"reference": batch.reference, "invoices": numbers}
            if position == 0
            else {"reference": batch.reference, "first": numbers[0]},
        )
    batch.declared_at = now
    batch.paid_on_date = paid_on_date
    batch.save(update_fields=["declared_at", "paid_on_date", "updated_at"])
    # One e-mail for the one transfer, filed under its first invoice (whose
    # declaration names the batch: `transfer_declared_email_content`).
    client_notice_request(
        client=invoices[0].client,
        document=invoices[0],
        kind=ClientEmail.Kind.TRANSFER_DECLARED,
        now=now,
    )
    client_portal_revision_bump(client_id=batch.client_id)
    return batch


@dataclass
class BatchRecorded:
    """What recording a transfer for several invoices did, for the owner."""

    batch: TransferBatch
    payments: list[Payment] = field(default_factory=list)
    # (invoice, the part of its payment beyond what it still asked): paid
    # otherwise meanwhile, flagged as an overpayment for the owner to refund.
    overpaid: list[tuple[Document, Decimal]] = field(default_factory=list)


def transfer_batch_record(
    *, batch: TransferBatch, actor: Actor, now: dt.datetime
) -> BatchRecorded:
    """ "Record this transfer": the one transfer arrived. Records a transfer
    payment on each invoice for what the batch asked of it, each with its
    receipt, all in one transaction, once. Money that arrived is never left
    out: on an invoice paid (or canceled) otherwise meanwhile, what goes
    beyond what it still asked is flagged as an overpayment to refund.

    :raises PaymentRefused: recorded or rejected already.
    """
    with transaction.atomic(), receipts_numbered_last():
        batch, lines = _lock(batch)
        if batch.recorded_at is not None:
            raise recording.PaymentRefused(_("This transfer was recorded already."))
        if batch.rejected_at is not None:
            raise recording.PaymentRefused(_("This transfer was rejected."))
        received_at = now
        if batch.paid_on_date is not None:
            received_at = dt.datetime.combine(
                batch.paid_on_date, dt.time(12), tzinfo=now.tzinfo
            )
        declarations = {
            declaration.invoice_id: declaration
            for declaration in batch.declarations.select_for_update().filter(
                payment__isnull=True, rejected_at__isnull=True
            )
        }
        result = BatchRecorded(batch=batch)
        for line in lines:
            invoice = line.invoice
            payment = recording.payment_record(
                invoice=invoice,
                amount=line.amount,
                method=Payment.Method.TRANSFER,
                actor=actor,
                now=now,
                received_at=received_at,
                note=_("One transfer for several invoices, reference %(reference)s")
                % {"reference": grouped(batch.reference)},
                arrived=True,
            )
            if payment.overpaid_amount:
                result.overpaid.append((invoice, payment.overpaid_amount))
            line.payment = payment
            line.save(update_fields=["payment"])
            declaration = declarations.get(invoice.pk)
            if declaration is not None:
                declaration.payment = payment
                declaration.save(update_fields=["payment", "updated_at"])
            result.payments.append(payment)
        batch.recorded_at = now
        batch.recorded_by = actor
        batch.save(update_fields=["recorded_at", "recorded_by", "updated_at"])
        client_portal_revision_bump(client_id=batch.client_id)
    return result


@transaction.atomic
def transfer_batch_reject(
    *, batch: TransferBatch, actor: Actor, now: dt.datetime
) -> TransferBatch:
    """ "Not received": the one transfer never arrived. Its invoices show as to
    pay again, without the declaration, and may be paid anew.

    :raises PaymentRefused: recorded or rejected already.
    """
    batch, _lines = _lock(batch)
    if batch.recorded_at is not None:
        raise recording.PaymentRefused(_("This transfer was recorded already."))
    if batch.rejected_at is not None:
        raise recording.PaymentRefused(_("This transfer was rejected already."))
    batch.declarations.filter(payment__isnull=True, rejected_at__isnull=True).update(
        rejected_at=now, rejected_by=actor, updated_at=now
    )
    batch.rejected_at = now
    batch.rejected_by = actor
    batch.save(update_fields=["rejected_at", "rejected_by", "updated_at"])
    client_portal_revision_bump(client_id=batch.client_id)
    return batch


def transfer_batch_declared_email_content(
    batch: TransferBatch, company: str
) -> mail_hooks.EmailContent:
    """ "We will confirm when it arrives", for one transfer paying several
    invoices: the reference, the total and each invoice."""
    locale = translation.to_locale(translation.get_language())
    lines = batch.lines.select_related("invoice").order_by("invoice__number", "pk")
    numbers = [line.invoice.number or "" for line in lines]
    facts = [
        (_("Payment reference"), grouped(batch.reference)),
        (_("Amount declared"), format_money(batch.amount, batch.currency, locale)),
    ]
    facts += [
        (
            _("Invoice %(number)s") % {"number": line.invoice.number},
            format_money(line.amount, batch.currency, locale),
        )
        for line in lines
    ]
    if batch.paid_on_date is not None:
        facts.append((_("Paid on"), format_day(batch.paid_on_date, locale)))
    return mail_hooks.EmailContent(
        subject=_("Your transfer for invoices %(numbers)s")
        % {"numbers": ", ".join(numbers)},
        intro=_(
            "You told %(company)s that you have paid invoices %(numbers)s by one "
            "bank transfer. We will confirm when it arrives on the account, with "
            "a receipt for each invoice."
        )
        % {"company": company, "numbers": ", ".join(numbers)},
        facts=facts,
        button=_("View your invoices"),
        link_to_portal=True,
    )

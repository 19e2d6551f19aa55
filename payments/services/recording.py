"""Every change to what an invoice has received or given back.

Each runs under the invoice's row lock, writes the invoice's history and bumps
the client's portal revision in the same transaction. Money that arrived is
always recorded (a card payment on an invoice paid meanwhile, or canceled, is
flagged as an overpayment for the owner, never refused); only money recorded
by hand is checked against what is due, since a typo there is ours to catch.
An invoice only moves back when money goes back (a refund, in `refunds`) or a
payment that was processing fails: a late or repeated announcement changes
nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.errors import ActionRefused
from companies.models import Actor
from companies.money import format_money_active
from companies.rows import insert_unless_stored
from documents import events, status
from documents.models import Document
from payments.models import Payment
from payments.services.receipts import receipt_issue, receipts_numbered_last


class PaymentRefused(ActionRefused):
    """A payment that cannot be recorded; the message is for people."""


def invoice_lock(invoice_id: int) -> Document:
    """The invoice's row, locked until the transaction ends."""
    # With its client (the receipt's addressee) and company (whether 212 is
    # due), whose rows are not locked.
    # unscoped: re-read under lock, the caller scoped this invoice
    invoices = Document.objects.select_related("client", "company")
    # unscoped: idem
    return invoices.select_for_update(of=("self",)).get(pk=invoice_id)


def _overpaid_part(invoice: Document, amount: Decimal) -> Decimal:
    """What of `amount` goes beyond what the invoice still asks for."""
    if invoice.status not in status.OPEN_INVOICE_STATUSES:
        return amount  # paid already, or canceled: all of it is extra
    return min(amount, max(amount - max(invoice.amount_due, Decimal("0")), Decimal(0)))


def _money_in(
    invoice: Document, payment: Payment, *, actor: Actor, now: dt.datetime
) -> None:
    """Count a succeeded payment on the locked invoice, say so in its history,
    and give the client its receipt (numbered in this same transaction)."""
    was_paid = invoice.status == Document.Status.PAID
    invoice.amount_paid += payment.amount
    invoice.status = status.status_after_payment(invoice)
    invoice.save(
        update_fields=["amount_paid", "amount_processing", "status", "updated_at"]
    )
    events.invoice_payment_received(
        document=invoice,
        actor=actor,
        at=now,
        amount=str(payment.amount),
        method=payment.method,
        overpaid=str(payment.overpaid_amount) if payment.overpaid_amount else "",
    )
    if invoice.status == Document.Status.PAID and not was_paid:
        events.invoice_paid(document=invoice, actor=actor, at=now)
    receipt_issue(payment=payment, invoice=invoice, now=now)
    client_portal_revision_bump(client_id=invoice.client_id)


@transaction.atomic
def payment_record(
    *,
    invoice: Document,
    amount: Decimal,
    method: str,
    actor: Actor,
    now: dt.datetime,
    received_at: dt.datetime | None = None,
    note: str = "",
    allow_overpayment: bool = False,
    arrived: bool = False,
) -> Payment:
    """Record money received by transfer or by hand and move the invoice to
    partly paid or paid.

    `arrived`: money that is in the bank for this invoice whatever it says
    now (a transfer the client made for it): recorded like a card payment,
    even on an invoice paid or canceled meanwhile, what goes beyond the
    amount due flagged as an overpayment for the owner to refund.

    :raises PaymentRefused: not an open invoice (unless `arrived`), a
        non-positive amount, a card payment (those come from Stripe), or more
        than the amount due unless `allow_overpayment` or `arrived` (the
        excess is then flagged).
    """
    with receipts_numbered_last():
        invoice = invoice_lock(invoice.pk)
        if method == Payment.Method.CARD:
            raise PaymentRefused(_("Card payments are recorded from Stripe only."))
        if invoice.kind != Document.Kind.INVOICE or not (
            arrived or invoice.status in status.OPEN_INVOICE_STATUSES
        ):
            raise PaymentRefused(_("Only an open invoice can receive a payment."))
        if amount <= 0:
            raise PaymentRefused(_("A payment must be greater than zero."))
        if amount > invoice.amount_due and not (allow_overpayment or arrived):
            raise PaymentRefused(
                _("A payment cannot exceed the balance due (%(balance)s).")
                % {"balance": format_money_active(invoice.amount_due, invoice.currency)}
            )
        payment = Payment.objects.create(
            company_id=invoice.company_id,
            invoice=invoice,
            amount=amount,
            currency=invoice.currency,
            method=method,
            status=Payment.Status.SUCCEEDED,
            overpaid_amount=_overpaid_part(invoice, amount),
            received_at=received_at or now,
            note=note,
            recorded_by=actor,
        )
        _money_in(invoice, payment, actor=actor, now=now)
    return payment


@transaction.atomic
def invoice_mark_paid(*, invoice: Document, actor: Actor, now: dt.datetime) -> Payment:
    """Record the whole amount due as received by hand.

    :raises PaymentRefused: not an open invoice.
    """
    invoice = invoice_lock(invoice.pk)
    return payment_record(
        invoice=invoice,
        amount=invoice.amount_due,
        method=Payment.Method.MANUAL,
        actor=actor,
        now=now,
    )


# What happened to a card payment, as the Stripe events and the return page say.
# The functions that record it run in their caller's transaction when there is
# one (a webhook's, which also stores the event), without a savepoint: any
# failure rolls the whole back, event included, and Stripe delivers it again.
RECORDED, CONFIRMED, PROCESSING, FAILED, ALREADY, ELSEWHERE = (
    "payment_recorded",
    "payment_confirmed",
    "payment_processing",
    "payment_failed",
    "already_recorded",
    "intent_of_another_invoice",
)


def _card_payment_insert(invoice: Document, **fields: object) -> Payment | None:
    """Insert the intent's payment; None when it exists already.

    The unique payment intent decides, not a check before the insert: two
    announcements of one payment can never both insert it. Any other refusal
    of the database is not "recorded already": it goes up to the caller.
    """
    payment = Payment(
        company_id=invoice.company_id,
        invoice=invoice,
        currency=invoice.currency,
        method=Payment.Method.CARD,
        **fields,
    )
    if not insert_unless_stored(payment, key="provider_reference", key_not_null=True):
        return None
    return payment


def _card_payment_of(payment_intent: str) -> Payment | None:
    # unscoped: a payment intent id is unique across every company's payments
    payments = Payment.objects.select_for_update().filter(
        provider_reference=payment_intent
    )
    return next(iter(payments[:1]), None)


@transaction.atomic(savepoint=False)
def card_payment_settle(
    *,
    invoice_id: int,
    payment_intent: str,
    amount: Decimal,
    checkout_session_id: str,
    paid: bool,
    now: dt.datetime,
) -> str:
    """A Checkout payment was made: record it once, as paid or as processing
    (a bank debit Stripe has not confirmed). Returns what happened.

    Once per payment intent, whatever announces it (the return page, a
    `completed` event, an `async_payment_succeeded`, each perhaps twice): a
    processing payment is confirmed once; a paid or failed one stays as it is.
    """
    invoice = invoice_lock(invoice_id)
    # The common case first: a payment not heard of yet. The unique payment
    # intent refuses the insert when it was.
    payment = _card_payment_insert(
        invoice,
        amount=amount,
        status=Payment.Status.SUCCEEDED if paid else Payment.Status.PENDING,
        provider_reference=payment_intent,
        checkout_session_id=checkout_session_id,
        overpaid_amount=_overpaid_part(invoice, amount) if paid else 0,
        received_at=now if paid else None,
    )
    if payment is not None:
        if paid:
            _money_in(invoice, payment, actor=None, now=now)
            return RECORDED
        invoice.amount_processing += amount
        invoice.save(update_fields=["amount_processing", "updated_at"])
        events.invoice_payment_processing(
            document=invoice,
            actor=None,
            at=now,
            amount=str(amount),
            method=Payment.Method.CARD,
        )
        client_portal_revision_bump(client_id=invoice.client_id)
        return PROCESSING
    existing = _card_payment_of(payment_intent)
    if existing is None or existing.invoice_id != invoice.pk:
        return ELSEWHERE
    if not (paid and existing.status == Payment.Status.PENDING):
        return ALREADY
    # The bank debit went through: count it now.
    invoice.amount_processing -= existing.amount
    existing.status = Payment.Status.SUCCEEDED
    existing.received_at = now
    existing.overpaid_amount = _overpaid_part(invoice, existing.amount)
    existing.save(
        update_fields=["status", "received_at", "overpaid_amount", "updated_at"]
    )
    _money_in(invoice, existing, actor=None, now=now)
    return CONFIRMED


@transaction.atomic(savepoint=False)
def card_payment_fail(
    *,
    invoice_id: int,
    payment_intent: str,
    amount: Decimal,
    checkout_session_id: str,
    now: dt.datetime,
) -> str:
    """A processing payment failed: the invoice is open again, with a history
    line. A payment already counted as paid stays paid (a late failure never
    moves an invoice back); a failure heard before the payment itself is kept,
    so that the late announcement cannot make it processing."""
    invoice = invoice_lock(invoice_id)
    existing = _card_payment_of(payment_intent)
    if existing is None:
        if (
            _card_payment_insert(
                invoice,
                amount=amount,
                status=Payment.Status.FAILED,
                provider_reference=payment_intent,
                checkout_session_id=checkout_session_id,
            )
            is None
        ):
            return ALREADY
    elif existing.invoice_id != invoice.pk:
        return ELSEWHERE
    elif existing.status != Payment.Status.PENDING:
        return ALREADY
    else:
        invoice.amount_processing -= existing.amount
        invoice.save(update_fields=["amount_processing", "updated_at"])
        existing.status = Payment.Status.FAILED
        existing.save(update_fields=["status", "updated_at"])
    events.invoice_payment_failed(
        document=invoice,
        actor=None,
        at=now,
        amount=str(amount),
        method=Payment.Method.CARD,
    )
    client_portal_revision_bump(client_id=invoice.client_id)
    return FAILED

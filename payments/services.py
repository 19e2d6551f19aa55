"""Every change to what an invoice has received."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events, status
from documents.models import Document
from payments.models import Payment


class PaymentRefused(Exception):
    """A payment that cannot be recorded; the message is for people."""


@transaction.atomic
def payment_record(
    *,
    invoice: Document,
    amount: Decimal,
    method: str,
    actor: Actor,
    now: dt.datetime,
    provider_reference: str | None = None,
) -> Payment:
    """Record money received against an invoice and move it to partly paid or paid.

    :raises PaymentRefused: not an open invoice, a non-positive amount, or more
        than the amount due.
    """
    # unscoped: re-read under lock, the caller scoped this invoice
    invoice = Document.objects.select_for_update().get(pk=invoice.pk)
    if not status.is_payable(invoice):
        raise PaymentRefused(_("Only an open invoice can receive a payment."))
    if amount <= 0:
        raise PaymentRefused(_("A payment must be greater than zero."))
    if amount > invoice.amount_due:
        raise PaymentRefused(
            _("A payment cannot exceed the balance due (%(balance)s %(currency)s).")
            % {"balance": invoice.amount_due, "currency": invoice.currency}
        )
    payment = Payment.objects.create(
        company_id=invoice.company_id,
        invoice=invoice,
        amount=amount,
        currency=invoice.currency,
        method=method,
        status=Payment.Status.SUCCEEDED,
        provider_reference=provider_reference,
        received_at=now,
        recorded_by=actor,
    )
    invoice.amount_paid += amount
    invoice.status = status.status_after_payment(invoice, invoice.amount_paid)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    events.invoice_payment_received(
        document=invoice, actor=actor, at=now, amount=str(amount), method=method
    )
    if invoice.status == Document.Status.PAID:
        events.invoice_paid(document=invoice, actor=actor, at=now)
    client_portal_revision_bump(client_id=invoice.client_id)
    return payment


@transaction.atomic
def invoice_mark_paid(*, invoice: Document, actor: Actor, now: dt.datetime) -> Payment:
    """Record the whole amount due as received by hand.

    :raises PaymentRefused: not an open invoice.
    """
    # unscoped: re-read under lock, the caller scoped this invoice
    invoice = Document.objects.select_for_update().get(pk=invoice.pk)
    return payment_record(
        invoice=invoice,
        amount=invoice.amount_due,
        method=Payment.Method.MANUAL,
        actor=actor,
        now=now,
    )

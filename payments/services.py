"""Every change to what an invoice has received."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from documents import events
from documents.models import Document
from payments.models import Payment


class PaymentRefused(Exception):
    """A payment that cannot be recorded; the message is for people."""


PAYABLE_STATUSES = (Document.Status.TO_PAY, Document.Status.PARTIALLY_PAID)


@transaction.atomic
def payment_record(
    *,
    invoice: Document,
    amount: Decimal,
    method: str,
    actor: AbstractBaseUser | None,
    now: dt.datetime,
    provider_reference: str | None = None,
) -> Payment:
    """Record money received against an invoice and move it to partly paid or paid.

    :raises PaymentRefused: not an open invoice, a non-positive amount, or more
        than the balance due.
    """
    invoice = Document.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Document.Kind.INVOICE or invoice.status not in PAYABLE_STATUSES:
        raise PaymentRefused(_("Only an open invoice can receive a payment."))
    if amount <= 0:
        raise PaymentRefused(_("A payment must be greater than zero."))
    if amount > invoice.balance_due:
        raise PaymentRefused(
            _("A payment cannot exceed the balance due (%(balance)s %(currency)s).")
            % {"balance": invoice.balance_due, "currency": invoice.currency}
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
    fully_paid = invoice.amount_paid == invoice.total
    invoice.status = (
        Document.Status.PAID if fully_paid else Document.Status.PARTIALLY_PAID
    )
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    events.invoice_payment_received(
        document=invoice, actor=actor, at=now, amount=str(amount), method=method
    )
    if fully_paid:
        events.invoice_paid(document=invoice, actor=actor, at=now)
    client_portal_revision_bump(client_id=invoice.client_id)
    return payment


def invoice_mark_paid(
    *, invoice: Document, actor: AbstractBaseUser | None, now: dt.datetime
) -> Payment:
    """Record the whole balance due as received by hand.

    :raises PaymentRefused: not an open invoice.
    """
    return payment_record(
        invoice=invoice,
        amount=invoice.balance_due,
        method=Payment.Method.MANUAL,
        actor=actor,
        now=now,
    )

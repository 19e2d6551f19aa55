"""Money given back on a payment: by the owner from the back office (through
Stripe for a card payment, on the company's account; recorded by hand
otherwise), and what Stripe says was refunded on a charge, recorded once.

Each change runs under the invoice's row lock, as in `recording`, and moves
the invoice back by what was given back.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies import money
from companies.errors import ActionRefused
from companies.models import Actor
from companies.money import format_money_active
from documents import events, status
from documents.models import Document
from payments import stripe_gateway
from payments.models import Payment, Refund, StripeAccount
from payments.services.recording import invoice_lock

logger = logging.getLogger(__name__)


class RefundRefused(ActionRefused):
    """A refund that cannot be recorded; the message is for people."""


def _money_out(
    invoice: Document,
    payment: Payment,
    *,
    amount: Decimal,
    actor: Actor,
    now: dt.datetime,
    provider_reference: str | None,
    note: str,
) -> Refund:
    refund = Refund.objects.create(
        company_id=invoice.company_id,
        payment=payment,
        invoice=invoice,
        amount=amount,
        currency=payment.currency,
        provider_reference=provider_reference,
        refunded_at=now,
        note=note,
        recorded_by=actor,
    )
    payment.amount_refunded += amount
    payment.save(update_fields=["amount_refunded", "updated_at"])
    invoice.amount_refunded += amount
    invoice.status = status.status_after_payment(invoice)
    invoice.save(update_fields=["amount_refunded", "status", "updated_at"])
    events.invoice_refunded(
        document=invoice,
        actor=actor,
        at=now,
        amount=str(amount),
        method=payment.method,
    )
    client_portal_revision_bump(client_id=invoice.client_id)
    return refund


def _payment_lock(payment: Payment) -> tuple[Document, Payment]:
    invoice = invoice_lock(payment.invoice_id)
    return invoice, invoice.payments.select_for_update().get(pk=payment.pk)


@transaction.atomic
def refund_record(
    *,
    payment: Payment,
    amount: Decimal,
    actor: Actor,
    now: dt.datetime,
    note: str = "",
) -> Refund:
    """Record money given back by hand on a transfer or manual payment.

    :raises RefundRefused: a card payment (refunded through Stripe), a payment
        that did not succeed, a non-positive amount or more than is left.
    """
    invoice, payment = _payment_lock(payment)
    if payment.method == Payment.Method.CARD:
        raise RefundRefused(_("A card payment is refunded through Stripe."))
    refund_check(payment, amount)
    return _money_out(
        invoice,
        payment,
        amount=amount,
        actor=actor,
        now=now,
        provider_reference=None,
        note=note,
    )


def refund_check(payment: Payment, amount: Decimal) -> None:
    if payment.status != Payment.Status.SUCCEEDED:
        raise RefundRefused(_("Only a payment that was received can be refunded."))
    if amount <= 0:
        raise RefundRefused(_("A refund must be greater than zero."))
    if amount > payment.refundable_amount:
        raise RefundRefused(
            _("A refund cannot exceed what is left of the payment (%(left)s).")
            % {"left": payment.refundable_amount}
        )


@transaction.atomic(savepoint=False)
def card_refund_sync(
    *,
    payment: Payment,
    charge_id: str,
    refunded_in_all: Decimal,
    now: dt.datetime,
    actor: Actor = None,
    note: str = "",
) -> Refund | None:
    """Stripe says `refunded_in_all` was refunded on the payment's charge: record
    what we have not recorded yet, once, whoever says it first (our own refund
    call or the `charge.refunded` event, each perhaps twice, in any order).
    Returns the refund recorded, or None when there was nothing new.

    :raises RefundRefused: Stripe says more was refunded than was paid (the
        webhook stores such an event as a discrepancy before asking).
    """
    invoice, payment = _payment_lock(payment)
    if not 0 <= refunded_in_all <= payment.amount:
        raise RefundRefused(
            _(
                "Stripe reports %(refunded)s refunded on a payment of %(amount)s: "
                "nothing was recorded."
            )
            % {
                "refunded": format_money_active(refunded_in_all, payment.currency),
                "amount": format_money_active(payment.amount, payment.currency),
            }
        )
    missing = refunded_in_all - payment.amount_refunded
    if missing <= 0 or payment.status != Payment.Status.SUCCEEDED:
        return None
    return _money_out(
        invoice,
        payment,
        amount=missing,
        actor=actor,
        now=now,
        provider_reference=f"{charge_id}:{refunded_in_all}",
        note=note,
    )


def payment_refund(
    *, payment: Payment, amount: Decimal, actor: Actor, now: dt.datetime, note: str = ""
) -> Refund | None:
    """Give `amount` of a payment back to the client and record it.

    A card payment is refunded by Stripe first (outside any transaction, with an
    idempotency key naming this payment, what it had refunded and the amount,
    so a double submit refunds once); what Stripe then says was refunded in all
    is recorded, once, as the `charge.refunded` webhook would. Returns the
    refund recorded, or None when the webhook had recorded it already.

    :raises RefundRefused: not refundable (see `refund_record`), or
        Stripe refused or could not be reached (nothing recorded then).
    """
    if payment.method != Payment.Method.CARD:
        return refund_record(
            payment=payment, amount=amount, actor=actor, now=now, note=note
        )
    # unscoped: the payment's own row, read again for what it has refunded now
    payment = Payment.objects.select_related("invoice").get(pk=payment.pk)
    refund_check(payment, amount)
    # unscoped: the payment's own company, named by id
    account = StripeAccount.objects.filter(company_id=payment.company_id).first()
    if account is None or not payment.provider_reference:
        raise RefundRefused(_("This company has no Stripe account."))
    if "/" in payment.provider_reference:
        # One charge for several invoices: Stripe refunds the charge, and its
        # event spreads the refund over the invoices (`webhooks`), one way only.
        raise RefundRefused(
            _(
                "This payment paid several invoices at once: refund it from your "
                "Stripe dashboard; the refund is then recorded here on its "
                "invoices."
            )
        )
    currency = payment.currency
    already = money.to_minor_units(payment.amount_refunded, currency)
    minor = money.to_minor_units(amount, currency)
    try:
        refund = stripe_gateway.refund_create(
            account_id=account.account_id,
            payment_intent=payment.provider_reference,
            amount=minor,
            idempotency_key=f"refund-{payment.pk}-after{already}-{minor}",
        )
    except stripe_gateway.StripeUnavailable as exc:
        logger.warning("Refund of payment %s: %s", payment.pk, exc)
        raise RefundRefused(
            _("Stripe did not refund this payment: nothing was recorded. %(why)s")
            % {"why": _("Please try again in a few minutes.")}
        ) from exc
    charge = refund.get("charge") or {}
    return card_refund_sync(
        payment=payment,
        charge_id=charge.get("id", refund.get("id", "")),
        refunded_in_all=money.from_minor_units(
            charge.get("amount_refunded", already + minor), currency
        ),
        now=now,
        actor=actor,
        note=note,
    )

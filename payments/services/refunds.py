"""Refunds the owner makes from the back office: through Stripe for a card
payment (on the company's account), recorded by hand otherwise."""

import datetime as dt
import logging
from decimal import Decimal

from django.utils.translation import gettext as _

from companies import money
from companies.models import Actor
from payments import stripe_gateway
from payments.models import Payment, Refund, StripeAccount
from payments.services import recording

logger = logging.getLogger(__name__)


def payment_refund(
    *, payment: Payment, amount: Decimal, actor: Actor, now: dt.datetime, note: str = ""
) -> Refund | None:
    """Give `amount` of a payment back to the client and record it.

    A card payment is refunded by Stripe first (outside any transaction, with an
    idempotency key naming this payment, what it had refunded and the amount,
    so a double submit refunds once); what Stripe then says was refunded in all
    is recorded, once, as the `charge.refunded` webhook would. Returns the
    refund recorded, or None when the webhook had recorded it already.

    :raises RefundRefused: not refundable (see `recording.refund_record`), or
        Stripe refused or could not be reached (nothing recorded then).
    """
    if payment.method != Payment.Method.CARD:
        return recording.refund_record(
            payment=payment, amount=amount, actor=actor, now=now, note=note
        )
    # unscoped: the payment's own row, read again for what it has refunded now
    payment = Payment.objects.select_related("invoice").get(pk=payment.pk)
    recording.refund_check(payment, amount)
    # unscoped: the payment's own company, named by id
    account = StripeAccount.objects.filter(company_id=payment.company_id).first()
    if account is None or not payment.provider_reference:
        raise recording.RefundRefused(_("This company has no Stripe account."))
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
        raise recording.RefundRefused(
            _("Stripe did not refund this payment: nothing was recorded. %(why)s")
            % {"why": _("Please try again in a few minutes.")}
        ) from exc
    charge = refund.get("charge") or {}
    return recording.card_refund_sync(
        payment=payment,
        charge_id=charge.get("id", refund.get("id", "")),
        refunded_in_all=money.from_minor_units(
            charge.get("amount_refunded", already + minor), currency
        ),
        now=now,
        actor=actor,
        note=note,
    )

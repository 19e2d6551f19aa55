"""Paying an invoice by card: a Stripe Checkout Session on the company's own
account, and what comes back from it.

The session is created outside any transaction (a Stripe call), with an
idempotency key of ours derived from the invoice, its version and the amount
due: a double click, or two tabs, get the same session instead of two. What the
session says when the client comes back, and what the webhooks say later, go
through one path (`checkout_session_apply`), which records each payment once.
"""

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clients.models import Client
from companies import money
from documents import status
from documents.models import Document
from payments import stripe_gateway
from payments.models import CheckoutSession, Payment, StripeAccount
from payments.services import batches, recording

logger = logging.getLogger(__name__)


class PaymentUnavailable(Exception):
    """Card payment cannot start now; the message is for the client."""


@dataclass(frozen=True)
class Applied:
    """What became of a Checkout Session's news: applied or not, and why."""

    applied: bool
    reason: str


def card_payment_account(*, invoice: Document) -> StripeAccount | None:
    """The company's account, when it may take this invoice's card payment now."""
    if not stripe_gateway.is_configured():
        return None
    # unscoped: the invoice's own company, named by id (no extra query for it)
    account = StripeAccount.objects.filter(company_id=invoice.company_id).first()
    return account if account is not None and account.can_take_payments else None


def _idempotency_key(invoice: Document, params: dict[str, Any], minor: int) -> str:
    """Ours, so that the same click twice is one session.

    The invoice, its version and the amount due name the payment asked for; the
    number of failed card payments lets a client try again after a failure; a
    digest of the parameters keeps a changed request (another language, e-mail
    or address) from replaying an answer to a different question.
    """
    failed = invoice.payments.filter(
        method=Payment.Method.CARD, status=Payment.Status.FAILED
    ).count()
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    return (
        f"checkout-{invoice.company_id}-{invoice.pk}-v{_version_number(invoice)}-"
        f"{invoice.currency}{minor}-retry{failed}-{digest[:16]}"
    )


def _version_number(invoice: Document) -> int:
    """The current version's number (a finalised invoice always has one)."""
    version = invoice.current_version
    if version is None:
        raise PaymentUnavailable(_("This invoice has nothing left to pay online."))
    return version.number


def invoice_checkout_start(
    *,
    invoice: Document,
    client: Client,
    success_url: str,
    cancel_url: str,
    locale: str,
    now: dt.datetime,
) -> str:
    """Open (or find again) a Checkout Session for the amount due, on the
    company's account; returns its address.

    :raises PaymentUnavailable: nothing to pay, card payment not offered for
        this company, or Stripe refused or could not be reached.
    """
    if not status.is_payable(invoice):
        raise PaymentUnavailable(_("This invoice has nothing left to pay online."))
    account = card_payment_account(invoice=invoice)
    if account is None:
        raise PaymentUnavailable(_("Card payment is not available for this invoice."))
    amount = invoice.amount_due
    minor = money.to_minor_units(amount, invoice.currency)
    version = _version_number(invoice)
    metadata = {
        "company_id": str(invoice.company_id),
        "invoice_id": str(invoice.pk),
        "invoice_number": invoice.number,
        "version": str(version),
    }
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": invoice.currency.lower(),
                    "unit_amount": minor,
                    "product_data": {"name": invoice.number},
                },
            }
        ],
        "client_reference_id": str(invoice.pk),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
    }
    if client.email:
        params["customer_email"] = client.email
    try:
        session = stripe_gateway.checkout_session_create(
            account_id=account.account_id,
            params=params,
            idempotency_key=_idempotency_key(invoice, params, minor),
        )
    except stripe_gateway.StripeUnavailable as exc:
        logger.warning("Checkout for invoice %s: %s", invoice.pk, exc)
        raise PaymentUnavailable(
            _(
                "Card payment is unavailable right now. Nothing was charged; "
                "please try again in a few minutes, or pay by bank transfer."
            )
        ) from exc
    try:
        with transaction.atomic():
            CheckoutSession.objects.create(
                company_id=invoice.company_id,
                session_id=session["id"],
                account_id=account.account_id,
                invoice=invoice,
                version_number=version,
                amount=amount,
                currency=invoice.currency,
                url=session["url"],
                created_at=now,
            )
    except IntegrityError:
        pass  # the same session, found again by a double click: stored already
    return str(session["url"])


def checkout_session_apply(
    *,
    checkout: CheckoutSession,
    session: dict[str, Any],
    now: dt.datetime,
    failed: bool = False,
) -> Applied:
    """Record what a Checkout Session says of its payment, once.

    `session` is Stripe's (from an event, or read back on the return page); it
    is applied only if it is the one we opened, for the invoice, currency and
    amount we asked. Paid: the payment is recorded. Complete but unpaid: a bank
    debit is processing. `failed`: that debit failed.
    """
    if batches.is_batch(checkout=checkout):
        return Applied(
            *batches.batch_session_apply(
                checkout=checkout, session=session, now=now, failed=failed
            )
        )
    invoice_id = str((session.get("metadata") or {}).get("invoice_id", ""))
    if session.get("id") != checkout.session_id or invoice_id != str(
        checkout.invoice_id
    ):
        return Applied(False, "session_mismatch")
    if str(session.get("currency", "")).upper() != checkout.currency:
        return Applied(False, "currency_mismatch")
    if session.get("amount_total") != money.to_minor_units(
        checkout.amount, checkout.currency
    ):
        return Applied(False, "amount_mismatch")
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    paid = session.get("payment_status") == "paid"
    processing = session.get("status") == "complete" and not paid
    if not (paid or processing or failed):
        return Applied(True, "not_paid_yet")
    if not intent:
        return Applied(False, "no_payment_intent")
    common = {
        "invoice_id": checkout.invoice_id,
        "payment_intent": intent,
        "amount": checkout.amount,
        "checkout_session_id": checkout.session_id,
        "now": now,
    }
    if failed:
        reason = recording.card_payment_fail(**common)
    else:
        reason = recording.card_payment_settle(paid=paid, **common)
    return Applied(reason != recording.ELSEWHERE, reason)


# What the return page tells the client.
RETURN_PAID, RETURN_PROCESSING, RETURN_OPEN, RETURN_UNCONFIRMED = (
    "paid",
    "processing",
    "open",
    "unconfirmed",
)


def checkout_return_confirm(
    *, invoice: Document, session_id: str, now: dt.datetime
) -> str:
    """The client is back from Checkout: ask Stripe how the session stands and
    record the payment at once (the webhook may come later, or first: the
    payment is recorded once either way). Returns what to tell the client."""
    checkout = (
        # unscoped: the invoice's own company, named by id
        CheckoutSession.objects.filter(
            company_id=invoice.company_id, invoice=invoice, session_id=session_id
        ).first()
    )
    if checkout is None:
        return RETURN_OPEN
    try:
        session = stripe_gateway.checkout_session_retrieve(
            account_id=checkout.account_id, session_id=session_id
        )
    except stripe_gateway.StripeUnavailable as exc:
        logger.warning("Checkout return for invoice %s: %s", invoice.pk, exc)
        return RETURN_UNCONFIRMED
    applied = checkout_session_apply(checkout=checkout, session=session, now=now)
    if not applied.applied:
        logger.warning(
            "Checkout return for invoice %s not applied: %s", invoice.pk, applied.reason
        )
        return RETURN_OPEN
    if session.get("payment_status") == "paid":
        return RETURN_PAID
    if session.get("status") == "complete":
        return RETURN_PROCESSING
    return RETURN_OPEN

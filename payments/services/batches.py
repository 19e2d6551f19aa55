"""Paying several invoices at once by card: one Checkout Session on the
company's account with one line per invoice, and the payment split across the
invoices exactly once when it comes back.

The guarantees are the single invoice's (`checkout`, `recording`): the session
is created outside any transaction with an idempotency key of ours (the same
selection twice is one session); what the session says is applied only if it
is the one we opened, for the invoices, currency and amount we asked; each
invoice's part is recorded once whatever announces it (the return page, a
`completed` event, an `async_payment_succeeded`, each perhaps twice, in any
order), since each part is a card payment of its own, unique by the payment
intent and the invoice (`<intent>/<invoice id>`). All the parts are recorded
in one transaction, under the invoices' row locks taken in id order, so two
deliveries at once never deadlock and never record half a batch.
"""

import datetime as dt
import hashlib
import json
import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from clients.models import Client
from companies import money
from documents import status
from documents.models import Document
from payments import stripe_gateway
from payments.models import CheckoutSession, CheckoutSessionLine, Payment, StripeAccount
from payments.services import recording

logger = logging.getLogger(__name__)

# Stripe's metadata values hold 500 characters: the ids of 50 invoices fit.
MAX_INVOICES = 50


class BatchUnavailable(Exception):
    """Paying these invoices at once cannot start; the message is for the client."""


def batch_part_reference(payment_intent: str, invoice_id: int) -> str:
    """The provider reference of one invoice's part of a batch's payment."""
    return f"{payment_intent}/{invoice_id}"


def _account(company_id: int) -> StripeAccount | None:
    if not stripe_gateway.is_configured():
        return None
    # unscoped: the invoices' own company, named by id
    account = StripeAccount.objects.filter(company_id=company_id).first()
    return account if account is not None and account.can_take_payments else None


def _idempotency_key(
    invoices: list[Document], params: dict[str, Any], minors: list[int]
) -> str:
    """The same selection, versions and amounts twice is one session; a failed
    card payment on any of them lets the client try again."""
    # unscoped: the invoices' own company, named by id
    failed = Payment.objects.filter(
        company_id=invoices[0].company_id,
        invoice__in=invoices,
        method=Payment.Method.CARD,
        status=Payment.Status.FAILED,
    ).count()
    selection = [
        (invoice.pk, invoice.current_version_id, minor)
        for invoice, minor in zip(invoices, minors, strict=True)
    ]
    digest = hashlib.sha256(
        json.dumps([selection, params], sort_keys=True).encode()
    ).hexdigest()
    return f"checkout-batch-{invoices[0].company_id}-retry{failed}-{digest[:32]}"


def invoices_checkout_start(
    *,
    client: Client,
    invoices: list[Document],
    success_url: str,
    cancel_url: str,
    locale: str,
    now: dt.datetime,
) -> str:
    """Open (or find again) one Checkout Session paying the amount due of each
    of `invoices` (the client's own, in one currency); returns its address.

    :raises BatchUnavailable: none or too many, another client's, one with
        nothing left to pay, several currencies, no card payment for this
        company, or Stripe refused or could not be reached.
    """
    invoices = sorted(invoices, key=lambda invoice: invoice.pk)
    if len(invoices) < 2:
        raise BatchUnavailable(_("Choose at least two invoices to pay at once."))
    if len(invoices) > MAX_INVOICES:
        raise BatchUnavailable(
            _("Choose at most %(count)s invoices at once.") % {"count": MAX_INVOICES}
        )
    if any(invoice.client_id != client.pk for invoice in invoices):
        raise BatchUnavailable(_("These invoices cannot be paid together."))
    if not all(status.is_payable(invoice) for invoice in invoices):
        raise BatchUnavailable(
            _("One of these invoices has nothing left to pay online.")
        )
    currencies = {invoice.currency for invoice in invoices}
    if len(currencies) > 1:
        raise BatchUnavailable(
            _("Invoices in different currencies are paid one currency at a time.")
        )
    account = _account(client.company_id)
    if account is None or any(
        invoice.current_version_id is None for invoice in invoices
    ):
        raise BatchUnavailable(_("Card payment is not available for these invoices."))
    (currency,) = currencies
    minors = [
        money.to_minor_units(invoice.amount_due, currency) for invoice in invoices
    ]
    ids = ",".join(str(invoice.pk) for invoice in invoices)
    metadata = {
        "company_id": str(client.company_id),
        "invoice_ids": ids,
        "invoice_id": str(invoices[0].pk),
        "batch": "1",
    }
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": minor,
                    "product_data": {"name": invoice.number},
                },
            }
            for invoice, minor in zip(invoices, minors, strict=True)
        ],
        "client_reference_id": str(invoices[0].pk),
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
            idempotency_key=_idempotency_key(invoices, params, minors),
        )
    except stripe_gateway.StripeUnavailable as exc:
        logger.warning("Checkout for invoices %s: %s", ids, exc)
        raise BatchUnavailable(
            _(
                "Card payment is unavailable right now. Nothing was charged; "
                "please try again in a few minutes, or pay by bank transfer."
            )
        ) from exc
    try:
        with transaction.atomic():
            checkout = CheckoutSession.objects.create(
                company_id=client.company_id,
                session_id=session["id"],
                account_id=account.account_id,
                invoice=invoices[0],
                version_number=invoices[0].current_version.number,  # type: ignore[union-attr]
                amount=sum((invoice.amount_due for invoice in invoices), Decimal(0)),
                currency=currency,
                url=session["url"],
                created_at=now,
            )
            CheckoutSessionLine.objects.bulk_create(
                [
                    CheckoutSessionLine(
                        company_id=client.company_id,
                        checkout=checkout,
                        invoice=invoice,
                        version_number=invoice.current_version.number,  # type: ignore[union-attr]
                        amount=invoice.amount_due,
                    )
                    for invoice in invoices
                ]
            )
    except IntegrityError:
        pass  # the same session, found again by a double click: stored already
    return str(session["url"])


def is_batch(*, checkout: CheckoutSession) -> bool:
    """Whether the session pays several invoices: read with the session when
    it was loaded `with_batch_flag`, else asked."""
    flag = getattr(checkout, "pays_several", None)
    return checkout.lines.exists() if flag is None else bool(flag)


def with_batch_flag(
    sessions: QuerySet[CheckoutSession],
) -> QuerySet[CheckoutSession]:
    """The sessions, each knowing whether it pays several invoices (one query)."""
    # unscoped: the session's own lines
    lines = CheckoutSessionLine.objects.filter(checkout=OuterRef("pk"))
    return sessions.annotate(pays_several=Exists(lines))


# What became of each part, strongest first: what the whole batch reports.
_REPORTED = (
    recording.RECORDED,
    recording.CONFIRMED,
    recording.PROCESSING,
    recording.FAILED,
)


def batch_session_apply(
    *,
    checkout: CheckoutSession,
    session: dict[str, Any],
    now: dt.datetime,
    failed: bool = False,
) -> tuple[bool, str]:
    """Split what a batch's Checkout Session says of its payment across its
    invoices, once; (applied, reason) as `checkout.checkout_session_apply`."""
    lines = list(checkout.lines.order_by("invoice_id"))
    expected = ",".join(str(line.invoice_id) for line in lines)
    if session.get("id") != checkout.session_id or (
        str((session.get("metadata") or {}).get("invoice_ids", "")) != expected
    ):
        return False, "session_mismatch"
    if str(session.get("currency", "")).upper() != checkout.currency:
        return False, "currency_mismatch"
    total = sum((line.amount for line in lines), Decimal(0))
    if total != checkout.amount or session.get("amount_total") != money.to_minor_units(
        checkout.amount, checkout.currency
    ):
        return False, "amount_mismatch"
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    paid = session.get("payment_status") == "paid"
    processing = session.get("status") == "complete" and not paid
    if not (paid or processing or failed):
        return True, "not_paid_yet"
    if not intent:
        return False, "no_payment_intent"
    reasons = []
    with transaction.atomic():
        for line in lines:  # in invoice id order: locks always taken alike
            reference = batch_part_reference(str(intent), line.invoice_id)
            if failed:
                reason = recording.card_payment_fail(
                    invoice_id=line.invoice_id,
                    payment_intent=reference,
                    amount=line.amount,
                    checkout_session_id=checkout.session_id,
                    now=now,
                )
            else:
                reason = recording.card_payment_settle(
                    invoice_id=line.invoice_id,
                    payment_intent=reference,
                    amount=line.amount,
                    checkout_session_id=checkout.session_id,
                    paid=paid,
                    now=now,
                )
            reasons.append(reason)
        if recording.ELSEWHERE in reasons:
            transaction.set_rollback(True)  # never half a batch
            return False, recording.ELSEWHERE
    reported = next((r for r in _REPORTED if r in reasons), recording.ALREADY)
    return True, reported

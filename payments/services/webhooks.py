"""Stripe's webhook events, each applied at most once.

Stripe delivers at least once, in no set order, sometimes twice at the same
moment. Each event is stored once (unique event id) in the transaction that
applies it, so a second delivery waits for the first and then finds it: it is
acknowledged and does nothing. One payment is recorded once whatever announces
it (unique payment intent, in `recording`). An event is applied only when it
comes from the connected account of the company owning the invoice it names,
for the currency and amount we asked, and only for money that adds up (no
refund above what was paid, no capture above the charge); anything else is
stored as a discrepancy for the owner to review, never applied.

No event fails on its content (`payments.event_cleaning`): its texts are
cleaned and bounded before they are stored, an identifier Stripe would never
send is a discrepancy, and an event whose effect the database still refuses
is stored as received, flagged for review, and acknowledged. Only a database
that is not answering (a timeout, a deadlock) answers 5xx, for Stripe to
deliver the event again later.
"""

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from companies import money
from companies.rows import insert_unless_stored
from payments.event_cleaning import (
    clean_payload,
    clean_text,
    is_stripe_id,
    stored_event_id,
)
from payments.models import CheckoutSession, Payment, StripeAccount, StripeEvent
from payments.services import batches, checkout, receipts, recording, refunds

logger = logging.getLogger(__name__)

CHECKOUT_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
)
REFUND_EVENT = "charge.refunded"

Outcome = StripeEvent.Outcome


def _company_id_of_account(account_id: str) -> int | None:
    if not account_id:
        return None
    # unscoped: the account id is what names the company here
    accounts = StripeAccount.objects.filter(account_id=account_id)
    return next(iter(accounts.values_list("company_id", flat=True)[:1]), None)


def _company_account() -> Subquery:
    """The connected account of the row's company, read with the row itself."""
    # unscoped: the company is the row's own, named by its id
    accounts = StripeAccount.objects.filter(company_id=OuterRef("company_id"))
    return Subquery(accounts.values("account_id")[:1])


def _checkout_of(event: dict[str, Any]) -> CheckoutSession | None:
    session_id = event["data"]["object"].get("id")
    if not is_stripe_id(session_id):
        return None
    # unscoped: a Checkout Session id is unique; it names the company
    named = CheckoutSession.objects.filter(session_id=session_id)
    sessions = batches.with_batch_flag(
        named.annotate(company_account=_company_account())
    )
    return next(iter(sessions[:1]), None)


def _payment_of(event: dict[str, Any]) -> Payment | None:
    intent = event["data"]["object"].get("payment_intent")
    if not is_stripe_id(intent):
        return None
    # unscoped: a payment intent id is unique; it names the company
    payments = Payment.objects.filter(provider_reference=intent).annotate(
        company_account=_company_account()
    )
    found = next(iter(payments[:1]), None)
    if found is not None:
        return found
    # Several invoices paid at once: the intent's first part stands for them.
    parts = (
        # unscoped: a payment intent id is unique; it names the company
        Payment.objects.filter(provider_reference__startswith=f"{intent}/")
        .annotate(company_account=_company_account())
        .order_by("invoice_id", "pk")
    )
    return next(iter(parts[:1]), None)


# The identifiers an event of each kind is looked up by, in its object.
LOOKUP_IDS = {
    **{kind: ("id", "payment_intent") for kind in CHECKOUT_EVENTS},
    REFUND_EVENT: ("id", "payment_intent"),
}


def _malformed_ids(event: dict[str, Any]) -> bool:
    """Whether an identifier we would look up or store is not Stripe's: too
    long for its column, or with characters no Stripe id has (a NUL, which
    PostgreSQL refuses even in a query)."""
    if not is_stripe_id(event["id"]):
        return True
    account = event.get("account")
    if account not in (None, "") and not is_stripe_id(account):
        return True
    obj = event["data"]["object"]
    for name in LOOKUP_IDS.get(event["type"], ()):
        value = obj.get(name)
        if isinstance(value, dict):  # an expanded object: its own id
            value = value.get("id")
        if value is not None and not is_stripe_id(value):
            return True
    return False


def stripe_event_receive(
    *, event: dict[str, Any], now: dt.datetime
) -> StripeEvent | None:
    """Store a verified event once and apply it; None when it was stored already.

    Never raises for what the event says: a discrepancy is stored and
    acknowledged (Stripe would otherwise deliver it again and again), and so
    is an event whose effect the database refused.
    """
    kind = clean_text(event["type"], 100)
    malformed = _malformed_ids(event)
    # Each lookup takes only an identifier that looks like Stripe's, so an
    # event with one garbled id still finds whose it is, for review.
    account_id = event.get("account") or ""
    if not is_stripe_id(account_id):
        account_id = ""
    target: CheckoutSession | Payment | None = None
    if kind in CHECKOUT_EVENTS:
        target = _checkout_of(event)
    elif kind == REFUND_EVENT:
        target = _payment_of(event)
    company_id = (
        target.company_id if target is not None else _company_id_of_account(account_id)
    )
    stored = StripeEvent(
        event_id=stored_event_id(event["id"]),
        type=kind,
        account_id=account_id,
        company_id=company_id,
        invoice_id=target.invoice_id if target is not None else None,
        payload=clean_payload(event),
        received_at=now,
    )
    try:
        # Receipts numbered last: the company's sequence row is locked for
        # their INSERT and the commit only, not for the whole event.
        with transaction.atomic(), receipts.receipts_numbered_last():
            if malformed:
                stored.outcome, stored.reason = Outcome.DISCREPANCY, "malformed_id"
            else:
                stored.outcome, stored.reason = _apply(event, target, account_id, now)
            if not _event_store(stored):
                raise _Delivered
    except _Delivered:
        return None  # delivered before (perhaps this very moment): done then
    except (DataError, IntegrityError):
        # What the event asked was refused by the database (a constraint, a
        # value it cannot hold): undone, and the event kept for review. A
        # database that does not answer (OperationalError) is not the event's
        # fault: that goes on to a 5xx, and Stripe delivers it again later.
        logger.exception(
            "Stripe event %s (%s): refused by the database", stored.event_id, kind
        )
        stored.outcome, stored.reason = Outcome.DISCREPANCY, "refused_by_database"
        with transaction.atomic():
            if not _event_store(stored):
                return None
    outcome, reason = stored.outcome, stored.reason
    if outcome == Outcome.DISCREPANCY:
        logger.warning(
            "Stripe event %s (%s) not applied: %s", stored.event_id, kind, reason
        )
    return stored


class _Delivered(Exception):
    """The event was stored by an earlier delivery: undo what this one did."""


def _event_store(stored: StripeEvent) -> bool:
    """Insert the event unless its id is stored already; whether it was inserted.

    In the transaction that applied it, last: a delivery of the same event at
    the same moment waits here for the first one's commit, then finds it and
    rolls back its own work (which, applied a second time, changed nothing new:
    one payment per intent, refunds up to what Stripe says in all).
    """
    return insert_unless_stored(stored, key="event_id")


def _apply(
    event: dict[str, Any],
    target: CheckoutSession | Payment | None,
    account_id: str,
    now: dt.datetime,
) -> tuple[str, str]:
    kind = event["type"]
    if kind not in (*CHECKOUT_EVENTS, REFUND_EVENT):
        return Outcome.IGNORED, "unhandled_type"
    if target is None:
        unknown = "unknown_session" if kind in CHECKOUT_EVENTS else "unknown_payment"
        return Outcome.DISCREPANCY, unknown
    # Only the connected account of the company owning the invoice may move it
    # (read with the row: see _company_account).
    company_account = getattr(target, "company_account", None)
    if not account_id or account_id != company_account:
        return Outcome.DISCREPANCY, "account_mismatch"
    if isinstance(target, CheckoutSession):
        if account_id != target.account_id:
            return Outcome.DISCREPANCY, "account_mismatch"
        session = event["data"]["object"]
        if kind == "checkout.session.async_payment_succeeded" and (
            session.get("payment_status") != "paid"
        ):
            return Outcome.DISCREPANCY, "not_paid"
        applied = checkout.checkout_session_apply(
            checkout=target,
            session=session,
            now=now,
            failed=kind == "checkout.session.async_payment_failed",
        )
        if not applied.applied:
            return Outcome.DISCREPANCY, applied.reason
        if applied.reason in (recording.ALREADY, "not_paid_yet"):
            return Outcome.IGNORED, applied.reason
        return Outcome.APPLIED, applied.reason
    return _refund_apply(event["data"]["object"], target, now)


def _whole(value: object) -> int | None:
    """A count of minor units as Stripe writes it; None for anything else."""
    return value if type(value) is int else None


def charge_discrepancy(charge: dict[str, Any], payment: Payment) -> str:
    """Why what a charge says of its money cannot be true of this payment
    ("" when it can): another currency or amount, a capture above the charge,
    a refund above what was captured."""
    if str(charge.get("currency", "")).upper() != payment.currency:
        return "currency_mismatch"
    amount = _whole(charge.get("amount"))
    refunded = _whole(charge.get("amount_refunded"))
    captured = _whole(charge.get("amount_captured", amount))
    if (
        amount != money.to_minor_units(payment.amount, payment.currency)
        or refunded is None
        or captured is None
    ):
        return "amount_mismatch"
    if captured > amount:
        return "capture_above_amount"
    if not 0 <= refunded <= captured:
        return "refund_above_payment"
    return ""


def _batch_refund_apply(
    charge: dict[str, Any], first: Payment, now: dt.datetime
) -> tuple[str, str]:
    """A refund on a charge that paid several invoices: what Stripe says was
    refunded in all is spread over the invoices' parts in invoice order, each
    up to its amount. The same total always gives each part the same share,
    so a repeated or late (smaller) announcement records nothing new."""
    intent = str(first.provider_reference).split("/", 1)[0]
    parts = list(
        # unscoped: the parts of one payment intent, whose company is known
        Payment.objects.filter(
            company_id=first.company_id, provider_reference__startswith=f"{intent}/"
        ).order_by("invoice_id", "pk")
    )
    total = Payment(
        amount=sum((part.amount for part in parts), Decimal(0)),
        currency=first.currency,
    )
    wrong = charge_discrepancy(charge, total)
    if wrong:
        return Outcome.DISCREPANCY, wrong
    if not is_stripe_id(charge.get("id")):
        return Outcome.DISCREPANCY, "no_charge"
    left = money.from_minor_units(charge["amount_refunded"], first.currency)
    recorded = False
    for part in parts:
        share = min(left, part.amount)
        left -= share
        refund = refunds.card_refund_sync(
            payment=part,
            charge_id=f"{charge['id']}/{part.invoice_id}",
            refunded_in_all=share,
            now=now,
        )
        recorded = recorded or refund is not None
    if not recorded:
        return Outcome.IGNORED, recording.ALREADY
    return Outcome.APPLIED, "refund_recorded"


def _refund_apply(
    charge: dict[str, Any], payment: Payment, now: dt.datetime
) -> tuple[str, str]:
    if "/" in (payment.provider_reference or ""):
        return _batch_refund_apply(charge, payment, now)
    wrong = charge_discrepancy(charge, payment)
    if wrong:
        return Outcome.DISCREPANCY, wrong
    refunded = charge["amount_refunded"]
    if not is_stripe_id(charge.get("id")):
        return Outcome.DISCREPANCY, "no_charge"
    refund = refunds.card_refund_sync(
        payment=payment,
        charge_id=charge["id"],
        refunded_in_all=money.from_minor_units(refunded, payment.currency),
        now=now,
    )
    if refund is None:
        return Outcome.IGNORED, recording.ALREADY
    return Outcome.APPLIED, "refund_recorded"

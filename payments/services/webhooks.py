"""Stripe's webhook events, each applied at most once.

Stripe delivers at least once, in no set order, sometimes twice at the same
moment. Each event is stored once (unique event id) in the transaction that
applies it, so a second delivery waits for the first and then finds it: it is
acknowledged and does nothing. One payment is recorded once whatever announces
it (unique payment intent, in `recording`). An event is applied only when it
comes from the connected account of the company owning the invoice it names,
for the currency and amount we asked; anything else is stored as a discrepancy
for the owner to review, never applied.
"""

import datetime as dt
import logging
from typing import Any

from django.db import connections, transaction
from django.db.models import OuterRef, Subquery

from companies import money
from payments.models import CheckoutSession, Payment, StripeAccount, StripeEvent
from payments.services import checkout, recording

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
    if not isinstance(session_id, str):
        return None
    # unscoped: a Checkout Session id is unique; it names the company
    sessions = CheckoutSession.objects.filter(session_id=session_id).annotate(
        company_account=_company_account()
    )
    return next(iter(sessions[:1]), None)


def _payment_of(event: dict[str, Any]) -> Payment | None:
    intent = event["data"]["object"].get("payment_intent")
    if not isinstance(intent, str):
        return None
    # unscoped: a payment intent id is unique; it names the company
    payments = Payment.objects.filter(provider_reference=intent).annotate(
        company_account=_company_account()
    )
    return next(iter(payments[:1]), None)


def stripe_event_receive(
    *, event: dict[str, Any], now: dt.datetime
) -> StripeEvent | None:
    """Store a verified event once and apply it; None when it was stored already.

    Never raises for what the event says: a discrepancy is stored and
    acknowledged (Stripe would otherwise deliver it again and again).
    """
    kind = event["type"]
    account_id = event.get("account") or ""
    if not isinstance(account_id, str):
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
        event_id=event["id"],
        type=kind[:100],
        account_id=account_id[:255],
        company_id=company_id,
        invoice_id=target.invoice_id if target is not None else None,
        payload=event,
        received_at=now,
    )
    try:
        with transaction.atomic():
            stored.outcome, stored.reason = _apply(event, target, account_id, now)
            if not _event_store(stored):
                raise _Delivered
    except _Delivered:
        return None  # delivered before (perhaps this very moment): done then
    outcome, reason = stored.outcome, stored.reason
    if outcome == Outcome.DISCREPANCY:
        logger.warning(
            "Stripe event %s (%s) not applied: %s", event["id"], kind, reason
        )
    return stored


class _Delivered(Exception):
    """The event was stored by an earlier delivery: undo what this one did."""


def _event_store(stored: StripeEvent) -> bool:
    """Insert the event unless its id is stored already; whether it was inserted.

    In the transaction that applied it, last: a delivery of the same event at
    the same moment waits here for the first one's commit, then finds it and
    rolls back its own work (which, applied a second time, changed nothing new:
    one payment per intent, refunds up to what Stripe says in all). One
    statement, no savepoint: INSERT … ON CONFLICT DO NOTHING RETURNING (SQL the
    ORM does not write), on PostgreSQL and SQLite alike.
    """
    fields = [
        field for field in StripeEvent._meta.concrete_fields if not field.primary_key
    ]
    connection = connections[StripeEvent.objects.db]
    values = [
        field.get_db_prep_save(getattr(stored, field.attname), connection)
        for field in fields
    ]
    quote = connection.ops.quote_name
    table, key = quote(StripeEvent._meta.db_table), quote("event_id")
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning = f"RETURNING {quote('id')}"
    if connection.vendor == "sqlite":
        # SQLite's append-only guard refuses any INSERT over a stored key
        # before ON CONFLICT could skip it; its writers take turns anyway.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {placeholders} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {key} = %s) {returning}"
        )
        values.append(stored.event_id)
    else:
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT ({key}) DO NOTHING {returning}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    stored.pk = row[0]
    stored._state.adding = False
    return True


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


def _refund_apply(
    charge: dict[str, Any], payment: Payment, now: dt.datetime
) -> tuple[str, str]:
    if str(charge.get("currency", "")).upper() != payment.currency:
        return Outcome.DISCREPANCY, "currency_mismatch"
    refunded = charge.get("amount_refunded")
    if charge.get("amount") != money.to_minor_units(
        payment.amount, payment.currency
    ) or not isinstance(refunded, int):
        return Outcome.DISCREPANCY, "amount_mismatch"
    if not isinstance(charge.get("id"), str):
        return Outcome.DISCREPANCY, "no_charge"
    refund = recording.card_refund_sync(
        payment=payment,
        charge_id=charge["id"],
        refunded_in_all=money.from_minor_units(refunded, payment.currency),
        now=now,
    )
    if refund is None:
        return Outcome.IGNORED, recording.ALREADY
    return Outcome.APPLIED, "refund_recorded"

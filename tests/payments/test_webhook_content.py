"""Signed events never fail on what they carry, and money that does not add up
is never applied.

PostgreSQL is where content fails (no NUL in text or JSON, no string longer
than its column): CI runs these on PostgreSQL and again on SQLite, where they
must hold as well.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection

from payments.models import Payment, Refund, StripeEvent
from tests.backoffice import sign_in
from tests.factories import line
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    charge_event,
    checkout_open,
    connect,
    deliver,
    event,
    payable_invoice,
    session_event,
    sign,
)
from tests.payments.test_webhooks import COMPLETED, paid_session, payments_of, state

pytestmark = pytest.mark.django_db

UNPAID = ("to_pay", Decimal("0"), Decimal("0"))
PAID = ("paid", Decimal("120.00"), Decimal("0"))


def stored_payload(event_id: str) -> str:
    """The stored payload as the database holds it (its own text of the JSON)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload FROM payments_stripeevent WHERE event_id = %s", [event_id]
        )
        (value,) = cursor.fetchone()
    return value if isinstance(value, str) else json.dumps(value)


def deliver_raw(body: str):
    """A delivery whose body is exactly `body` (escapes and all), signed."""
    return deliver(body, WEBHOOK_SECRET, signature=sign(body, WEBHOOK_SECRET))


# --- texts: cleaned and bounded, the event applied --------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Ada\u0000Lovelace",  # PostgreSQL: "text fields cannot contain NUL"
        "Ada\x1b[2J\x07Lovelace",
        "Ada\ud800Lovelace",  # a lone surrogate: no UTF-8 for it
        "A" * 10_000 + "da",
    ],
)
def test_a_paid_checkout_whose_texts_a_database_refuses_is_recorded(stripe_fake, name):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    session["customer_details"] = {"name": name, "email": "ada@example.org"}
    payload = session_event(COMPLETED, session)

    response = deliver(payload, WEBHOOK_SECRET)

    assert (response.status_code, response.json()["reason"]) == (
        200,
        "payment_recorded",
    )
    assert state(invoice) == PAID
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]
    stored = StripeEvent.objects.for_company(invoice.company).get()
    kept = stored.payload["data"]["object"]["customer_details"]["name"]
    assert kept.startswith("Ada") or kept.startswith("AAAA")
    assert len(kept) <= 2000
    assert all(ord(char) >= 32 and not 0xD800 <= ord(char) <= 0xDFFF for char in kept)
    assert "\\u0000" not in stored_payload(payload["id"])


def test_numbers_no_json_column_holds_are_kept_as_text(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    payload = session_event(COMPLETED, session)
    body = json.dumps(payload).replace(
        '"livemode": false', '"livemode": false, "odd": [NaN, Infinity]'
    )

    response = deliver_raw(body)

    assert response.json()["reason"] == "payment_recorded"
    stored = StripeEvent.objects.for_company(invoice.company).get()
    assert stored.payload["odd"] == ["nan", "inf"]


# --- identifiers Stripe never sends: a discrepancy, acknowledged, stored once -------


@pytest.mark.parametrize(
    "event_id", ["evt_" + "x" * 300, "evt_\u0000nul", "evt_ space", "évt_1"]
)
def test_an_event_id_stripe_never_sends_is_a_discrepancy_stored_once(
    stripe_fake, event_id
):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    payload = session_event(COMPLETED, session, event_id=event_id)

    first = deliver(payload, WEBHOOK_SECRET)
    again = deliver(payload, WEBHOOK_SECRET)

    assert (first.status_code, first.json()["outcome"], first.json()["reason"]) == (
        200,
        "discrepancy",
        "malformed_id",
    )
    assert (again.status_code, again.json()) == (
        200,
        {"received": True, "duplicate": True},
    )
    assert state(invoice) == UNPAID
    assert payments_of(invoice) == []
    stored = StripeEvent.objects.for_company(invoice.company).get()
    assert stored.event_id.startswith("malformed_")
    assert len(stored.event_id) == len("malformed_") + 64
    # Its session is ours: the owner sees it on the invoice it names.
    assert stored.invoice_id == invoice.pk


@pytest.mark.parametrize(
    ("change", "account"),
    [
        ({"payment_intent": "pi_" + "x" * 300}, None),
        ({"payment_intent": "pi_\u0000"}, None),
        ({"id": "cs_" + "x" * 300}, None),
        ({"id": "cs_\u00001"}, None),
        ({}, "acct_\u0000"),
        ({}, "acct_" + "x" * 300),
    ],
)
def test_an_object_or_account_id_stripe_never_sends_is_a_discrepancy(
    stripe_fake, change, account
):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    ours = session_event(COMPLETED, session)["account"]
    payload = session_event(COMPLETED, {**session, **change}, account=account or ours)

    response = deliver(payload, WEBHOOK_SECRET)

    assert (response.status_code, response.json()["reason"]) == (200, "malformed_id")
    assert state(invoice) == UNPAID
    assert payments_of(invoice) == []
    stored = StripeEvent.objects.for_company(invoice.company).get()
    # A garbled account is not kept; the owner sees the event all the same.
    assert (stored.outcome, stored.account_id) == (
        "discrepancy",
        "" if account else ours,
    )


def test_a_refund_naming_a_garbled_charge_or_intent_is_a_discrepancy(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    account = session_event(COMPLETED, session)["account"]
    charge = stripe_fake.charge_for(session["payment_intent"])

    long_charge = deliver(
        charge_event(
            {**charge, "id": "ch_" + "x" * 300, "amount_refunded": 5000},
            account=account,
        ),
        WEBHOOK_SECRET,
    )
    nul_intent = deliver(
        charge_event(
            {**charge, "payment_intent": "pi_\u0000", "amount_refunded": 5000},
            account=account,
        ),
        WEBHOOK_SECRET,
    )

    assert [r.json()["reason"] for r in (long_charge, nul_intent)] == [
        "malformed_id",
        "malformed_id",
    ]
    assert state(invoice) == PAID
    assert not Refund.objects.for_company(invoice.company).exists()


def test_discrepancies_of_garbled_ids_are_shown_to_the_owner(client, stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    deliver(
        session_event(COMPLETED, session, event_id="evt_" + "x" * 300), WEBHOOK_SECRET
    )
    sign_in(client, invoice.company)

    page = client.get("/admin/payments/discrepancy/")

    (row,) = page.context["cl"].result_list
    assert (row.type, row.reason) == (COMPLETED, "malformed_id")
    assert (
        "Names an identifier Stripe never sends (too long or garbled)"
        in page.content.decode()
    )


# --- an effect the database refuses: undone, the event kept and flagged -----------


@pytest.fixture
def payments_refused():
    """The database refuses every new payment, as a constraint we never
    foresaw would: a trigger of the database's own."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_payment() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; "
                "END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_payment BEFORE INSERT ON payments_payment "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_payment()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_payment BEFORE INSERT ON payments_payment "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER test_refuse_payment ON payments_payment")
            cursor.execute("DROP FUNCTION test_refuse_payment()")
        else:
            cursor.execute("DROP TRIGGER test_refuse_payment")


def test_an_event_whose_effect_the_database_refuses_is_kept_and_flagged(
    stripe_fake, payments_refused
):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    payload = session_event(COMPLETED, session)

    first = deliver(payload, WEBHOOK_SECRET)
    again = deliver(payload, WEBHOOK_SECRET)

    assert (first.status_code, first.json()["reason"]) == (200, "refused_by_database")
    assert again.json() == {"received": True, "duplicate": True}
    assert state(invoice) == UNPAID
    assert payments_of(invoice) == []
    stored = StripeEvent.objects.for_company(invoice.company).discrepancies().get()
    assert (stored.event_id, stored.invoice_id) == (payload["id"], invoice.pk)
    assert stored.payload["data"]["object"]["id"] == session["id"]


# --- money that does not add up: a discrepancy, never applied ----------------------


def paid_and_charged(stripe_fake):
    """A card payment of 120.00 EUR recorded, and Stripe's charge for it."""
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    account = session_event(COMPLETED, session)["account"]
    return invoice, account, stripe_fake.charge_for(session["payment_intent"])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount_refunded": 13000}, "refund_above_payment"),
        ({"amount_refunded": 12001}, "refund_above_payment"),
        ({"amount_refunded": -100}, "refund_above_payment"),
        ({"amount_captured": 12500, "amount_refunded": 12500}, "capture_above_amount"),
        ({"amount_captured": 6000, "amount_refunded": 7000}, "refund_above_payment"),
        ({"currency": "usd", "amount_refunded": 5000}, "currency_mismatch"),
        ({"amount": 13000, "amount_refunded": 13000}, "amount_mismatch"),
        ({"amount_refunded": 50.5}, "amount_mismatch"),
        ({"amount_refunded": True}, "amount_mismatch"),
    ],
)
def test_a_refund_that_does_not_add_up_is_a_discrepancy_and_the_invoice_stays_paid(
    stripe_fake, change, reason
):
    invoice, account, charge = paid_and_charged(stripe_fake)

    response = deliver(
        charge_event({**charge, **change}, account=account), WEBHOOK_SECRET
    )

    assert (response.status_code, response.json()["outcome"]) == (200, "discrepancy")
    assert response.json()["reason"] == reason
    assert state(invoice) == PAID
    payment = Payment.objects.for_company(invoice.company).get()
    assert payment.amount_refunded == Decimal("0")
    assert not Refund.objects.for_company(invoice.company).exists()


def test_the_attack_s_refund_of_more_than_was_paid_changes_nothing(stripe_fake):
    """43,400 refunded on a 38,400 payment: it was recorded as 384 € and the
    invoice went back to To pay."""
    invoice = payable_invoice(lines=[line(unit_price="320.00", vat_rate="20")])
    session = paid_session(invoice, stripe_fake)
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    account = session_event(COMPLETED, session)["account"]
    charge = stripe_fake.charge_for(session["payment_intent"])
    assert charge["amount"] == 38400

    response = deliver(
        charge_event({**charge, "amount_refunded": 43400}, account=account),
        WEBHOOK_SECRET,
    )

    assert response.json()["reason"] == "refund_above_payment"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_refunded) == (
        "paid",
        Decimal("384.00"),
        Decimal("0"),
    )


def test_a_refund_from_another_account_is_a_discrepancy(stripe_fake):
    invoice, _account, charge = paid_and_charged(stripe_fake)
    stranger = connect(payable_invoice().company)

    response = deliver(
        charge_event({**charge, "amount_refunded": 5000}, account=stranger.account_id),
        WEBHOOK_SECRET,
    )

    assert response.json()["reason"] == "account_mismatch"
    assert state(invoice) == PAID
    assert not Refund.objects.for_company(invoice.company).exists()


def test_a_session_from_an_unknown_account_naming_our_session_is_not_applied(
    stripe_fake,
):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    session = stripe_fake.session_pay(checkout.session_id)

    response = deliver(
        event(COMPLETED, dict(session), account="acct_nobody"), WEBHOOK_SECRET
    )

    assert response.json()["reason"] == "account_mismatch"
    assert state(invoice) == UNPAID

"""The webhook: Stripe's signature, then every event applied at most once."""

import json
import time
from decimal import Decimal

import pytest

from documents.models import DocumentEvent
from payments import services
from payments.models import Payment, Refund, StripeEvent
from tests.factories import NOW, ClientFactory
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

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"
SUCCEEDED = "checkout.session.async_payment_succeeded"
FAILED = "checkout.session.async_payment_failed"


def paid_session(invoice, stripe_fake, status="paid"):
    checkout = checkout_open(invoice, stripe_fake)
    return stripe_fake.session_pay(checkout.session_id, status=status)


def state(invoice):
    invoice.refresh_from_db()
    return (invoice.status, invoice.amount_paid, invoice.amount_processing)


def payments_of(invoice):
    return list(
        Payment.objects.for_company(invoice.company)
        .filter(invoice=invoice)
        .values_list("status", "amount")
        .order_by("pk")
    )


def history(invoice):
    return list(
        DocumentEvent.objects.for_company(invoice.company)
        .filter(
            document=invoice,
            kind__in=(
                "payment_received",
                "paid",
                "payment_processing",
                "payment_failed",
                "refunded",
            ),
        )
        .values_list("kind", flat=True)
        .order_by("pk")
    )


def test_a_paid_checkout_records_the_payment(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    before = invoice.client.portal_revision

    response = deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    assert (response.status_code, response.json()) == (
        200,
        {"received": True, "outcome": "applied", "reason": "payment_recorded"},
    )
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0"))
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]
    assert history(invoice) == ["payment_received", "paid"]
    invoice.client.refresh_from_db()
    assert invoice.client.portal_revision > before
    stored = StripeEvent.objects.for_company(invoice.company).get()
    assert (stored.outcome, stored.invoice_id) == ("applied", invoice.pk)


def test_the_same_event_twice_records_one_payment(stripe_fake):
    invoice = payable_invoice()
    payload = session_event(COMPLETED, paid_session(invoice, stripe_fake))

    first = deliver(payload, WEBHOOK_SECRET)
    second = deliver(payload, WEBHOOK_SECRET)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"received": True, "duplicate": True}
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]
    assert StripeEvent.objects.for_company(invoice.company).count() == 1


def test_completed_then_async_succeeded_records_one_payment(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)

    first = deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    second = deliver(session_event(SUCCEEDED, session), WEBHOOK_SECRET)

    assert first.json()["outcome"] == "applied"
    assert second.json() == {
        "received": True,
        "outcome": "ignored",
        "reason": "already_recorded",
    }
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]
    assert history(invoice) == ["payment_received", "paid"]


def test_a_bank_debit_is_processing_until_stripe_confirms_it(stripe_fake):
    invoice = payable_invoice()
    processing = paid_session(invoice, stripe_fake, status="unpaid")

    deliver(session_event(COMPLETED, processing), WEBHOOK_SECRET)
    during = state(invoice)
    from documents import status as rules

    payable_during = rules.is_payable(invoice)
    shown_during = rules.client_status(invoice, NOW.date())
    confirmed = stripe_fake.session_pay(processing["id"], status="paid")
    deliver(session_event(SUCCEEDED, confirmed), WEBHOOK_SECRET)

    assert during == ("to_pay", Decimal("0"), Decimal("120.00"))
    assert (payable_during, shown_during) == (False, "processing")
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0.00"))
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]
    assert history(invoice) == ["payment_processing", "payment_received", "paid"]


def test_a_failed_bank_debit_opens_the_invoice_again(stripe_fake):
    invoice = payable_invoice()
    processing = paid_session(invoice, stripe_fake, status="unpaid")
    deliver(session_event(COMPLETED, processing), WEBHOOK_SECRET)

    response = deliver(session_event(FAILED, processing), WEBHOOK_SECRET)
    # A late, repeated "completed" does not make it processing again.
    late = deliver(session_event(COMPLETED, processing), WEBHOOK_SECRET)

    assert response.json()["reason"] == "payment_failed"
    assert late.json()["reason"] == "already_recorded"
    assert state(invoice) == ("to_pay", Decimal("0"), Decimal("0.00"))
    assert payments_of(invoice) == [("failed", Decimal("120.00"))]
    assert history(invoice) == ["payment_processing", "payment_failed"]
    from documents import status as rules

    assert rules.is_payable(invoice)


def test_a_late_failure_never_moves_a_paid_invoice_back(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    late = deliver(session_event(FAILED, session), WEBHOOK_SECRET)

    assert late.json()["reason"] == "already_recorded"
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0"))
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]


def test_success_before_processing_is_not_undone_by_the_late_processing(stripe_fake):
    invoice = payable_invoice()
    processing = paid_session(invoice, stripe_fake, status="unpaid")
    confirmed = dict(processing, payment_status="paid")

    deliver(session_event(SUCCEEDED, confirmed), WEBHOOK_SECRET)
    deliver(session_event(COMPLETED, processing), WEBHOOK_SECRET)

    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0"))
    assert payments_of(invoice) == [("succeeded", Decimal("120.00"))]


def test_an_unpaid_open_session_changes_nothing(stripe_fake):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    session = dict(stripe_fake.sessions[checkout.session_id])

    response = deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    assert response.json()["outcome"] == "ignored"
    assert state(invoice) == ("to_pay", Decimal("0"), Decimal("0"))


def test_another_account_s_event_is_a_discrepancy_not_applied(stripe_fake):
    invoice = payable_invoice()
    stranger = connect(ClientFactory().company)
    session = paid_session(invoice, stripe_fake)

    response = deliver(
        session_event(COMPLETED, session, account=stranger.account_id),
        WEBHOOK_SECRET,
    )

    assert (response.status_code, response.json()["outcome"]) == (200, "discrepancy")
    assert response.json()["reason"] == "account_mismatch"
    assert state(invoice) == ("to_pay", Decimal("0"), Decimal("0"))
    assert payments_of(invoice) == []
    stored = StripeEvent.objects.for_company(invoice.company).discrepancies().get()
    assert stored.account_id == stranger.account_id


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"currency": "usd"}, "currency_mismatch"),
        ({"amount_total": 100}, "amount_mismatch"),
        ({"metadata": {"invoice_id": "999999"}}, "session_mismatch"),
        ({"payment_intent": None}, "no_payment_intent"),
    ],
)
def test_a_session_that_is_not_what_we_asked_is_a_discrepancy(
    stripe_fake, change, reason
):
    invoice = payable_invoice()
    session = {**paid_session(invoice, stripe_fake), **change}

    response = deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    assert response.json() == {
        "received": True,
        "outcome": "discrepancy",
        "reason": reason,
    }
    assert state(invoice) == ("to_pay", Decimal("0"), Decimal("0"))
    assert payments_of(invoice) == []


def test_an_unknown_session_is_stored_as_a_discrepancy(stripe_fake):
    invoice = payable_invoice()
    account = connect(invoice.company)
    unknown = {
        "id": "cs_test_unknown",
        "object": "checkout.session",
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": "pi_unknown",
        "amount_total": 12000,
        "currency": "eur",
        "metadata": {"invoice_id": str(invoice.pk)},
    }

    response = deliver(
        event(COMPLETED, unknown, account=account.account_id), WEBHOOK_SECRET
    )

    assert response.json()["reason"] == "unknown_session"
    stored = StripeEvent.objects.for_company(invoice.company).get()
    assert (stored.outcome, stored.invoice_id) == ("discrepancy", None)
    assert payments_of(invoice) == []


def test_unknown_event_types_are_stored_and_acknowledged(stripe_fake):
    response = deliver(
        event("customer.created", {"id": "cus_1"}, account="acct_x"), WEBHOOK_SECRET
    )

    assert response.json()["outcome"] == "ignored"
    # unscoped: an event of no company of ours
    stored = StripeEvent.objects.get()
    assert (stored.type, stored.reason, stored.company_id) == (
        "customer.created",
        "unhandled_type",
        None,
    )


def test_a_payment_above_the_amount_due_is_recorded_and_flagged(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    services.payment_record(
        invoice=invoice, amount=Decimal("20.00"), method="transfer", actor=None, now=NOW
    )

    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    invoice.refresh_from_db()
    card = Payment.objects.for_company(invoice.company).get(method="card")
    assert (card.amount, card.overpaid_amount) == (Decimal("120.00"), Decimal("20.00"))
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
        "paid",
        Decimal("140.00"),
        Decimal("-20.00"),
    )
    assert list(Payment.objects.for_company(invoice.company).overpaid()) == [card]
    received = DocumentEvent.objects.for_company(invoice.company).filter(
        kind="payment_received"
    )
    assert [e.details.get("overpaid") for e in received.order_by("pk")] == [
        None,
        "20.00",
    ]


def test_stripe_refunds_move_the_invoice_back_once_each(stripe_fake):
    invoice = payable_invoice()
    session = paid_session(invoice, stripe_fake)
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    account = session_event(COMPLETED, session)["account"]
    charge = stripe_fake.charge_for(session["payment_intent"])
    partly = {**charge, "amount_refunded": 5000}
    fully = {**charge, "amount_refunded": 12000, "refunded": True}

    first = deliver(charge_event(partly, account=account), WEBHOOK_SECRET)
    after_first = state(invoice)
    second = deliver(charge_event(fully, account=account), WEBHOOK_SECRET)
    # Out of order: the older, smaller total arrives last and changes nothing.
    late = deliver(charge_event(partly, account=account), WEBHOOK_SECRET)

    assert [r.json()["reason"] for r in (first, second, late)] == [
        "refund_recorded",
        "refund_recorded",
        "already_recorded",
    ]
    assert after_first[0] == "partially_paid"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded, invoice.amount_due) == (
        "to_pay",
        Decimal("120.00"),
        Decimal("120.00"),
    )
    refunds = Refund.objects.for_company(invoice.company).order_by("pk")
    assert [r.amount for r in refunds] == [Decimal("50.00"), Decimal("70.00")]
    assert history(invoice) == ["payment_received", "paid", "refunded", "refunded"]


def test_a_refund_of_an_unknown_payment_is_a_discrepancy(stripe_fake):
    charge = {
        "id": "ch_x",
        "payment_intent": "pi_nowhere",
        "amount": 100,
        "amount_refunded": 100,
        "currency": "eur",
    }

    response = deliver(charge_event(charge, account="acct_x"), WEBHOOK_SECRET)

    assert response.json()["reason"] == "unknown_payment"
    assert not Refund.objects.exists()  # unscoped: none anywhere


# Deliveries that are not Stripe's: 400, nothing stored.


def _refused(response):
    # unscoped: nothing anywhere
    return response.status_code == 400 and not StripeEvent.objects.exists()


def test_a_forged_signature_is_refused(stripe_fake):
    payload = json.dumps(event("charge.refunded", {}, account="acct_1"))

    assert _refused(deliver(payload, "whsec_someone_else"))


def test_a_missing_signature_is_refused(stripe_fake):
    payload = json.dumps(event("charge.refunded", {}, account="acct_1"))

    assert _refused(deliver(payload, WEBHOOK_SECRET, signature=""))


def test_a_garbled_signature_header_is_refused(stripe_fake):
    payload = json.dumps(event("charge.refunded", {}, account="acct_1"))

    assert _refused(deliver(payload, WEBHOOK_SECRET, signature="t=abc,v1=zz"))


@pytest.mark.parametrize("offset", [-301, 301, 3600])
def test_a_timestamp_outside_five_minutes_either_way_is_refused(stripe_fake, offset):
    payload = json.dumps(event("charge.refunded", {}, account="acct_1"))

    assert _refused(
        deliver(payload, WEBHOOK_SECRET, timestamp=int(time.time()) + offset)
    )


@pytest.mark.parametrize("offset", [-290, 0, 290])
def test_a_timestamp_within_five_minutes_is_accepted(stripe_fake, offset):
    payload = json.dumps(event("customer.created", {}, account="acct_1"))

    response = deliver(payload, WEBHOOK_SECRET, timestamp=int(time.time()) + offset)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body", ["{not json", "[]", '{"id": "evt_1"}', '{"id": 1, "type": "x", "data": {}}']
)
def test_malformed_bodies_are_refused_even_when_signed(stripe_fake, body):
    assert _refused(deliver(body, WEBHOOK_SECRET))


def test_a_changed_body_no_longer_matches_its_signature(stripe_fake):
    payload = json.dumps(event("customer.created", {}, account="acct_1"))
    signature = sign(payload, WEBHOOK_SECRET)

    assert _refused(
        deliver(
            payload.replace("acct_1", "acct_2"), WEBHOOK_SECRET, signature=signature
        )
    )


def test_without_a_webhook_secret_every_delivery_is_refused(stripe_fake, settings):
    payload = json.dumps(event("customer.created", {}, account="acct_1"))
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert _refused(deliver(payload, WEBHOOK_SECRET))


def test_only_post(client):
    assert client.get("/payments/stripe/webhook/").status_code == 405

"""Opening a Checkout Session: what the real stripe library sends the fake Stripe."""

import datetime as dt
from decimal import Decimal

import pytest
import stripe

from documents.models import DocumentEvent
from payments import services
from payments.models import CheckoutSession, Payment
from tests.factories import NOW, ClientFactory, DocumentFactory, line
from tests.payments.helpers import checkout_open, connect, payable_invoice

pytestmark = pytest.mark.django_db

SESSIONS = "/v1/checkout/sessions"


def test_the_session_is_a_direct_charge_for_the_amount_due(stripe_fake):
    invoice = payable_invoice(client=ClientFactory(email="ada@example.org"))
    account = invoice.company and connect(invoice.company)

    checkout = checkout_open(invoice, stripe_fake, locale="fr")

    (request,) = stripe_fake.posts(SESSIONS)
    assert request.headers["stripe-account"] == account.account_id
    assert (
        request.headers["stripe-version"]
        == stripe.StripeClient("sk_x")._requestor._options.stripe_version
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["idempotency-key"].startswith(
        f"checkout-{invoice.company_id}-{invoice.pk}-v1-EUR12000-retry0-"
    )
    assert request.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "12000",
        "line_items[0][price_data][product_data][name]": invoice.number,
        "client_reference_id": str(invoice.pk),
        "metadata[company_id]": str(invoice.company_id),
        "metadata[invoice_id]": str(invoice.pk),
        "metadata[invoice_number]": invoice.number,
        "metadata[version]": "1",
        "payment_intent_data[metadata][company_id]": str(invoice.company_id),
        "payment_intent_data[metadata][invoice_id]": str(invoice.pk),
        "payment_intent_data[metadata][invoice_number]": invoice.number,
        "payment_intent_data[metadata][version]": "1",
        "success_url": "http://testserver/return/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://testserver/cancel/",
        "locale": "fr",
        "customer_email": "ada@example.org",
    }
    assert (checkout.amount, checkout.currency, checkout.account_id) == (
        Decimal("120.00"),
        "EUR",
        account.account_id,
    )
    assert checkout.url == f"{stripe_fake.base_url}/checkout/{checkout.session_id}"


def test_a_double_click_gets_the_same_session(stripe_fake):
    invoice = payable_invoice()

    first = checkout_open(invoice, stripe_fake)
    second = checkout_open(invoice, stripe_fake)

    keys = {r.headers["idempotency-key"] for r in stripe_fake.posts(SESSIONS)}
    assert first == second
    assert (len(stripe_fake.sessions), len(keys)) == (1, 1)
    assert CheckoutSession.objects.for_company(invoice.company).count() == 1


def test_a_new_amount_due_or_version_is_a_new_session(stripe_fake):
    invoice = payable_invoice()
    first = checkout_open(invoice, stripe_fake)
    services.payment_record(
        invoice=invoice, amount=Decimal("20.00"), method="transfer", actor=None, now=NOW
    )
    invoice.refresh_from_db()

    second = checkout_open(invoice, stripe_fake)

    assert first.session_id != second.session_id
    assert second.amount == Decimal("100.00")
    assert stripe_fake.sessions[second.session_id]["amount_total"] == 10000


def test_zero_decimal_currencies_are_sent_in_their_own_unit(stripe_fake):
    invoice = payable_invoice(currency="JPY", lines=[line(unit_price="1500")])

    checkout = checkout_open(invoice, stripe_fake)

    (request,) = stripe_fake.posts(SESSIONS)
    assert request.form["line_items[0][price_data][currency]"] == "jpy"
    assert request.form["line_items[0][price_data][unit_amount]"] == "1800"
    assert checkout.amount == Decimal("1800.00")


@pytest.mark.parametrize("state", ["paid", "canceled", "draft"])
def test_nothing_to_pay_opens_no_session(stripe_fake, state):
    invoice = payable_invoice()
    if state == "paid":
        services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    elif state == "canceled":
        from documents.services import document_cancel

        document_cancel(document=invoice, actor=None, now=NOW)
    else:
        invoice = DocumentFactory(client=invoice.client)
    invoice.refresh_from_db()

    with pytest.raises(services.PaymentUnavailable):
        checkout_open(invoice, stripe_fake)

    assert stripe_fake.posts(SESSIONS) == []


def test_a_company_not_connected_or_not_able_to_charge_opens_no_session(stripe_fake):
    stripe_fake.new_accounts_can_charge = False
    unable = payable_invoice()
    not_connected = DocumentFactory(finalised=True)

    for invoice in (unable, not_connected):
        with pytest.raises(services.PaymentUnavailable) as refused:
            checkout_open(invoice, stripe_fake)
        assert str(refused.value) == "Card payment is not available for this invoice."

    assert stripe_fake.posts(SESSIONS) == []


def test_without_the_platform_key_card_payment_is_off(stripe_fake, settings):
    invoice = payable_invoice()
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(services.PaymentUnavailable):
        checkout_open(invoice, stripe_fake)

    assert stripe_fake.posts(SESSIONS) == []


@pytest.mark.parametrize("trouble", ["error", "outage"])
def test_a_stripe_failure_is_a_clear_message_and_changes_nothing(
    stripe_fake, trouble, caplog
):
    invoice = payable_invoice()
    if trouble == "error":
        stripe_fake.fail_next(402, type="invalid_request_error", message="Nope.")
    else:
        stripe_fake.outage = True

    with pytest.raises(services.PaymentUnavailable) as refused:
        checkout_open(invoice, stripe_fake)

    assert str(refused.value).startswith("Card payment is unavailable right now.")
    assert "Checkout Session creation failed" in caplog.text
    assert not CheckoutSession.objects.for_company(invoice.company).exists()
    assert not Payment.objects.for_company(invoice.company).exists()
    invoice.refresh_from_db()
    assert invoice.status == "to_pay"
    assert (
        not DocumentEvent.objects.for_company(invoice.company)
        .filter(kind__startswith="payment")
        .exists()
    )


def test_a_server_error_is_retried_with_the_same_key(stripe_fake):
    invoice = payable_invoice()
    stripe_fake.fail_next(500)

    checkout = checkout_open(invoice, stripe_fake)

    attempts = stripe_fake.posts(SESSIONS)
    assert len(attempts) == 2
    assert len({a.headers["idempotency-key"] for a in attempts}) == 1
    assert checkout.session_id in stripe_fake.sessions


def test_the_return_confirms_a_paid_session_before_any_webhook(stripe_fake):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    stripe_fake.session_pay(checkout.session_id)
    later = NOW + dt.timedelta(minutes=2)

    result = services.checkout_return_confirm(
        invoice=invoice, session_id=checkout.session_id, now=later
    )
    again = services.checkout_return_confirm(
        invoice=invoice, session_id=checkout.session_id, now=later
    )

    invoice.refresh_from_db()
    (payment,) = Payment.objects.for_company(invoice.company)
    assert (result, again) == ("paid", "paid")
    assert (invoice.status, invoice.amount_due) == ("paid", Decimal("0.00"))
    assert (payment.method, payment.amount, payment.received_at) == (
        "card",
        Decimal("120.00"),
        later,
    )
    assert (
        payment.provider_reference
        == stripe_fake.sessions[checkout.session_id]["payment_intent"]
    )

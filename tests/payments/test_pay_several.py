"""Paying several invoices at once: one Checkout Session on the company's
account (the real stripe library against the stand-in server), one line per
invoice, and the payment split across the invoices exactly once, whatever the
deliveries: duplicates, out of order, a bank debit processing then confirmed
or failed, a refund later."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from documents.models import Document
from payments import services
from payments.models import (
    CheckoutSession,
    CheckoutSessionLine,
    Payment,
    Receipt,
    StripeEvent,
)
from tests.factories import NOW, ClientFactory, DocumentFactory, line
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    charge_event,
    connect,
    deliver,
    session_event,
)

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"
SUCCEEDED = "checkout.session.async_payment_succeeded"
FAILED = "checkout.session.async_payment_failed"


def _three_invoices():
    """€120.00, €33.34 (27.775 + VAT: rounded half up) and €120.00 of
    which €20.00 was paid already."""
    customer = ClientFactory(email="ada@client.example")
    connect(customer.company)
    first = DocumentFactory(client=customer, finalised=True)
    odd = DocumentFactory(
        client=customer, finalised=True, lines=[line(unit_price="27.775")]
    )
    partly = DocumentFactory(client=customer, finalised=True)
    services.payment_record(
        invoice=partly, amount=Decimal("20.00"), method="transfer", actor=None, now=NOW
    )
    invoices = [first, odd, partly]
    for invoice in invoices:
        invoice.refresh_from_db()
    return customer, invoices


def _start(customer, invoices, now=NOW):
    url = services.invoices_checkout_start(
        client=customer,
        invoices=invoices,
        success_url="http://testserver/p/checkout/return/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://testserver/p/checkout/canceled/?session_id={CHECKOUT_SESSION_ID}",
        locale="en",
        now=now,
    )
    return CheckoutSession.objects.for_company(customer.company).get(
        session_id=url.rsplit("/", 1)[-1]
    )


def _states(invoices):
    return [
        (
            invoice.status,
            invoice.amount_paid,
            invoice.amount_processing,
        )
        for invoice in Document.objects.for_company(invoices[0].company)
        .filter(pk__in=[i.pk for i in invoices])
        .order_by("pk")
    ]


def _card_payments(customer):
    return list(
        Payment.objects.for_company(customer.company)
        .filter(method="card")
        .order_by("invoice_id")
        .values_list("invoice_id", "amount", "status")
    )


def test_one_session_with_one_line_per_invoice_for_exactly_what_is_due(
    stripe_fake,
):
    customer, (first, odd, partly) = _three_invoices()

    checkout = _start(customer, [partly, first, odd])
    again = _start(customer, [first, odd, partly])  # a double click: the same

    session = stripe_fake.sessions[checkout.session_id]
    assert odd.amount_due == Decimal("33.34")
    assert session["_lines"] == [
        (first.number, 12000),
        (odd.number, 3334),
        (partly.number, 10000),
    ]
    assert session["amount_total"] == 25334
    assert session["metadata"]["invoice_ids"] == f"{first.pk},{odd.pk},{partly.pk}"
    assert (checkout.amount, checkout.invoice_id, again.pk) == (
        Decimal("253.34"),
        first.pk,
        checkout.pk,
    )
    assert list(
        CheckoutSessionLine.objects.for_company(customer.company)
        .order_by("invoice_id")
        .values_list("invoice_id", "amount")
    ) == [
        (first.pk, Decimal("120.00")),
        (odd.pk, Decimal("33.34")),
        (partly.pk, Decimal("100.00")),
    ]
    assert len(stripe_fake.posts("/v1/checkout/sessions")) == 2  # one key


def test_the_payment_is_split_once_however_often_and_in_whatever_order_announced(
    stripe_fake, django_capture_on_commit_callbacks, mailoutbox
):
    customer, invoices = _three_invoices()
    checkout = _start(customer, invoices)
    paid = stripe_fake.session_pay(checkout.session_id)

    succeeded, completed = (
        session_event(SUCCEEDED, paid),
        session_event(COMPLETED, paid),
    )
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            deliver(payload, WEBHOOK_SECRET).json()
            for payload in (succeeded, completed, completed)
        ]

    assert [answer.get("reason", "duplicate") for answer in answers] == [
        "payment_recorded",
        "already_recorded",
        "duplicate",
    ]
    first, odd, partly = invoices
    assert _states(invoices) == [
        ("paid", Decimal("120.00"), Decimal("0")),
        ("paid", Decimal("33.34"), Decimal("0")),
        ("paid", Decimal("120.00"), Decimal("0")),
    ]
    assert _card_payments(customer) == [
        (first.pk, Decimal("120.00"), "succeeded"),
        (odd.pk, Decimal("33.34"), "succeeded"),
        (partly.pk, Decimal("100.00"), "succeeded"),
    ]
    receipts = Receipt.objects.for_company(customer.company).filter(method="card")
    assert sorted(receipts.values_list("amount", flat=True)) == [
        Decimal("33.34"),
        Decimal("100.00"),
        Decimal("120.00"),
    ]
    # One receipt e-mail per invoice paid (the transfer before was not sent here).
    assert sum(m.subject.startswith("Receipt REC-") for m in mailoutbox) == 3


def test_a_bank_debit_processes_on_every_invoice_then_is_confirmed_or_fails(
    stripe_fake,
):
    customer, invoices = _three_invoices()
    checkout = _start(customer, invoices)
    processing = stripe_fake.session_pay(checkout.session_id, status="unpaid")

    first = deliver(session_event(COMPLETED, processing), WEBHOOK_SECRET).json()
    during = _states(invoices)
    failed = deliver(session_event(FAILED, processing), WEBHOOK_SECRET).json()
    late = deliver(
        session_event(SUCCEEDED, dict(processing, payment_status="paid")),
        WEBHOOK_SECRET,
    ).json()

    assert (first["reason"], failed["reason"], late["reason"]) == (
        "payment_processing",
        "payment_failed",
        "already_recorded",
    )
    assert during == [
        ("to_pay", Decimal("0"), Decimal("120.00")),
        ("to_pay", Decimal("0"), Decimal("33.34")),
        ("partially_paid", Decimal("20.00"), Decimal("100.00")),
    ]
    assert _states(invoices) == [
        ("to_pay", Decimal("0"), Decimal("0.00")),
        ("to_pay", Decimal("0"), Decimal("0.00")),
        ("partially_paid", Decimal("20.00"), Decimal("0.00")),
    ]
    assert {status for _i, _a, status in _card_payments(customer)} == {"failed"}


def test_a_session_that_names_other_invoices_is_kept_for_review_and_moves_nothing(
    stripe_fake,
):
    customer, invoices = _three_invoices()
    checkout = _start(customer, invoices)
    paid = stripe_fake.session_pay(checkout.session_id)
    tampered = dict(
        paid, metadata={**paid["metadata"], "invoice_ids": str(invoices[0].pk)}
    )

    answer = deliver(session_event(COMPLETED, tampered), WEBHOOK_SECRET).json()

    assert (answer["outcome"], answer["reason"]) == ("discrepancy", "session_mismatch")
    assert _card_payments(customer) == []
    assert StripeEvent.objects.for_company(customer.company).get().outcome == (
        "discrepancy"
    )


def test_a_refund_later_is_spread_over_the_invoices_in_order_once(stripe_fake):
    customer, invoices = _three_invoices()
    checkout = _start(customer, invoices)
    paid = stripe_fake.session_pay(checkout.session_id)
    account = session_event(COMPLETED, paid)["account"]
    deliver(session_event(COMPLETED, paid), WEBHOOK_SECRET)
    charge = stripe_fake.charge_for(paid["payment_intent"])

    partly = deliver(
        charge_event({**charge, "amount_refunded": 13000}, account=account),
        WEBHOOK_SECRET,
    ).json()
    late = deliver(
        charge_event({**charge, "amount_refunded": 5000}, account=account),
        WEBHOOK_SECRET,
    ).json()

    assert (partly["reason"], late["reason"]) == ("refund_recorded", "already_recorded")
    first, odd, rest = (
        Document.objects.for_company(customer.company)
        .filter(pk__in=[i.pk for i in invoices])
        .order_by("pk")
    )
    assert [
        (i.status, i.amount_refunded, i.amount_due) for i in (first, odd, rest)
    ] == [
        ("to_pay", Decimal("120.00"), Decimal("120.00")),
        ("partially_paid", Decimal("10.00"), Decimal("10.00")),
        ("paid", Decimal("0"), Decimal("0.00")),
    ]
    part = Payment.objects.for_company(customer.company).get(invoice=odd, method="card")
    with pytest.raises(services.RefundRefused, match="Stripe dashboard"):
        services.payment_refund(payment=part, amount=Decimal("1"), actor=None, now=NOW)


@pytest.mark.parametrize(
    "case", ["one invoice", "two currencies", "another client's", "nothing due"]
)
def test_what_cannot_be_paid_together_is_refused_and_opens_nothing(stripe_fake, case):
    customer, (first, odd, partly) = _three_invoices()
    chosen = {
        "one invoice": [first],
        "two currencies": [
            first,
            DocumentFactory(client=customer, finalised=True, currency="GBP"),
        ],
        "another client's": [first, DocumentFactory(finalised=True)],
        "nothing due": [first, DocumentFactory(client=customer, finalised=True)],
    }[case]
    if case == "nothing due":
        services.invoice_mark_paid(invoice=chosen[1], actor=None, now=NOW)
        chosen[1].refresh_from_db()

    with pytest.raises(services.BatchUnavailable):
        services.invoices_checkout_start(
            client=customer,
            invoices=chosen,
            success_url="http://testserver/r/",
            cancel_url="http://testserver/c/",
            locale="en",
            now=NOW,
        )

    assert stripe_fake.posts("/v1/checkout/sessions") == []
    assert not CheckoutSession.objects.for_company(customer.company).exists()


def test_back_from_checkout_lands_on_the_invoices_tab_paid(client, stripe_fake):
    customer, invoices = _three_invoices()
    checkout = _start(customer, invoices, now=timezone.now())
    stripe_fake.session_pay(checkout.session_id)
    back = urlsplit(stripe_fake.return_url(checkout.session_id))

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 303
    assert response["Location"] == (
        f"/p/{customer.portal_token}/invoices/?checkout=paid"
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-notice="paid"' in page
    assert [state for state, _paid, _processing in _states(invoices)] == ["paid"] * 3

"""Stripe delivering at the same moment, in real concurrent transactions.

PostgreSQL only: these tests commit (see tests/documents/test_pdf_concurrency.py).
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from payments.models import Payment, StripeEvent
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    checkout_open,
    deliver,
    payable_invoice,
    session_event,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def race(payloads: list[dict]) -> tuple[list[int], list[BaseException]]:
    """Deliver each payload from its own thread, all released at once."""
    start = threading.Barrier(len(payloads))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(payload: dict) -> None:
        try:
            http = HttpClient()
            start.wait()
            statuses.append(deliver(payload, WEBHOOK_SECRET, http=http).status_code)
        except BaseException as exc:  # reported by the caller, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses, errors


def test_eight_deliveries_of_one_event_at_once_record_one_payment(stripe_fake):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    session = stripe_fake.session_pay(checkout.session_id)
    payload = session_event("checkout.session.completed", session)

    statuses, errors = race([payload] * 8)

    assert (errors, statuses) == ([], [200] * 8)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("120.00"))
    assert Payment.objects.for_company(invoice.company).count() == 1
    assert StripeEvent.objects.for_company(invoice.company).count() == 1


def test_completed_and_async_succeeded_at_once_record_one_payment(stripe_fake):
    invoice = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    session = stripe_fake.session_pay(checkout.session_id)
    payloads = [
        session_event(kind, session)
        for kind in (
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
        )
        for _ in range(4)
    ]

    statuses, errors = race(payloads)

    assert (errors, statuses) == ([], [200] * 8)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("120.00"))
    assert Payment.objects.for_company(invoice.company).count() == 1
    outcomes = sorted(
        StripeEvent.objects.for_company(invoice.company).values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == ["applied"] + ["ignored"] * 7

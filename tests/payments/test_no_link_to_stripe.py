"""No client's portal link leaves for Stripe, nor comes back into what we store
of Stripe's events: a third party holding it could open the client's portal."""

import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from payments import services
from payments.models import Payment, StripeEvent
from tests.factories import NOW
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    charge_event,
    deliver,
    payable_invoice,
    session_event,
)
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db

COMPLETED = "checkout.session.completed"


def every_text_sent(stripe_fake) -> list[str]:
    """Everything the stand-in received: paths, headers, form and query keys
    and values."""
    texts = []
    for request in stripe_fake.requests:
        texts += [request.path, *request.headers.values()]
        for part in (request.form, request.query):
            texts += [*part.keys(), *part.values()]
    return texts


def test_nothing_sent_to_stripe_nor_stored_of_its_events_holds_a_link(
    client, stripe_fake
):
    invoice = payable_invoice()  # connects the company: account, account link
    other = payable_invoice(client=invoice.client)
    portal = invoice.client
    token = portal.portal_token
    # Pay, come back paid; open another payment and come back canceled.
    paid = client.post(url("invoice_pay", portal, document_id=invoice.pk))
    session_id = paid["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)
    back = urlsplit(stripe_fake.return_url(session_id))
    landed = client.get(f"{back.path}?{back.query}")
    canceled = client.post(url("invoice_pay", portal, document_id=other.pk))
    left = urlsplit(
        stripe_fake.return_url(canceled["Location"].rsplit("/", 1)[-1], canceled=True)
    )
    client.get(f"{left.path}?{left.query}")
    # Stripe's events about it, built from what Stripe holds of the session;
    # then a refund from the back office, and Stripe's event about that.
    session = stripe_fake.sessions[session_id]
    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)
    payment = Payment.objects.for_company(invoice.company).get()
    services.payment_refund(
        payment=payment, amount=Decimal("20.00"), actor=None, now=NOW
    )
    charge = stripe_fake.charge_for(session["payment_intent"])
    deliver(
        charge_event(charge, account=session_event(COMPLETED, session)["account"]),
        WEBHOOK_SECRET,
    )

    assert landed["Location"].endswith("?checkout=paid")
    assert sorted({(r.method, r.path) for r in stripe_fake.requests}) == [
        ("GET", f"/v1/checkout/sessions/{session_id}"),
        ("POST", "/v1/account_links"),
        ("POST", "/v1/accounts"),
        ("POST", "/v1/checkout/sessions"),
        ("POST", "/v1/refunds"),
    ]
    sent = every_text_sent(stripe_fake)
    assert len(sent) > 100
    assert [text for text in sent if token in text] == []
    assert [text for text in sent if "/p/" in text and "/p/checkout/" not in text] == []
    stored = StripeEvent.objects.for_company(invoice.company).order_by("pk")
    assert [(event.type, event.reason) for event in stored] == [
        (COMPLETED, "already_recorded"),
        ("charge.refunded", "already_recorded"),
    ]
    assert all(token not in json.dumps(event.payload) for event in stored)


def test_a_session_opened_with_a_link_in_its_addresses_is_stored_without_it(
    stripe_fake,
):
    """A session opened before its addresses stopped naming the link: the event
    about it is stored with the link masked."""
    invoice = payable_invoice()
    token = invoice.client.portal_token
    old_address = f"https://portal.example.com/p/{token}/documents/{invoice.pk}/"
    response = services.invoice_checkout_start(
        invoice=invoice,
        client=invoice.client,
        success_url=f"{old_address}pay/return/?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{old_address}?checkout=canceled",
        locale="en",
        now=NOW,
    )
    session = stripe_fake.session_pay(response.rsplit("/", 1)[-1])
    assert token in session["success_url"]

    deliver(session_event(COMPLETED, session), WEBHOOK_SECRET)

    stored = StripeEvent.objects.for_company(invoice.company).get()
    assert token not in json.dumps(stored.payload)
    assert stored.payload["data"]["object"]["cancel_url"] == (
        f"https://portal.example.com/p/[link]/documents/{invoice.pk}/?checkout=canceled"
    )


@pytest.mark.django_db(transaction=True)
def test_events_stored_with_a_link_before_are_masked_once_and_stay_guarded(
    stripe_fake,
):
    invoice = payable_invoice()
    token = invoice.client.portal_token
    link = f"https://portal.example.com/p/{token}/documents/{invoice.pk}/"
    executor = MigrationExecutor(connection)
    executor.migrate([("payments", "0003_stripe_event_append_only")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_stripeevent (company_id, event_id, type, "
                "account_id, invoice_id, payload, received_at, outcome, reason) "
                "VALUES (%s, 'evt_old', %s, '', %s, %s, %s, 'applied', 'x')",
                [
                    invoice.company_id,
                    COMPLETED,
                    invoice.pk,
                    json.dumps({"data": {"object": {"success_url": link}}}),
                    NOW,
                ],
            )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    stored = StripeEvent.objects.for_company(invoice.company).get(event_id="evt_old")
    assert stored.payload == {
        "data": {
            "object": {
                "success_url": "https://portal.example.com/p/[link]/documents/"
                f"{invoice.pk}/"
            }
        }
    }
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        StripeEvent.objects.for_company(invoice.company).update(reason="changed")

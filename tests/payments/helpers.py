"""Invoices ready to pay by card, and Stripe events signed as Stripe signs them."""

import hashlib
import hmac
import itertools
import json
import time
from decimal import Decimal

from django.test import Client as HttpClient

from companies import money
from payments import services
from payments.models import CheckoutSession, StripeAccount
from tests.factories import NOW, DocumentFactory

WEBHOOK_URL = "/payments/stripe/webhook/"
_event_ids = itertools.count(1)


def connect(company) -> StripeAccount:
    """The company's Stripe account, connected through the fake."""
    services.stripe_connect_start(
        company=company,
        now=NOW,
        actor=None,
        return_url="http://testserver/admin/return/",
        refresh_url="http://testserver/admin/refresh/",
    )
    return StripeAccount.objects.for_company(company).get()


def payable_invoice(client=None, **kwargs):
    """A finalised invoice (120.00 EUR) of a company connected to Stripe."""
    if client is not None:
        kwargs["client"] = client
    invoice = DocumentFactory(finalised=True, **kwargs)
    if not StripeAccount.objects.for_company(invoice.company).exists():
        connect(invoice.company)
    return invoice


def checkout_open(invoice, stripe_fake, *, locale="en") -> CheckoutSession:
    """A Checkout Session opened for the invoice, as the Pay button does."""
    url = services.invoice_checkout_start(
        invoice=invoice,
        client=invoice.client,
        success_url="http://testserver/return/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://testserver/cancel/",
        locale=locale,
        now=NOW,
    )
    session_id = url.rsplit("/", 1)[-1]
    return CheckoutSession.objects.for_company(invoice.company).get(
        session_id=session_id
    )


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=…,v1=HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(kind: str, obj: dict, *, account: str, event_id: str = "") -> dict:
    return {
        "id": event_id or f"evt_test_{next(_event_ids):08d}",
        "object": "event",
        "type": kind,
        "account": account,
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def session_event(kind: str, session: dict, *, account: str = "", **kwargs) -> dict:
    session = {k: v for k, v in session.items() if not k.startswith("_")}
    return event(kind, session, account=account or session_account(session), **kwargs)


def session_account(session: dict) -> str:
    # unscoped: tests look the session up across companies
    return CheckoutSession.objects.get(session_id=session["id"]).account_id


def charge_event(charge: dict, *, account: str, **kwargs) -> dict:
    return event("charge.refunded", charge, account=account, **kwargs)


def deliver(
    payload: dict | str,
    secret: str,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    http: HttpClient | None = None,
):
    """POST a delivery to the webhook as Stripe does."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    headers = {}
    if signature is None:
        signature = sign(body, secret, timestamp)
    if signature:
        headers["HTTP_STRIPE_SIGNATURE"] = signature
    return (http or HttpClient()).post(
        WEBHOOK_URL, data=body, content_type="application/json", **headers
    )


def minor(amount: str | Decimal, currency: str = "EUR") -> int:
    return money.to_minor_units(Decimal(amount), currency)

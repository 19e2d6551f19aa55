"""Everything we ask of Stripe, and the only module that imports the stripe library.

Requests go through one `StripeClient` built from the platform's settings
(`STRIPE_SECRET_KEY`, and `STRIPE_API_BASE`, which tests point at a stand-in
server). Calls on a company's behalf name its connected account, which the
library sends as the `Stripe-Account` header (direct charges: the money lands
on the company's account, never the platform's). Every POST carries an
idempotency key of ours, so a retry or a double click replays the first answer
instead of doing the thing twice. Answers come back as plain dicts; every
failure comes back as `StripeUnavailable`, whose message is for our logs.
"""

import functools
import json
import time
from dataclasses import dataclass
from typing import Any, cast

import stripe
from django.conf import settings

# Seconds before a request to Stripe gives up, and how often the library retries
# a failed one (with the same idempotency key, so safely).
TIMEOUT_SECONDS = 10
NETWORK_RETRIES = 2
# Webhook deliveries signed longer ago than this, or this far in the future, are
# refused (Stripe's own tolerance; the library only checks the past).
WEBHOOK_TOLERANCE_SECONDS = 300


class StripeUnavailable(Exception):
    """Stripe refused or could not be reached; the message is for our logs."""


class StripeNotConfigured(StripeUnavailable):
    """No STRIPE_SECRET_KEY: card payments are switched off."""


class WebhookInvalid(Exception):
    """A webhook delivery that is not Stripe's, is stale, or is not JSON."""


@dataclass(frozen=True)
class AccountState:
    account_id: str
    charges_enabled: bool
    details_submitted: bool


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base, "connect": api_base, "files": api_base},
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set")
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _call(what: str, request: Any) -> dict[str, Any]:
    """Run one request and give back its answer as a plain dict."""
    try:
        answer: dict[str, Any] = request().to_dict()
        return answer
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            f"Stripe {what} failed: {type(exc).__name__}: "
            f"{exc.user_message or exc} (request {exc.request_id or '-'})"
        ) from exc


def _account_state(account: dict[str, Any]) -> AccountState:
    return AccountState(
        account_id=account["id"],
        charges_enabled=bool(account.get("charges_enabled")),
        details_submitted=bool(account.get("details_submitted")),
    )


def account_create(
    *, company_id: int, email: str, country: str, idempotency_key: str
) -> AccountState:
    """A new Standard connected account for a company of ours.

    :raises StripeUnavailable:
    """
    params: dict[str, Any] = {
        "type": "standard",
        "metadata": {"company_id": str(company_id)},
    }
    if email:
        params["email"] = email
    if country:
        params["country"] = country
    account = _call(
        "account creation",
        lambda: _client().v1.accounts.create(
            params=cast(Any, params), options={"idempotency_key": idempotency_key}
        ),
    )
    return _account_state(account)


def account_retrieve(*, account_id: str) -> AccountState:
    """What Stripe says of a connected account now.

    :raises StripeUnavailable:
    """
    account = _call(
        "account retrieval", lambda: _client().v1.accounts.retrieve(account_id)
    )
    return _account_state(account)


def account_link_create(
    *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
) -> str:
    """The address of Stripe's onboarding pages for the account (single use).

    :raises StripeUnavailable:
    """
    link = _call(
        "account link creation",
        lambda: _client().v1.account_links.create(
            params={
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
            options={"idempotency_key": idempotency_key},
        ),
    )
    return str(link["url"])


def checkout_session_create(
    *, account_id: str, params: dict[str, Any], idempotency_key: str
) -> dict[str, Any]:
    """A Checkout Session on the connected account (a direct charge).

    :raises StripeUnavailable:
    """
    return _call(
        "Checkout Session creation",
        lambda: _client().v1.checkout.sessions.create(
            # Built as plain data by the caller; the library's TypedDict
            # describes the same keys.
            params=cast(Any, params),
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        ),
    )


def checkout_session_retrieve(*, account_id: str, session_id: str) -> dict[str, Any]:
    """A Checkout Session of the connected account, as it stands now.

    :raises StripeUnavailable:
    """
    return _call(
        "Checkout Session retrieval",
        lambda: _client().v1.checkout.sessions.retrieve(
            session_id, options={"stripe_account": account_id}
        ),
    )


def refund_create(
    *, account_id: str, payment_intent: str, amount: int, idempotency_key: str
) -> dict[str, Any]:
    """Refund `amount` (minor units) of a payment on the connected account.

    The answer's `charge` is expanded: its `amount_refunded` is the total
    refunded on that charge once this refund counts.

    :raises StripeUnavailable:
    """
    return _call(
        "refund",
        lambda: _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": amount,
                "expand": ["charge"],
            },
            options={"stripe_account": account_id, "idempotency_key": idempotency_key},
        ),
    )


def webhook_event(
    *, payload: bytes, signature: str, secret: str, now: float | None = None
) -> dict[str, Any]:
    """The event a webhook delivery carries, once its signature is Stripe's.

    The library checks the signature (HMAC-SHA256 over "timestamp.payload")
    and refuses stale timestamps; a timestamp from the future is refused here.

    :raises WebhookInvalid: no secret, a bad or missing signature, a timestamp
        more than 300 s away either way, or a body that is not a JSON event.
    """
    if not secret:
        raise WebhookInvalid("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise WebhookInvalid(f"signature refused: {exc}") from exc
    timestamp = int(
        next(part for part in signature.split(",") if part.startswith("t="))[2:]
    )
    now = time.time() if now is None else now
    if timestamp > now + WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookInvalid("signature timestamp is in the future")
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # nested past any Stripe event
        raise WebhookInvalid("body is not JSON") from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise WebhookInvalid("body is not a Stripe event")
    return event

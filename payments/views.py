"""Stripe's webhook: the one payments page that is not in the back office."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import services, stripe_gateway

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs its deliveries; it has no CSRF token to send
@login_not_required
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify a delivery, store its event once and apply it; 400 when it is not
    Stripe's (bad or missing signature, stale or future timestamp, not JSON),
    2xx for every event accepted, applied or not (Stripe retries anything else).
    """
    try:
        event = stripe_gateway.webhook_event(
            payload=request.body,
            signature=request.headers.get("Stripe-Signature", ""),
            secret=settings.STRIPE_WEBHOOK_SECRET,
        )
    except stripe_gateway.WebhookInvalid as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        return JsonResponse({"error": "invalid webhook"}, status=400)
    stored = services.stripe_event_receive(event=event, now=timezone.now())
    if stored is None:
        return JsonResponse({"received": True, "duplicate": True})
    return JsonResponse(
        {"received": True, "outcome": stored.outcome, "reason": stored.reason}
    )

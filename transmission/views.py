"""The platform's webhook deliveries (Flow Service 1.3.0, WebhookCallback)."""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from transmission import services
from transmission.tasks import platform_flow_take_in

logger = logging.getLogger(__name__)


@csrf_exempt  # the platform signs its deliveries; it has no CSRF token
@login_not_required
@require_POST
def platform_webhook(request: HttpRequest) -> HttpResponse:
    """Verify a delivery's Afnor-Signature, then take its flow in off the
    request (the worker downloads a CDAR). 400 when unsigned, stale, signed by
    no key of ours or not a flow: nothing is recorded."""
    try:
        connection = services.webhook_connection(
            body=request.body,
            signature=request.headers.get("Afnor-Signature", ""),
            timestamp=request.headers.get("Afnor-Signature-Timestamp", ""),
            now=timezone.now(),
        )
        metadata = json.loads(request.body)
        if not isinstance(metadata, dict) or not metadata.get("flowId"):
            raise services.WebhookRefused("not a flow")
    except (services.WebhookRefused, ValueError) as exc:
        logger.warning("Platform webhook refused: %s", exc)
        return JsonResponse({"errorCode": "INVALID_WEBHOOK"}, status=400)
    platform_flow_take_in.enqueue(connection.pk, metadata)
    return HttpResponse(status=200)

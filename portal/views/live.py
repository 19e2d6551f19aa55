"""The stream that tells an open portal page its client's data changed.

Server-sent events from an async view: on the ASGI application an open page
holds no worker thread, only a subscription to the process's `RevisionHub`.
Each message carries the client's portal revision as its id; a page that sees
a revision other than the one it was drawn at fetches itself again. A dropped
connection is resumed by the browser (EventSource reconnects after `retry`),
and the first message of every connection is the current revision, so a change
made while disconnected is caught at once. A link rotated or disabled meanwhile
ends the stream with a `gone` event (the page reloads into the 404).

Served by a WSGI server (the development server, the test client) there is no
event loop to hold the connection: the view answers the current revision at
once and the browser asks again after `retry`, which is conditional polling.
"""

import asyncio
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from clients.models import Client
from portal import selectors
from portal.live import Subscription, revision_hub

# Reconnect after a dropped connection within this many milliseconds.
RETRY_MILLISECONDS = 1000
# A comment line this often keeps proxies from closing a quiet stream.
HEARTBEAT_SECONDS = 20
# Each stream ends after this long and the browser opens a fresh one: no
# connection lives forever behind a proxy that forgot it.
STREAM_SECONDS = 600


def _message(revision: int) -> str:
    return f"id: {revision}\nevent: revision\ndata: {revision}\n\n"


async def _stream(subscription: Subscription) -> AsyncIterator[str]:
    hub = revision_hub()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n" + _message(subscription.revision)
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(
                    subscription.changed.wait(), min(HEARTBEAT_SECONDS, remaining)
                )
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            subscription.changed.clear()
            if subscription.gone:
                yield "event: gone\ndata: gone\n\n"
                return
            yield _message(subscription.revision)
    finally:
        hub.unsubscribe(subscription)


@login_not_required
@require_GET
async def portal_events(
    request: HttpRequest, token: str
) -> HttpResponse | StreamingHttpResponse:
    """The client's portal revision as server-sent events."""
    client: Client = await sync_to_async(selectors.portal_client)(token=token)
    if not isinstance(request, ASGIRequest) or not settings.PORTAL_LIVE_STREAMS:
        body = f"retry: {RETRY_MILLISECONDS * 2}\n" + _message(client.portal_revision)
        return HttpResponse(body, content_type="text/event-stream")
    subscription = revision_hub().subscribe(
        client_id=client.pk,
        token_digest=client.portal_token_digest,
        revision=client.portal_revision,
    )
    response = StreamingHttpResponse(
        _stream(subscription), content_type="text/event-stream"
    )
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return response

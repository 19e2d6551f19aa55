"""The stream that tells an open portal page its client's data changed.

Server-sent events from an async view: on the ASGI application an open page
holds no worker thread, only a subscription to the process's `RevisionHub`.
Each message carries the client's portal revision as its id; a page that sees
a revision other than the one it was drawn at fetches itself again. A dropped
connection is resumed by the browser (EventSource reconnects after `retry`),
and the first message of every connection is the current revision, so a change
made while disconnected is caught at once. A link rotated or disabled meanwhile
ends the stream with a `gone` event (the page reloads into the 404).

Django's ASGI handler gives each request a thread for its synchronous parts
(middleware) until the response ends; `_release_request_thread` lets it go once
the stream starts, so an open page costs a subscription and a socket, no thread
and no database connection.

Served by a WSGI server (the development server, the test client) there is no
event loop to hold the connection: the view answers the current revision at
once and the browser asks again after `retry`, which is conditional polling.
"""

import asyncio
from collections.abc import AsyncIterator

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
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


def _release_request_thread() -> None:
    """Let go of the thread Django's ASGI handler keeps for this request.

    Django runs each request's synchronous parts (its middleware, the client
    lookup) on a thread of the request's own (asgiref's ThreadSensitiveContext)
    and keeps that thread until the response ends: for a stream, an idle
    thread per open page. Once the response is on its way nothing synchronous
    runs until it closes, so the thread is shut down now; the closing, minutes
    later, gets a fresh one. Should asgiref change its internals, the thread is
    simply kept (the stream works the same).
    """
    try:
        context = SyncToAsync.thread_sensitive_context.get(None)
        if context is None:
            return
        executor = SyncToAsync.context_to_thread_executor.pop(context, None)
    except (AttributeError, TypeError):
        return
    if executor is not None:
        executor.shutdown(wait=False)


async def _stream(subscription: Subscription) -> AsyncIterator[str]:
    hub = revision_hub()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    _release_request_thread()
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


def _client_for_stream(token: str) -> Client:
    """The link's client; then this request's database connection is closed.

    A stream lives for minutes: it must not keep a connection to the database
    (PostgreSQL would run out at max_connections open pages). The process's
    poller reads for every stream through its own one connection.
    """
    try:
        return selectors.portal_client(token=token)
    finally:
        connection.close()


@login_not_required
@require_GET
async def portal_events(
    request: HttpRequest, token: str
) -> HttpResponse | StreamingHttpResponse:
    """The client's portal revision as server-sent events."""
    if not isinstance(request, ASGIRequest) or not settings.PORTAL_LIVE_STREAMS:
        client: Client = await sync_to_async(selectors.portal_client)(token=token)
        body = f"retry: {RETRY_MILLISECONDS * 2}\n" + _message(client.portal_revision)
        return HttpResponse(body, content_type="text/event-stream")
    client = await sync_to_async(_client_for_stream)(token=token)
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

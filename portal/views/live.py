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
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from portal import selectors
from portal.live import Slot, Subscription, revision_hub, stream_slots
from portal.middleware import client_address
from portal.selectors import PortalLink

# Reconnect after a dropped connection within this many milliseconds.
RETRY_MILLISECONDS = 1000
# A comment line this often keeps proxies from closing a quiet stream.
HEARTBEAT_SECONDS = 20
# Each stream ends after this long and the browser opens a fresh one: no
# connection lives forever behind a proxy that forgot it.
STREAM_SECONDS = 600
# A page refused a stream (too many open) polls, and tries a stream again
# after this long.
REFUSED_RETRY_SECONDS = 30


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


async def _stream(
    subscription: Subscription, slot: Slot | None = None
) -> AsyncIterator[str]:
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
        if slot is not None:
            await stream_slots(STREAM_SECONDS).release(slot)


def _link(token: str, *, streaming: bool) -> PortalLink:
    """The link's narrow row (404 when it opens nothing); for a stream, this
    request's database connection is then given back.

    A stream lives for minutes: it must not keep a connection to the database
    (PostgreSQL would run out at max_connections open pages). The process's
    poller reads for every stream through its own one connection.
    """
    try:
        link = selectors.portal_link(token=token)
    finally:
        if streaming:
            connection.close()
    if link is None:
        raise Http404("No portal here.")
    return link


def _allow_pages_origin(response: HttpResponseBase) -> HttpResponseBase:
    """On a stream server of its own address (PORTAL_LIVE_ORIGIN), the pages'
    origin may read what it answers (no cookie is sent or needed)."""
    if settings.PORTAL_LIVE_ORIGIN:
        response["Access-Control-Allow-Origin"] = settings.PORTAL_ORIGIN
    return response


@login_not_required
@require_GET
async def portal_events(request: HttpRequest, token: str) -> HttpResponseBase:
    """The client's portal revision as server-sent events.

    `?poll=1`, a WSGI server, or streams switched off: the current revision at
    once (the page asks again later). Past the open streams allowed for the
    link or the address (`portal.live.StreamSlots`): 429 with Retry-After, and
    the page polls instead (static/portal/live.js).
    """
    streaming = (
        isinstance(request, ASGIRequest)
        and settings.PORTAL_LIVE_STREAMS
        and "poll" not in request.GET
    )
    link = await sync_to_async(_link)(token, streaming=streaming)
    if not streaming:
        body = f"retry: {RETRY_MILLISECONDS * 2}\n" + _message(link.revision)
        return _allow_pages_origin(HttpResponse(body, content_type="text/event-stream"))
    slot = await stream_slots(STREAM_SECONDS).acquire(
        link=link.token_digest, address=client_address(request)
    )
    if slot is None:
        refused = HttpResponse(
            "Too many open pages.", status=429, content_type="text/plain"
        )
        refused["Retry-After"] = str(REFUSED_RETRY_SECONDS)
        return _allow_pages_origin(refused)
    subscription = revision_hub().subscribe(
        client_id=link.client_id,
        token_digest=link.token_digest,
        revision=link.revision,
    )
    response = StreamingHttpResponse(
        _stream(subscription, slot), content_type="text/event-stream"
    )
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return _allow_pages_origin(response)

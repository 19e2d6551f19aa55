"""The request line and header limits of the pages' server, for the stream
server too.

gunicorn enforces `limit_request_line`, `limit_request_fields` and
`limit_request_field_size` (deploy/gunicorn.conf.py) in its own parser, which
serves the pages. The stream server's uvicorn parses with httptools, which has
no such limits (uvicorn offers one only for its h11 parser), so the ASGI
application checks the same numbers before Django sees the request: a request
line over the limit is refused with 414, a header or a header block over it
with 431, as nginx and gunicorn would refuse them.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

# The numbers of deploy/gunicorn.conf.py.
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def refusal(scope: Scope) -> int | None:
    """The status refusing this request's head, or None when it is within."""
    path = scope.get("raw_path") or scope.get("path", "").encode()
    query = scope.get("query_string", b"")
    # METHOD SP request-target SP HTTP/x.y
    line = (
        len(scope.get("method", ""))
        + 1
        + len(path)
        + (1 + len(query) if query else 0)
        + 1
        + len("HTTP/")
        + len(scope.get("http_version", "1.1"))
    )
    if line > LIMIT_REQUEST_LINE:
        return 414
    headers = scope.get("headers", [])
    if len(headers) > LIMIT_REQUEST_FIELDS:
        return 431
    for name, value in headers:
        # "Name: value" as it was on the wire.
        if len(name) + 2 + len(value) > LIMIT_REQUEST_FIELD_SIZE:
            return 431
    return None


class RequestLimits:
    """Refuse an HTTP request whose head is over the limits, before the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = refusal(scope) if scope["type"] == "http" else None
        if status is None:
            await self.app(scope, receive, send)
            return
        body = b"Request Header Fields Too Large" if status == 431 else b"URI Too Long"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

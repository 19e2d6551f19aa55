"""One structured line per request, and the request's id."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from portal.middleware.front_door import via_trusted_proxy

request_logger = logging.getLogger("portal.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")


def request_id_of(request: HttpRequest) -> str:
    """The trusted proxy's X-Request-ID when it sent a well-formed one (so
    nginx's log and ours share it), else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if given and via_trusted_proxy(request) and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """One line per request: method, route name, status, duration and request
    id; never the path, so never a portal token. The response carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request_logger.isEnabledFor(logging.INFO):
            match = getattr(request, "resolver_match", None)
            request_logger.info(
                "method=%s route=%s status=%s duration_ms=%.1f request_id=%s",
                request.method,
                (match.view_name if match else "") or _route_of(request),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                request_id,
            )
        return response


def _route_of(request: HttpRequest) -> str:
    """A name for requests no view resolved: static files, misses, refusals."""
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return "-"

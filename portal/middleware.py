"""The front door: who is asking, one log line per request, security headers for
the portal and the back office, and a brake on guessing portal links."""

import base64
import hashlib
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from portal import selectors

PORTAL_PREFIX = "/p/"
ADMIN_PREFIX = "/admin/"

request_logger = logging.getLogger("portal.requests")
logger = logging.getLogger(__name__)

# --- Who is asking ------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: str) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client_address(meta: dict) -> str:
    """The address of whoever sent the request, seen through our proxies only.

    X-Forwarded-For is read only when the request came from one of
    TRUSTED_PROXIES, from the right: the first hop that is not one of ours is
    the client. Anything further left was written by the client itself.
    """
    peer = meta.get("REMOTE_ADDR", "")
    if not _trusted(peer):
        return peer
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage our proxy would never write: trust no further
        if not _trusted(hop):
            return hop
        peer = hop
    return peer


def client_address(request: HttpRequest) -> str:
    """The client's address, as FrontDoorMiddleware settled it (views, and
    django-axes as a dotted path, ask through this)."""
    return request.META.get("REMOTE_ADDR", "")


# Methods no page of ours answers: TRACE would echo the request back (cookies
# included), and the others are never ours to serve.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})


class FrontDoorMiddleware:
    """Settle who is asking before anything else looks.

    REMOTE_ADDR becomes the client's address (`forwarded_client_address`); the
    forwarding headers are dropped when no trusted proxy wrote them, so a
    client talking to the server directly cannot claim HTTPS or an address.
    TRACE and its kin are refused everywhere with a 405.
    """

    FORWARDING_HEADERS = (
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_FORWARDED_PROTO",
        "HTTP_X_FORWARDED_HOST",
        "HTTP_X_FORWARDED_PORT",
        "HTTP_FORWARDED",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        from_our_proxy = _trusted(meta.get("REMOTE_ADDR", ""))
        meta["REMOTE_ADDR"] = forwarded_client_address(meta)
        if not from_our_proxy:
            for header in self.FORWARDING_HEADERS:
                meta.pop(header, None)
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)


# --- One line per request -----------------------------------------------------

REQUEST_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")


class RequestLogMiddleware:
    """One structured line per request: method, route name, status, duration
    and request id; never the path, so never a portal token.

    The request id comes from a trusted proxy's X-Request-ID when it sent a
    well-formed one, else it is made here; the response carries it back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = (
            given
            if REQUEST_ID.fullmatch(given) and _trusted(request.META["REMOTE_ADDR"])
            else uuid.uuid4().hex
        )
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        duration_ms = (time.perf_counter() - started) * 1000
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or _route_of(request)
        request_logger.info(
            "method=%s route=%s status=%s duration_ms=%.1f request_id=%s",
            request.method,
            route,
            response.status_code,
            duration_ms,
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


# --- The portal -----------------------------------------------------------------


def _miss_key(address: str) -> str:
    return f"portal:misses:{address}"


def _token_of(path: str) -> str:
    return path[len(PORTAL_PREFIX) :].split("/", 1)[0]


def portal_csp(
    style_hashes: tuple[str, ...] = (), form_targets: tuple[str, ...] = ()
) -> str:
    """The portal's policy: our own files only, and the inline brand style by
    the hash of its text (the same for every view of a page, so a cached page
    needs no per-request nonce). A page may send a form elsewhere (Pay goes to
    Stripe's Checkout)."""
    styles = " ".join(f"'sha256-{digest}'" for digest in style_hashes)
    form_action = " ".join(["'self'", *form_targets])
    return (
        "default-src 'none'; "
        "script-src 'self'; "
        f"style-src 'self'{' ' + styles if styles else ''}; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "manifest-src 'self'; "
        f"form-action {form_action}; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


class PortalMiddleware:
    """Harden every portal response and slow down addresses that guess links.

    Only distinct wrong tokens count (a stale link reloaded thirty times is
    one miss), in the shared cache, so every web process sees the same count.
    Over the limit, an address gets a 429 for any link that does not resolve;
    a valid link is always served (and costs the limiter nothing), so an
    office behind one address is never locked out by a colleague's stale
    bookmark. Every portal 404 is the same plain page, whatever DEBUG says
    (the debug page would print the token).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.lower().startswith(PORTAL_PREFIX):
            return self.get_response(request)
        request.csp_style_hashes = ()  # type: ignore[attr-defined]
        response = self.get_response(request)
        if response.status_code == 404:
            # Only now, for a miss, is the limit looked at: a valid link costs
            # the limiter nothing, and is never refused.
            address = request.META.get("REMOTE_ADDR", "")
            token = _token_of(request.path)
            if selectors.portal_token_known(token):
                response = self._not_found(request)
            elif self._over_limit(address):
                response = HttpResponse(
                    render_to_string("portal/too_many_requests.html", request=request),
                    status=429,
                )
                response["Retry-After"] = str(settings.PORTAL_MISS_WINDOW_SECONDS)
            else:
                self._count_miss(address, token)
                response = self._not_found(request)
        self._harden(request, response)
        return response

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
        from portal.views.errors import portal_not_found  # imports this module

        return portal_not_found(request)

    @staticmethod
    def _over_limit(address: str) -> bool:
        return cache.get(_miss_key(address), 0) >= settings.PORTAL_MISS_LIMIT

    @staticmethod
    def _count_miss(address: str, token: str) -> None:
        """Count the token once per window for this address."""
        window = settings.PORTAL_MISS_WINDOW_SECONDS
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
        if not cache.add(f"{_miss_key(address)}:{digest}", 1, timeout=window):
            return  # this wrong link was already counted
        key = _miss_key(address)
        if cache.add(key, 1, timeout=window):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)

    @staticmethod
    def _harden(request: HttpRequest, response: HttpResponse) -> None:
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = portal_csp(
            getattr(request, "csp_style_hashes", ()),
            getattr(request, "csp_form_targets", ()),
        )


# --- The back office ------------------------------------------------------------


@lru_cache(maxsize=1)
def _admin_style_hashes() -> tuple[str, ...]:
    """The one inline <style> Django's admin writes (a change list without
    actions), allowed by the hash of its exact text."""
    template = (
        Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    ).read_text()
    return tuple(
        f"'sha256-{_sha256_base64(style)}'"
        for style in re.findall(r"<style>(.*?)</style>", template, re.DOTALL)
    )


def _sha256_base64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _media_origin() -> str:
    """Where logos come from when they are not ours to serve (an S3 bucket)."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return ""
    from urllib.parse import urlsplit

    from django.core.files.storage import storages

    parts = urlsplit(storages["default"].url("logo.png"))
    return f" {parts.scheme}://{parts.netloc}" if parts.netloc else ""


def back_office_csp() -> str:
    """A strict policy the admin works under: its own scripts and stylesheets,
    no inline script, no other origin (but the logos' bucket, with S3)."""
    return (
        "default-src 'none'; "
        "script-src 'self'; "
        f"style-src 'self' {' '.join(_admin_style_hashes())}; "
        f"img-src 'self' data:{_media_origin()}; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


class BackOfficeMiddleware:
    """The back office's Content-Security-Policy, on every /admin/ response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIX):
            response.setdefault("Content-Security-Policy", back_office_csp())
        return response

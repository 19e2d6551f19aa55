"""The portal's front door: security headers and a brake on guessing links."""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PORTAL_PREFIX = "/p/"


def client_address(request: HttpRequest) -> str:
    """The address that made the request, seen through our own proxies only.

    Behind N trusted proxies (TRUSTED_PROXY_COUNT) the client is the N-th
    address from the right of X-Forwarded-For; anything further left was written
    by the client itself and proves nothing.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _miss_key(address: str) -> str:
    return f"portal:misses:{address}"


class PortalMiddleware:
    """Harden every portal response and rate-limit addresses that keep missing.

    Only misses (404s) count, so a client using its own valid link is never
    slowed; an address that guesses links gets a 429 once over the limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PORTAL_PREFIX):
            return self.get_response(request)
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]  # read by templates
        address = client_address(request)
        if cache.get(_miss_key(address), 0) >= settings.PORTAL_MISS_LIMIT:
            response = HttpResponse(
                render_to_string("portal/too_many_requests.html", request=request),
                status=429,
            )
            response["Retry-After"] = str(settings.PORTAL_MISS_WINDOW_SECONDS)
        else:
            response = self.get_response(request)
            if response.status_code == 404:
                self._count_miss(address)
        self._harden(response, nonce, getattr(request, "csp_form_targets", ()))
        return response

    @staticmethod
    def _count_miss(address: str) -> None:
        key = _miss_key(address)
        window = settings.PORTAL_MISS_WINDOW_SECONDS
        if cache.add(key, 1, timeout=window):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)

    @staticmethod
    def _harden(
        response: HttpResponse, nonce: str, form_targets: tuple[str, ...] = ()
    ) -> None:
        # A page may send a form elsewhere (Pay goes to Stripe's Checkout).
        form_action = " ".join(["'self'", *form_targets])
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = (
            "default-src 'none'; "
            "script-src 'self'; "
            f"style-src 'self' 'nonce-{nonce}'; "
            "img-src 'self' data:; "
            "font-src 'self'; "
            "connect-src 'self'; "
            "manifest-src 'self'; "
            f"form-action {form_action}; "
            "base-uri 'none'; "
            "frame-ancestors 'none'"
        )

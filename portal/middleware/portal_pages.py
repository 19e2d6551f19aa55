"""What every portal response carries, and the brake on guessing links."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from portal import selectors
from portal.not_found import PORTAL_PREFIX, portal_not_found

# Headers of every portal response: the URL is a capability, so it never
# leaves for another site, is never indexed and never kept by a cache.
PORTAL_HEADERS = (
    ("Referrer-Policy", "same-origin"),
    ("X-Robots-Tag", "noindex, nofollow"),
    ("Cache-Control", "private, no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
)
# What every portal page's policy adds to the site's (portal.middleware.policy).
PORTAL_CSP = {"manifest-src": ("'self'",)}


def is_portal_path(request: HttpRequest) -> bool:
    return request.path[:3].lower() == PORTAL_PREFIX


def _token_of(path: str) -> str:
    return path[len(PORTAL_PREFIX) :].split("/", 1)[0]


def _miss_key(address: str) -> str:
    return f"portal:misses:{address}"


def portal_csp(visit: object | None) -> dict[str, tuple[str, ...]]:
    """The policy's additions for a portal response: the page's own (its brand
    style, its forms' targets) over the portal's (the manifest, the stream's
    origin when it is another)."""
    update: dict[str, tuple[str, ...]] = dict(PORTAL_CSP)
    if settings.PORTAL_LIVE_ORIGIN:
        update["connect-src"] = (settings.PORTAL_LIVE_ORIGIN,)
    page: dict[str, tuple[str, ...]] | None = getattr(visit, "csp", None)
    return update | page if page else update


class PortalHeadersMiddleware:
    """The portal's headers and policy on every /p/ response, the same page
    for every miss whatever DEBUG says (the debug page would print the token)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_portal_path(request):
            return self.get_response(request)
        response = self.get_response(request)
        for name, value in PORTAL_HEADERS:
            response[name] = value
        response._csp_update = portal_csp(  # type: ignore[attr-defined]
            getattr(request, "portal", None)
        )
        return response


class PortalMissLimitMiddleware:
    """Slow down addresses that guess links.

    Only distinct wrong tokens count (a stale link reloaded thirty times is
    one miss), in the shared cache, so every web process sees the same count.
    Over the limit, an address gets a 429 for any link that does not resolve;
    a valid link is always served (and costs the limiter nothing), so an
    office behind one address is never locked out by a colleague's stale
    bookmark.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_portal_path(request):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        # Only now, for a miss, is the limit looked at. A link the view
        # already resolved (request.portal) is known: an unknown document.
        token = _token_of(request.path)
        if getattr(request, "portal", None) is not None or selectors.portal_link(
            token=token
        ):
            return self._not_found(request)
        address = request.META.get("REMOTE_ADDR", "")
        if self._over_limit(address):
            refused = HttpResponse(
                render_to_string("portal/too_many_requests.html", request=request),
                status=429,
            )
            refused["Retry-After"] = str(settings.PORTAL_MISS_WINDOW_SECONDS)
            return refused
        self._count_miss(address, token)
        return self._not_found(request)

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
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

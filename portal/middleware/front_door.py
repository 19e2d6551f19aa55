"""Who is asking: the client's address through our own proxies only, and the
methods no page of ours answers."""

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxy(address: str) -> bool:
    """Whether the address is one of TRUSTED_PROXIES."""
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
    if not trusted_proxy(peer):
        return peer
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage our proxy would never write: trust no further
        if not trusted_proxy(hop):
            return hop
        peer = hop
    return peer


def client_address(request: HttpRequest) -> str:
    """The client's address, as FrontDoorMiddleware settled it (views, and
    django-axes as a dotted path, ask through this)."""
    return request.META.get("REMOTE_ADDR", "")


def via_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection came from one of our proxies, as seen before
    REMOTE_ADDR was replaced by the client's address (what the proxy's own
    headers, such as X-Request-ID, may be believed on)."""
    return bool(getattr(request, "via_trusted_proxy", False))


# Methods no page of ours answers: TRACE would echo the request back (cookies
# included), and the others are never ours to serve.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})

FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
    "HTTP_X_REQUEST_ID",
)


class FrontDoorMiddleware:
    """Settle who is asking before anything else looks.

    The peer is checked against TRUSTED_PROXIES once, here, and the answer
    kept on the request (`via_trusted_proxy`); then REMOTE_ADDR becomes the
    client's address (`forwarded_client_address`). The proxies' headers are
    dropped when no trusted proxy wrote them, so a client talking to the
    server directly cannot claim HTTPS, an address or a request id. TRACE and
    its kin are refused everywhere with a 405.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        from_our_proxy = trusted_proxy(meta.get("REMOTE_ADDR", ""))
        request.via_trusted_proxy = from_our_proxy  # type: ignore[attr-defined]
        if from_our_proxy:
            meta["REMOTE_ADDR"] = forwarded_client_address(meta)
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)

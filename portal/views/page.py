"""What every portal page shares: its context (from the request's
`PortalVisit`), its paths, and the cache of rendered pages."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from clients.services import portal_token_digest
from documents.models import Document
from portal import selectors
from portal.door import (
    LANGUAGE_COOKIE,
    PortalVisit,
    chosen_language,
    portal_visit,
    visit_of_link,
)
from portal.preview import preview_context

__all__ = [
    "LANGUAGE_COOKIE",
    "cached_page",
    "list_url",
    "page_context",
    "portal_path",
]


def portal_path(client: Client | PortalVisit) -> str:
    token = client.token if isinstance(client, PortalVisit) else client.portal_token
    return reverse("portal:home", kwargs={"token": token})


def list_url(token: str, kind: str) -> str:
    name = "portal:quotes" if kind == Document.Kind.QUOTE else "portal:invoices"
    return reverse(name, kwargs={"token": token})


# Written into a page instead of the visitor's CSRF token, so the page can be
# cached for everyone; each response then gets its own token in its place.
CSRF_PLACEHOLDER = "portal-csrf-token-placeholder-0f3c9a"


def page_context(visit: PortalVisit, **context: object) -> dict:
    """The context of a page of the client's portal, in the visit's language.

    The brand's colours go in an inline <style>, allowed by the hash of its
    text (portal.middleware.policy), which is the same on every view.
    """
    client = visit.client
    visit.allow_brand_style()
    page = {
        "client": client,
        "company": client.company,
        "brand": visit.brand,
        "brand_style": visit.brand_style,
        "logo_plate": selectors.portal_logo_plate(client=client, brand=visit.brand),
        "token": visit.token,
        "portal_revision": visit.revision,
        "live_url": live_url(visit.token),
        # A member's preview: a banner, and no beacon (portal.preview).
        "preview": preview_context(visit),
        **context,
    }
    if getattr(visit.request, "portal_page_cached", False):
        # Rendered for the page cache: each response puts its own token here.
        page["csrf_token"] = CSRF_PLACEHOLDER
    return page


def live_url(token: str) -> str:
    """Where an open page's stream is: on this address, or on the stream
    server's own (PORTAL_LIVE_ORIGIN, which the policy then allows)."""
    return settings.PORTAL_LIVE_ORIGIN + reverse(
        "portal:events", kwargs={"token": token}
    )


def _cacheable(request: HttpRequest) -> bool:
    """A page worth keeping: no query, or only a page number (filters and
    searches vary without end and are rarely repeated)."""
    query = request.GET
    return not query or (list(query) == ["page"] and query["page"].isdigit())


def _with_csrf_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(
            placeholder, get_token(request).encode()
        )
    return response


def cached_page(
    request: HttpRequest,
    token: str,
    render_page: Callable[[PortalVisit], HttpResponse],
) -> HttpResponse:
    """The page `render_page` makes, kept in the cache until the client's portal
    changes, the language or the day changes (statuses such as overdue move
    with the date).

    A repeat view costs one cache read and the link's narrow row: the entry is
    found by the link's digest before the database is asked, and served when
    the row's revision and language are the ones it was rendered at. It holds
    what the page's policy adds (the brand style's hash, where its forms go),
    made once per revision. A miss reads the whole row and renders. The page
    is the same for every visitor of this link: its CSRF token is put in per
    response. A member's preview (who has a session) and a filtered list are
    never stored nor served from the cache: the client must never get the
    preview's banner, nor the member a page without it.
    """
    cacheable = _cacheable(request) and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )
    key = ""
    if cacheable:
        key = selectors.portal_page_key(
            digest=portal_token_digest(token),
            language=chosen_language(request),
            today=timezone.localdate(),
            path=request.get_full_path(),
        )
        cached = cache.get(key)
        if cached is not None:
            link = selectors.portal_link(token=token, narrow=True)
            if link is None:
                raise Http404("No portal here.")
            visit = visit_of_link(request, token, link)
            if (cached["client"], cached["revision"], cached["language"]) == (
                link.client_id,
                link.revision,
                visit.language,
            ):
                visit.csp = cached["csp"]
                return _with_csrf_token(request, HttpResponse(cached["body"]))
            del request.portal  # type: ignore[attr-defined]  # rendered anew
    visit = portal_visit(request, token)
    if visit.is_preview or not cacheable:
        return render_page(visit)
    request.portal_page_cached = True  # type: ignore[attr-defined]
    response = render_page(visit)
    if response.status_code == 200:
        cache.set(
            key,
            {
                "client": visit.client_id,
                "revision": visit.revision,
                "language": visit.language,
                "body": response.content,
                "csp": visit.csp,
            },
            selectors.REVISION_CACHE_SECONDS,
        )
    return _with_csrf_token(request, response)

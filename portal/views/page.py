"""What every portal page shares: the client's language, brand and paths, and
the cache of rendered pages."""

import base64
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from clients.models import Client
from documents.models import Document
from portal import selectors
from portal.preview import member_preview, preview_context

LANGUAGE_COOKIE = "portal_language"


def portal_path(client: Client) -> str:
    return reverse("portal:home", kwargs={"token": client.portal_token})


def list_url(token: str, kind: str) -> str:
    name = "portal:quotes" if kind == Document.Kind.QUOTE else "portal:invoices"
    return reverse(name, kwargs={"token": token})


def language_activate(request: HttpRequest, client: Client) -> str:
    """The cookie's choice, else the client's language; active for this request."""
    known = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    if chosen in known:
        language = chosen
    elif client.locale in known:
        language = client.locale
    else:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


# Written into a page instead of the visitor's CSRF token, so the page can be
# cached for everyone; each response then gets its own token in its place.
CSRF_PLACEHOLDER = "portal-csrf-token-placeholder-0f3c9a"


def _style_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")


def page_context(request: HttpRequest, client: Client, **context: object) -> dict:
    """The context of a page of the client's portal, in the client's language.

    The brand's colours go in an inline <style>, allowed by the hash of its
    text (portal.middleware's policy), which is the same on every view.
    """
    language_activate(request, client)
    brand = selectors.portal_brand(client=client)
    brand_style = str(
        conditional_escape(f":root {{ {brand.palette.css_declarations()} }}")
    )
    request.csp_style_hashes = (_style_hash(brand_style),)  # type: ignore[attr-defined]
    page = {
        "client": client,
        "company": client.company,
        "brand": brand,
        "brand_style": brand_style,
        "logo_plate": selectors.portal_logo_plate(client=client, brand=brand),
        "token": client.portal_token,
        # A member's preview: a banner, and no beacon (portal.preview).
        "preview": preview_context(request, client),
        **context,
    }
    if getattr(request, "portal_page_cached", False):
        # Rendered for the page cache: each response puts its own token here.
        page["csrf_token"] = CSRF_PLACEHOLDER
    return page


def _cacheable(request: HttpRequest) -> bool:
    """A page worth keeping: no query, or only a page number (filters and
    searches vary without end and are rarely repeated)."""
    query = request.GET
    return not query or (list(query) == ["page"] and query["page"].isdigit())


def cached_page(
    request: HttpRequest, client: Client, render_page: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page `render_page` makes, kept in the cache until the client's portal
    changes, the language or the day changes (statuses such as overdue move
    with the date).

    A repeat view costs the token lookup and one cache read. The page is the
    same for every visitor of this link: its CSRF token is put in per response.
    """
    language = language_activate(request, client)
    if member_preview(request, client):
        # Never stored nor served from the cache: the client must never get
        # the preview's banner, nor the member a page without it.
        return render_page()
    key = selectors.portal_page_key(
        client=client,
        language=language,
        today=timezone.localdate(),
        path=request.get_full_path(),
    )
    cached = cache.get(key) if _cacheable(request) else None
    if cached is None:
        request.portal_page_cached = True  # type: ignore[attr-defined]
        response = render_page()
        if response.status_code == 200 and _cacheable(request):
            cache.set(
                key,
                {
                    "body": response.content,
                    # What the page's policy must allow (portal.middleware): its
                    # inline style, and where its forms go (Pay: Stripe).
                    "style_hashes": getattr(request, "csp_style_hashes", ()),
                    "form_targets": getattr(request, "csp_form_targets", ()),
                },
                selectors.REVISION_CACHE_SECONDS,
            )
    else:
        response = HttpResponse(cached["body"])
        request.csp_style_hashes = cached["style_hashes"]  # type: ignore[attr-defined]
        request.csp_form_targets = cached["form_targets"]  # type: ignore[attr-defined]
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(
            placeholder, get_token(request).encode()
        )
    return response

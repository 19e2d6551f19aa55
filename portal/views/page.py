"""What every portal page shares: the client's language, brand and paths."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from clients.models import Client
from documents.models import Document
from portal import selectors

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


def page_context(request: HttpRequest, client: Client, **context: object) -> dict:
    """The context of a page of the client's portal, in the client's language."""
    language_activate(request, client)
    brand = selectors.portal_brand(client=client)
    return {
        "client": client,
        "company": client.company,
        "brand": brand,
        "brand_css": brand.palette.css_declarations(),
        "token": client.portal_token,
        **context,
    }

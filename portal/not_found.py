"""The portal's 404: the same page for every link that does not open, which
tells the visitor, in their browser's language, to ask the business for a new
link, and names nothing (no company, no brand: the link proved nothing).

Drawn for the URL resolver's misses (`portal.views.errors`) and for every 404
of a portal path (`portal.middleware.portal_pages`), debug mode included.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

PORTAL_PREFIX = "/p/"


def browser_language(request: HttpRequest) -> str:
    """The first language of Accept-Language the portal speaks, else the default."""
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def portal_not_found(request: HttpRequest) -> HttpResponse:
    """The portal's 404 page (also what portal.middleware answers for any
    portal 404, debug mode included, whose technical page would print the
    token)."""
    language = browser_language(request)
    with translation.override(language):
        body = render_to_string("portal/404.html", {"LANGUAGE_CODE": language})
    response = HttpResponseNotFound(body)
    response["Content-Language"] = language
    response["Vary"] = "Accept-Language"
    return response

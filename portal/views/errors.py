"""The portal's 404: the same page for every link that does not open, which
tells the visitor, in their browser's language, to ask the business for a new
link, and names nothing (no company, no brand: the link proved nothing).

Other paths keep Django's own 404 (and any project-wide 404.html). A quote's
answer too large to be read at all gets its form back with the error; any
other 400 stays Django's.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views import defaults

from portal.middleware import PORTAL_PREFIX


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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not request.path.startswith(PORTAL_PREFIX):
        return defaults.page_not_found(request, exception)
    return portal_not_found(request)


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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig) and request.path.startswith(
        PORTAL_PREFIX
    ):
        from portal.views.quotes import answer_too_large  # imports this package

        try:
            response = answer_too_large(request)
        except Http404:
            return portal_not_found(request)
        if response is not None:
            return response
    return defaults.bad_request(request, exception)

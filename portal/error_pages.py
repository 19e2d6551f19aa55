"""Error pages inside a valid portal: branded, in the client's language, with
a way back to the tabs.

A link that opens no portal keeps `portal.not_found`'s page, the same for
every miss (it names nothing: the link proved nothing). But once the link
resolves, the visitor is the client: a missing document (its own, another's,
hidden, a draft: all alike), a malformed request (400), a method a page does
not take (405) and a PDF still being prepared (503) are told on its portal's
own page, in its language. Every 404 inside the portal is the same page, so
it still tells nothing about other clients' documents.
"""

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render

from documents.models import Document
from portal import selectors
from portal.door import PortalVisit, visit_of_link
from portal.middleware.portal_pages import PORTAL_PREFIX, is_portal_path
from portal.views.page import list_url, page_context

# The headers a branded page keeps from the answer it replaces.
KEPT_HEADERS = ("Allow", "Retry-After", "Refresh", "Content-Language")


def _visit(request: HttpRequest) -> PortalVisit | None:
    """The visit of the request's link, when it opens a portal."""
    visit: PortalVisit | None = getattr(request, "portal", None)
    if visit is not None:
        return visit
    token = request.path[len(PORTAL_PREFIX) :].split("/", 1)[0]
    if not token:
        return None
    link = selectors.portal_link(token=token)
    if link is None:
        return None
    return visit_of_link(request, token, link)


def _bare_error(response: HttpResponseBase) -> bool:
    """An answer with no page of its own: any 404, Django's 400 and 405, the
    "being prepared" page for a browser (a bare 503 for a script stays; a
    form's 400, already the portal's page with its errors, stays)."""
    if getattr(response, "portal_branded", False) or response.streaming:
        return False
    if response.status_code == 404:
        return True
    if response.status_code == 503:
        return getattr(response, "pdf_not_ready", None) is not None
    return isinstance(response, HttpResponseBadRequest | HttpResponseNotAllowed)


def branded_error(
    request: HttpRequest, visit: PortalVisit, response: HttpResponseBase
) -> HttpResponse:
    """`response`'s status told on the portal's own page."""
    status = response.status_code
    not_ready: dict | None = getattr(response, "pdf_not_ready", None)
    context = page_context(
        visit,
        status=status,
        not_ready=not_ready,
        error_page=True,  # no beacon: an error is no view of a page
        invoices_url=list_url(visit.token, Document.Kind.INVOICE),
        quotes_url=list_url(visit.token, Document.Kind.QUOTE),
        # The language switch leads back to the tabs, not to the error.
        language_next=list_url(visit.token, Document.Kind.INVOICE),
    )
    branded = render(request, "portal/error.html", context, status=status)
    for header in KEPT_HEADERS:
        if header in response:
            branded[header] = response[header]
    branded["Content-Language"] = visit.language
    branded.portal_branded = True  # type: ignore[attr-defined]
    return branded


class PortalErrorPagesMiddleware:
    """Brand the 400, 404, 405 and "being prepared" answers of a valid link
    (outside the miss limit, which answers unknown links, inside the portal's
    headers, which then read the page's brand style)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not is_portal_path(request) or not _bare_error(response):
            return response
        visit = _visit(request)
        if visit is None:
            return response
        return branded_error(request, visit, response)

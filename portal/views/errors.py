"""The site's 404 and 400: the portal's own 404 page for portal paths
(portal.not_found), Django's (and any project-wide 404.html) for the others. A
quote's answer too large to be read at all gets its form back with the error;
any other 400 stays Django's."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults

from portal.not_found import PORTAL_PREFIX, portal_not_found


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not request.path.startswith(PORTAL_PREFIX):
        return defaults.page_not_found(request, exception)
    return portal_not_found(request)


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

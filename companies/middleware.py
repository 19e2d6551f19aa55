"""Which company the signed-in member is working on, for every back-office request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from companies.selectors import active_membership

ACTIVE_COMPANY_SESSION_KEY = "active_company_id"


class ActiveCompanyMiddleware:
    """Set `request.membership` and `request.company` (both None when there is none).

    The active company is the one the member picked, kept in the session, as long
    as they still belong to it; otherwise their first company.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        request.company = None
        if request.user.is_authenticated:
            membership = active_membership(
                user=request.user,
                company_id=request.session.get(ACTIVE_COMPANY_SESSION_KEY),
            )
            if membership is not None:
                request.membership = membership
                request.company = membership.company
        return self.get_response(request)

"""Which company the signed-in member is working on, for every back-office request."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from companies.models import Company, Membership, User
from companies.selectors import active_membership

ACTIVE_COMPANY_SESSION_KEY = "active_company_id"


class ActiveCompanyMiddleware:
    """Set `request.membership` and `request.company` (both None when there is none).

    The active company is the one the member picked, kept in the session, as long
    as they still belong to it; otherwise their first company. Code reads them
    through `request_membership()` and `active_company()` below.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if isinstance(request.user, User):
            membership = active_membership(
                user=request.user,
                company_id=request.session.get(ACTIVE_COMPANY_SESSION_KEY),
            )
        # The one place these attributes are set; HttpRequest does not declare them.
        request.membership = membership  # type: ignore[attr-defined]
        request.company = membership.company if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)


def request_membership(request: HttpRequest) -> Membership | None:
    """The member's place in the active company; None when signed out or in none."""
    membership: Membership | None = getattr(request, "membership", None)
    return membership


def request_company(request: HttpRequest) -> Company | None:
    """The active company of the request, if any."""
    company: Company | None = getattr(request, "company", None)
    return company


def active_company(request: HttpRequest) -> Company:
    """The active company of a back-office request (pages are reached only with
    one); fails closed with a 403 when there is none."""
    company = request_company(request)
    if company is None:
        raise PermissionDenied
    return company


def member(request: HttpRequest) -> User:
    """The signed-in member making a back-office request; 403 for anyone else."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user

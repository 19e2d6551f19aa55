"""Which company the signed-in member is working on, for every back-office request."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

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


# English dates and amounts follow the company's side of the Atlantic: a
# day-month-year "5 Mar 2026" (en-GB, as the UK and the rest of Europe write
# English) everywhere but for a company in the United States ("Mar 5, 2026").
US_ENGLISH_COUNTRIES = frozenset({"US"})


def back_office_language(*, chosen: str, browser: str, company: Company | None) -> str:
    """The language (and so the formats) of a member's back-office page: the one
    on their profile, else their browser's; English as the company writes it."""
    language = chosen or browser
    if language == "en":
        return "en" if company and company.country in US_ENGLISH_COUNTRIES else "en-gb"
    return language


class MemberLanguageMiddleware:
    """Speak the member's language on every back-office page.

    Runs after `LocaleMiddleware` (the browser's language, which the portal's
    own rule then replaces by the client's) and `ActiveCompanyMiddleware`;
    touches only the back office's paths, so a member who opens a client's
    portal link still sees it in the client's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if isinstance(request.user, User) and request.path_info.startswith(
            reverse("admin:index")
        ):
            language = back_office_language(
                chosen=request.user.language,
                browser=translation.get_language() or settings.LANGUAGE_CODE,
                company=request_company(request),
            )
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

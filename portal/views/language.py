"""The client's choice of language: a POST that changes nothing but a cookie."""

from django.contrib.auth.decorators import login_not_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.door import portal_visit
from portal.forms import LanguageForm
from portal.views.page import LANGUAGE_COOKIE, portal_path

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


@login_not_required
@require_POST
def language_set(request: HttpRequest, token: str) -> HttpResponse:
    """Remember the client's language in a cookie for this portal, then go back."""
    visit = portal_visit(request, token)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown language.", content_type="text/plain")
    home_path = portal_path(visit)
    target = form.cleaned_data["next"]
    if not (
        target.startswith(home_path)
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    ):
        target = home_path
    response = HttpResponseRedirect(target, status=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.cleaned_data["language"],
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path=home_path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response

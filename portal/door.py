"""The portal's front door: a request's link resolved once into a `PortalVisit`.

Every portal view starts here (`portal_visit(request, token)`): the token is
turned into the client's row by one precompiled query
(`portal.selectors.link`), then the language, the member's preview and (when a
page is rendered) the full client, its brand and the brand's style are worked
out once and kept on the visit, which the request holds as `request.portal`.
A repeat view of a cached page needs one cache read and the row's narrow part
(`portal.views.page.cached_page`, through `visit_of_link`); the middleware
after the view reads the same visit (what the page's policy allows, whether a
404 came from a link that opens a portal).
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation

from branding.selectors import Brand
from clients.models import Client
from companies.models import Membership, User
from portal import selectors
from portal.middleware.policy import style_hash

LANGUAGE_COOKIE = "portal_language"
LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


@dataclass(eq=False)
class PortalVisit:
    """One request's view of one client's portal."""

    request: HttpRequest
    token: str
    link: selectors.PortalLink
    language: str
    # What the page's Content-Security-Policy adds (portal.middleware.policy).
    csp: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def client_id(self) -> int:
        return self.link.client_id

    @property
    def revision(self) -> int:
        return self.link.revision

    @cached_property
    def membership(self) -> Membership | None:
        """The signed-in member's membership of the client's company, if any.

        Clients have no back-office session: their visit loads no session and
        runs no query here."""
        if not self.request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            return None
        user = getattr(self.request, "user", None)
        if not isinstance(user, User):
            return None
        return Membership.objects.filter(
            user=user, company_id=self.link.company_id
        ).first()

    @property
    def is_preview(self) -> bool:
        """A member of the company is looking (portal.preview)."""
        return self.membership is not None

    @cached_property
    def client(self) -> Client:
        """The full client and its company, built from the link's row when a
        page is rendered or a form handled (a cached page never needs it). Its
        links are built from this request's own token, checked against the
        digest by the lookup: the stored token is never decrypted for them."""
        client = selectors.portal_client_of(link=self.link)
        client.portal_token_remember(self.token)
        return client

    @cached_property
    def brand(self) -> Brand:
        return selectors.portal_brand(client=self.client)

    @cached_property
    def brand_style(self) -> str:
        """The brand's colours as the page's inline <style>, allowed by the
        hash of its text (the same on every view: no nonce)."""
        return selectors.portal_brand_style(brand=self.brand)

    def allow_brand_style(self) -> None:
        self.csp.setdefault("style-src", (style_hash(self.brand_style),))

    def allow_form_target(self, origin: str) -> None:
        self.csp["form-action"] = (*self.csp.get("form-action", ()), origin)


def chosen_language(request: HttpRequest) -> str:
    """The language the visitor chose for this portal (its cookie), or ""."""
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LANGUAGES else ""


def _language(request: HttpRequest, link: selectors.PortalLink) -> str:
    """The cookie's choice, else the client's language."""
    chosen = chosen_language(request)
    if chosen:
        return chosen
    return link.locale if link.locale in LANGUAGES else settings.LANGUAGE_CODE


def portal_visit(request: HttpRequest, token: str) -> PortalVisit:
    """The visit of this request's portal link, resolved once and kept on the
    request; its language is active from here on.

    :raises Http404: unknown, rotated or disabled link, or a company without
        the Accounts Receivable add-on; all look the same from outside.
    """
    visit: PortalVisit | None = getattr(request, "portal", None)
    if visit is not None and visit.token == token:
        return visit
    link = selectors.portal_link(token=token)
    if link is None:
        raise Http404("No portal here.")
    return visit_of_link(request, token, link)


def visit_of_link(
    request: HttpRequest, token: str, link: selectors.PortalLink
) -> PortalVisit:
    """The visit of a link already read (narrow or whole), kept on the request;
    its language is active from here on."""
    visit = PortalVisit(
        request=request, token=token, link=link, language=_language(request, link)
    )
    translation.activate(visit.language)
    request.LANGUAGE_CODE = visit.language
    request.portal = visit  # type: ignore[attr-defined]
    return visit


def visit_of(request: HttpRequest) -> PortalVisit:
    """The visit this request's view resolved (`portal_visit`)."""
    visit: PortalVisit | None = getattr(request, "portal", None)
    if visit is None:
        raise LookupError("portal_visit() was not called for this request")
    return visit

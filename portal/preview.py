"""A member of the business looking at a client's portal: a preview.

The back office's "Open portal" opens the client's link on the back office's
own host, where the member is signed in. Whoever is signed in as a member of
the client's company is never the client: their visit records nothing (no
view, no access log, no e-mail to the business: the page carries no beacon
and the beacon ignores them), is never kept in or served from the page cache
(it shows a banner the client must never get), and may not pay, sign or
answer on the client's behalf.

Clients have no back-office session, so for them this costs nothing: Django
loads no session when the request carries no session cookie.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from clients.models import Client
from companies.models import Membership, User
from portal import selectors


def _membership(request: HttpRequest, client: Client) -> Membership | None:
    """The signed-in user's membership of the client's company, if any (asked
    once per request)."""
    found: dict[int, Membership | None] = request.__dict__.setdefault(
        "_portal_preview_memberships", {}
    )
    if client.pk not in found:
        user = getattr(request, "user", None)
        found[client.pk] = (
            Membership.objects.filter(user=user, company_id=client.company_id).first()
            if isinstance(user, User)
            else None
        )
    return found[client.pk]


def member_preview(request: HttpRequest, client: Client) -> bool:
    """Whether a member of the client's company is the one looking."""
    return _membership(request, client) is not None


def preview_context(request: HttpRequest, client: Client) -> dict[str, Any] | None:
    """What the preview banner shows; None for the client itself."""
    membership = _membership(request, client)
    if membership is None:
        return None
    return {
        "archived": client.archived_at is not None,
        # Back to the client's page, for a member who may see it.
        "back_url": reverse("admin:clients_client_change", args=[client.pk])
        if membership.can_view_receivables
        else "",
    }


def preview_refuses_posts(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Refuse the view's POST (pay, sign, accept, decline, declare a transfer)
    to a member previewing the portal: those are the client's to do."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            client = selectors.portal_client(token=token)  # 404: opens nothing
            if member_preview(request, client):
                context = {
                    "back_url": reverse("portal:home", args=[token]),
                    "preview": preview_context(request, client),
                }
                return render(
                    request, "portal/preview_refused.html", context, status=403
                )
        return view(request, token, **kwargs)

    return wrapper

"""A member of the business looking at a client's portal: a preview.

The back office's "Open portal" opens the client's link on the back office's
own host, where the member is signed in. Whoever is signed in as a member of
the client's company is never the client: their visit records nothing (no
view, no access log, no e-mail to the business: the page carries no beacon
and the beacon ignores them), is never kept in or served from the page cache
(it shows a banner the client must never get), and may not pay, sign or
answer on the client's behalf.

Clients have no back-office session, so for them this costs nothing: the
visit looks for a membership only when the request carries a session cookie
(`portal.door.PortalVisit.membership`).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portal.door import PortalVisit, portal_visit


def preview_context(visit: PortalVisit) -> dict[str, Any] | None:
    """What the preview banner shows; None for the client itself."""
    membership = visit.membership
    if membership is None:
        return None
    return {
        "archived": visit.client.archived_at is not None,
        # Back to the client's page, for a member who may see it.
        "back_url": reverse("admin:clients_client_change", args=[visit.client_id])
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
            visit = portal_visit(request, token)  # 404: opens nothing
            if visit.is_preview:
                context = {
                    "back_url": reverse("portal:home", args=[token]),
                    "preview": preview_context(visit),
                }
                return render(
                    request, "portal/preview_refused.html", context, status=403
                )
        return view(request, token, **kwargs)

    return wrapper

"""The page's beacon: a real browser saying it shows a page of the portal.

Mail scanners and link previewers fetch portal links with GET and never run
scripts, so only this POST, sent by `static/portal/beacon.js` once the page is
visible, records anything: the access log, and the first view of a document
version. It passes Django's CSRF check like any form of the portal: the script
sends the page's CSRF token in `X-CSRFToken`, and the browser sends `Origin`
(kept by `Referrer-Policy: same-origin`), which Django checks against the host.

A beacon about a document the link does not show (another client's, hidden,
a draft) or an unknown version is ignored: 204, nothing recorded. An unknown,
rotated or disabled link is the portal's usual 404.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import services as client_services
from documents import services as document_services
from documents.models import DocumentVersion
from portal import selectors
from portal.door import portal_visit
from portal.middleware import client_address


def _number(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


@login_not_required
@require_POST
def portal_beacon(request: HttpRequest, token: str) -> HttpResponse:
    """Record that the client's browser shows a page: which document, if any."""
    visit = portal_visit(request, token)
    nothing = HttpResponse(status=204)
    if visit.is_preview:
        return nothing  # a member's preview is never the client's view
    client = visit.client
    document = version = None
    if "document" in request.POST:
        document_id = _number(request.POST.get("document"))
        number = _number(request.POST.get("version"))
        if document_id is None or number is None:
            return nothing
        document = (
            selectors.portal_documents(client=client).filter(pk=document_id).first()
        )
        if document is None:
            return nothing
        version = (
            DocumentVersion.objects.for_company(client.company)
            .filter(document=document, number=number)
            .first()
        )
        if version is None:
            return nothing
    now = timezone.now()
    if document is not None and version is not None:
        document_services.document_viewed(
            client=client, document=document, version=version, now=now
        )
    client_services.client_portal_access_record(
        client=client,
        document_id=document.pk if document is not None else None,
        address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
        now=now,
    )
    return nothing

"""A document's files in the back office: each version's PDF and Factur-X XML,
a signed quote's sealed PDF, and printing a PDF again after it failed."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from companies.admin_site import member_can_change, member_can_view
from companies.middleware import active_company
from documents.back_office import document_admin_url
from documents.models import QuoteSignature
from printing import downloads
from printing.services import version_pdf_retry


class DownloadPages:
    """Mixed into DocumentAdmin, whose addresses the versions inline links to."""

    def _document(self: Any, request: HttpRequest, object_id: str, *, change: bool):
        """The document the member may see (or change): 403 or 404 otherwise."""
        allowed = member_can_change if change else member_can_view
        if not allowed(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404
        return document

    def _version(
        self: Any,
        request: HttpRequest,
        object_id: str,
        number: int,
        *,
        change: bool = False,
    ):
        document = self._document(request, object_id, change=change)
        return get_object_or_404(document.versions.all(), number=number)

    def version_pdf(
        self: Any, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponseBase:
        """One version's PDF, for members who may see the document."""
        version = self._version(request, object_id, number)
        return downloads.version_pdf_response(request=request, version=version)

    def version_pdf_retry(
        self: Any, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponse:
        """Print a version's PDF again after its renders failed (POST only)."""
        version = self._version(request, object_id, number, change=True)
        version_pdf_retry(version=version)
        self.message_user(
            request,
            _("The PDF of version %(number)s is being printed again.")
            % {"number": version.number},
            messages.INFO,
        )
        return HttpResponseRedirect(document_admin_url(version.document))

    def signed_pdf(self: Any, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """A signed quote's sealed PDF, for members who may see the quote."""
        document = self._document(request, object_id, change=False)
        signature = get_object_or_404(
            QuoteSignature.objects.for_company(active_company(request)).select_related(
                "version"
            ),
            document=document,
        )
        return downloads.signed_pdf_response(request=request, signature=signature)

    def version_xml(
        self: Any, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponseBase:
        """One invoice or credit note version's Factur-X XML."""
        version = self._version(request, object_id, number)
        return downloads.version_xml_response(request=request, version=version)

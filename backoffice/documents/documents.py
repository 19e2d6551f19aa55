"""The documents' shared addresses: `admin:documents_document_change` and
`_changelist` still answer, sending each document to its kind's page (other
apps and e-mails link through them), and the actions, files and billing pages
of any document live here, whatever its kind."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from backoffice.documents.billing import BillingPages
from backoffice.documents.confirm import ActionPages
from backoffice.documents.downloads import DownloadPages
from companies.admin_site import CompanyScopedAdmin, back_office
from documents.back_office import document_admin_url, kind_page
from documents.models import Document


def _with_query(url: str, request: HttpRequest, drop: tuple[str, ...] = ()) -> str:
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return f"{url}?{query.urlencode()}" if query else url


@admin.register(Document, site=back_office)
class DocumentAdmin(ActionPages, BillingPages, DownloadPages, CompanyScopedAdmin):
    """No page of its own: Invoices and Quotes are the lists."""

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}  # not listed on the index: Invoices and Quotes are

    def _may_see(self, request: HttpRequest) -> None:
        # A manager is refused here as on the pages these lead to.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        self._may_see(request)
        kind = request.GET.get("kind")
        url = reverse(f"admin:documents_{kind_page(kind or '')}_changelist")
        return HttpResponseRedirect(_with_query(url, request, drop=("kind",)))

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._may_see(request)
        url = reverse(f"admin:documents_{kind_page(request.GET.get('kind', ''))}_add")
        return HttpResponseRedirect(_with_query(url, request, drop=("kind",)))

    def _kind_page(self, request: HttpRequest, object_id: str, view: str) -> str:
        self._may_see(request)
        document = self.get_object(request, unquote(object_id))
        if document is None:
            # Unknown or another company's: the invoices' page answers as
            # Django does for any missing object, saying nothing more.
            return reverse(f"admin:documents_invoice_{view}", args=[object_id])
        return document_admin_url(document, view)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        url = self._kind_page(request, object_id, "change")
        return HttpResponseRedirect(_with_query(url, request))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(self._kind_page(request, object_id, "history"))

    def get_urls(self) -> list:
        def view(function: Any) -> Any:
            return self.admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/actions/<str:action_name>/",
                view(require_http_methods(["GET", "POST"])(self.document_action)),
                name="documents_document_action",
            ),
            path(
                "<path:object_id>/versions/<int:number>/pdf/",
                view(self.version_pdf),
                name="documents_document_version_pdf",
            ),
            path(
                "<path:object_id>/versions/<int:number>/pdf/retry/",
                view(require_POST(self.version_pdf_retry)),
                name="documents_document_version_pdf_retry",
            ),
            path(
                "<path:object_id>/signed-pdf/",
                view(self.signed_pdf),
                name="documents_document_signed_pdf",
            ),
            path(
                "<path:object_id>/versions/<int:number>/factur-x.xml",
                view(self.version_xml),
                name="documents_document_version_xml",
            ),
            path(
                "<path:object_id>/credit-note/",
                view(self.credit_note_issue),
                name="documents_document_credit_note",
            ),
            path(
                "<path:object_id>/deposit-invoice/",
                view(self.deposit_invoice_issue),
                name="documents_document_deposit_invoice",
            ),
            *super().get_urls(),
        ]

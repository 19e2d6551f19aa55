"""Back-office pages for quotes and invoices: content, actions, versions, history.

Every change goes through documents.services (and payments.services for "Mark
as paid"): the admin builds the service's arguments from the forms and turns
its refusals into messages.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from companies.admin_site import (
    CompanyScopedAdmin,
    adopt_saved,
    back_office,
    member_can_change,
    member_can_view,
)
from companies.middleware import active_company, member
from documents import downloads, services, status
from documents.admin import (
    home,  # noqa: F401  (registers the home section)
    viewing,
)
from documents.admin.actions import (
    DOCUMENT_ACTIONS,
    REFUSALS,
    DocumentAction,
    bulk_action,
)
from documents.admin.inlines import (
    ClientEmailInline,
    DocumentEventInline,
    DocumentLineInline,
    DocumentVersionInline,
    QuoteDeclineInline,
    QuoteSignatureInline,
    money_display,
)
from documents.forms import (
    CreditNoteForm,
    DepositInvoiceForm,
    DocumentForm,
    DocumentLineFormSet,
)
from documents.models import Document, QuoteSignature
from documents.pdf_store import version_pdf_retry


def _credit_note_explanation(invoice: Document) -> str:
    """What a credit note on this invoice may take, and what happens to money
    the client already paid."""
    currency = invoice.currency
    creditable = money_display(status.creditable_amount(invoice), currency)
    if invoice.is_deposit:
        return str(
            _(
                "A deposit invoice is credited whole only: %(amount)s. What the "
                "client paid of it is then owed back to the client."
            )
            % {"amount": creditable}
        )
    unpaid = money_display(max(invoice.amount_due, 0), currency)
    return str(
        _(
            "A credit note takes part of this invoice back, up to the %(creditable)s "
            "it still carries: the client owes that much less. Up to %(unpaid)s it "
            "takes what is still unpaid; beyond that it takes back what the client "
            "paid, which is then owed back to the client (refund it from the "
            "payment). To annul an invoice that holds no payment, use Cancel."
        )
        % {"creditable": creditable, "unpaid": unpaid}
    )


@admin.register(Document, site=back_office)
class DocumentAdmin(CompanyScopedAdmin):
    form = DocumentForm
    list_display = (
        "number_or_draft",
        "kind",
        "client",
        "status_shown",
        "total_with_currency",
        "issue_date",
        "deadline",
        "portal_visibility",
        "viewed",
    )
    list_display_links = ("number_or_draft",)
    list_filter = ("kind", "status", "hidden_from_portal")
    list_select_related = ("client",)
    search_fields = ("number", "client__name")
    ordering = ("-issue_date", "-pk")
    actions = [bulk_action(action) for action in DOCUMENT_ACTIONS.values()]

    class Media:
        css = {"all": ("admin_extra/back_office.css",)}
        js = ("admin_extra/confirm.js",)

    # The list.
    @admin.display(description=_("number"), ordering="number")
    def number_or_draft(self, document: Document) -> str:
        return document.number or str(_("Draft"))

    @admin.display(description=_("total"), ordering="total")
    def total_with_currency(self, document: Document) -> str:
        return money_display(document.total, document.currency)

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, document: Document) -> str:
        if status.is_processing(document):  # paid by a debit not yet confirmed
            return str(status.ClientStatus.PROCESSING.label)
        return document.get_status_display()

    @admin.display(description=_("due / valid until"))
    def deadline(self, document: Document) -> dt.date | None:
        return document.due_date or document.expiry_date

    @admin.display(description=_("client's portal"), ordering="hidden_from_portal")
    def portal_visibility(self, document: Document) -> str:
        if document.hidden_from_portal:
            return str(_("Hidden"))
        if document.is_draft:
            return str(_("Not yet (draft)"))
        return str(_("In portal"))

    @admin.display(description=_("quote / invoice"))
    def conversion_link(self, document: Document) -> str:
        """ "From quote Q-…" on an invoice, "Converted into invoice …" on a quote."""
        other: Document | None
        if document.source_quote is not None:
            other = document.source_quote
            label = str(_("From quote %(number)s") % {"number": other.number})
        else:
            # The reverse accessor reads through the document, already scoped.
            other = getattr(document, "converted_invoice", None)
            if other is None:
                return str(self.get_empty_value_display())
            label = str(
                _("Converted into invoice %(number)s") % {"number": other.number}
                if other.number
                else _("Converted into a draft invoice")
            )
        url = reverse("admin:documents_document_change", args=[other.pk])
        return format_html('<a href="{}" id="conversion-link">{}</a>', url, label)

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(**viewing.last_view_annotations())

    @admin.display(description=_("viewed"), ordering="last_viewed_at")
    def viewed(self, document: Document) -> str:
        return viewing.viewed_label(document)

    # The change page.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Paid, accepted, declined and canceled documents are kept as they are.
        return super().has_change_permission(request, obj) and (
            obj is None or status.is_editable(obj)
        )

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list:
        if obj is None:
            return list(DocumentForm.Meta.fields)
        if obj.kind == Document.Kind.QUOTE:
            specific = ["expiry_date", "requires_signature"]
        elif obj.kind == Document.Kind.CREDIT_NOTE:
            specific = ["credited_invoice"]
        else:
            specific = ["due_date"]
            if obj.deposit_quote_id is not None:
                specific += ["deposit_quote"]
        return [
            "number",
            "kind",
            "status_shown",
            "client",
            "currency",
            "issue_date",
            *specific,
            "operation_category",
            "vat_exemption",
            "notes",
            "total_with_currency",
            "credited_display",
            *(["balance_display"] if obj.kind == Document.Kind.INVOICE else []),
            "portal_visibility",
            "viewed",
            "conversion_link",
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Document | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        # Visibility is not a form field at all: it changes through Hide / Show,
        # which write the history. A finalised document keeps its client.
        fixed = (
            "number",
            "kind",
            "status_shown",
            "total_with_currency",
            "credited_display",
            "balance_display",
            "portal_visibility",
            "viewed",
            "conversion_link",
            "credited_invoice",
            "deposit_quote",
        )
        return fixed if obj.is_draft else (*fixed, "client")

    @admin.display(description=_("credited"))
    def credited_display(self, document: Document) -> str:
        return money_display(document.amount_credited, document.currency)

    @admin.display(description=_("balance"))
    def balance_display(self, document: Document) -> str:
        """What the invoice received, gave back and had credited, and what is
        left: to pay, or owed back to the client (refunded from its payment)."""
        currency = document.currency
        parts = [
            (label, money_display(amount, currency))
            for label, amount in (
                (_("paid"), document.amount_paid),
                (_("refunded"), document.amount_refunded),
                (_("credited"), document.amount_credited),
            )
            if amount
        ]
        owed_back = status.amount_owed_back(document)
        if owed_back:
            payments = reverse("admin:payments_payment_changelist")
            return format_html(
                '{} <strong id="owed-back">{}</strong> (<a href="{}?q={}">{}</a>)',
                format_html_join(" · ", "{}: {}", parts),
                _("%(amount)s owed back to the client")
                % {"amount": money_display(owed_back, currency)},
                payments,
                document.number or "",
                _("refund it from its payment"),
            )
        left = (_("left to pay"), money_display(document.amount_due, currency))
        return format_html_join(" · ", "{}: {}", [*parts, left])

    def get_inlines(self, request: HttpRequest, obj: Document | None) -> list:
        if obj is None:
            return [DocumentLineInline]
        evidence = (
            [QuoteSignatureInline, QuoteDeclineInline]
            if obj.kind == Document.Kind.QUOTE
            else []
        )
        return [
            DocumentLineInline,
            *evidence,
            DocumentVersionInline,
            ClientEmailInline,
            DocumentEventInline,
        ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {
            "currency": active_company(request).default_currency,
            "issue_date": timezone.localdate(),
            **super().get_changeform_initial_data(request),
        }

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Document | None = None,
    ) -> HttpResponse:
        if obj is not None and member_can_change(request):
            context["document_actions"] = [
                (
                    action,
                    reverse("admin:documents_document_action", args=[obj.pk, name]),
                )
                for name, action in DOCUMENT_ACTIONS.items()
                if action.offered(obj)
            ]
            context["document_links"] = [
                (label, reverse(f"admin:documents_document_{name}", args=[obj.pk]))
                for name, label, offered in (
                    ("credit_note", _("Issue a credit note"), status.is_creditable),
                    (
                        "deposit_invoice",
                        _("Issue a deposit invoice"),
                        status.is_depositable,
                    ),
                )
                if offered(obj)
            ]
        if obj is not None and not add:
            context["sending"] = viewing.sending_notices(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.DocumentError as exc:
            # The forms check everything they can see; this is what only the
            # service sees under its lock (e.g. the invoice was paid meanwhile).
            # The admin's transaction is rolled back: nothing was saved.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(
        self, request: HttpRequest, obj: Document, form: ModelForm, change: bool
    ) -> None:
        """Nothing here: the header is saved with its lines, in save_related."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        """Save header and lines in one service call, from the validated forms."""
        (lines,) = (
            formset.line_inputs
            for formset in formsets
            if isinstance(formset, DocumentLineFormSet)
        )
        header = {
            name: form.cleaned_data[name]
            for name in services.HEADER_FIELDS
            if name in form.cleaned_data
        }
        now, document = timezone.now(), form.instance
        if change:
            version = services.document_update(
                document=document,
                lines=lines,
                actor=member(request),
                now=now,
                client=form.cleaned_data.get("client"),
                **header,
            )
            adopt_saved(document, document)
            if version is not None:
                self.message_user(
                    request,
                    _("Saved as version %(number)s; the earlier versions are kept.")
                    % {"number": version.number},
                    messages.INFO,
                )
                if document.sent_at is not None:
                    # The client holds an earlier version: offer to send this one.
                    self.message_user(
                        request,
                        _(
                            "%(document)s was sent before: send version "
                            "%(number)s to the client with “Send again” on its page."
                        )
                        % {"document": document, "number": version.number},
                        messages.WARNING,
                    )
        else:
            created = services.document_create(
                company=active_company(request),
                client=form.cleaned_data["client"],
                kind=form.cleaned_data["kind"],
                lines=lines,
                actor=member(request),
                now=now,
                hidden_from_portal=form.cleaned_data["hidden_from_portal"],
                **header,
            )
            adopt_saved(document, created)

    def construct_change_message(
        self,
        request: HttpRequest,
        form: Any,
        formsets: Iterable[Any],
        add: bool = False,
    ) -> list[dict[str, dict[str, list[str]]]]:
        # The lines were never saved through their formset; versions and the
        # document's events record what changed in them.
        return construct_change_message(form, [], add)

    # Actions: buttons on the change page, and the same in bulk on the list.
    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/actions/<str:action_name>/",
                self.admin_site.admin_view(require_POST(self.document_action)),
                name="documents_document_action",
            ),
            path(
                "<path:object_id>/versions/<int:number>/pdf/",
                self.admin_site.admin_view(self.version_pdf),
                name="documents_document_version_pdf",
            ),
            path(
                "<path:object_id>/versions/<int:number>/pdf/retry/",
                self.admin_site.admin_view(require_POST(self.version_pdf_retry)),
                name="documents_document_version_pdf_retry",
            ),
            path(
                "<path:object_id>/signed-pdf/",
                self.admin_site.admin_view(self.signed_pdf),
                name="documents_document_signed_pdf",
            ),
            path(
                "<path:object_id>/versions/<int:number>/factur-x.xml",
                self.admin_site.admin_view(self.version_xml),
                name="documents_document_version_xml",
            ),
            path(
                "<path:object_id>/credit-note/",
                self.admin_site.admin_view(self.credit_note_issue),
                name="documents_document_credit_note",
            ),
            path(
                "<path:object_id>/deposit-invoice/",
                self.admin_site.admin_view(self.deposit_invoice_issue),
                name="documents_document_deposit_invoice",
            ),
            *super().get_urls(),
        ]

    def run_action(
        self,
        request: HttpRequest,
        action: DocumentAction,
        documents: Iterable[Document],
    ) -> list[Any]:
        now = timezone.now()
        results = []
        for document in documents:
            try:
                result = action.run(document, member(request), now)
            except REFUSALS as exc:
                self.message_user(
                    request,
                    _("%(document)s: %(reason)s")
                    % {"document": document, "reason": exc},
                    messages.ERROR,
                )
                continue
            results.append(result)
            if action.name != "delete_draft":  # gone: nothing to read back
                document.refresh_from_db(fields=["number"])  # finalising numbers it
            if result is False and action.unchanged is not None:
                self.message_user(
                    request, action.unchanged % {"document": document}, messages.WARNING
                )
            else:
                self.message_user(
                    request, action.done % {"document": document}, messages.SUCCESS
                )
        return results

    def document_action(
        self, request: HttpRequest, object_id: str, action_name: str
    ) -> HttpResponse:
        """One action on one document, from its change page (POST only)."""
        if not member_can_change(request):
            raise PermissionDenied
        action = DOCUMENT_ACTIONS.get(action_name)
        document = self.get_object(request, object_id)
        if action is None or document is None:
            raise Http404
        results = self.run_action(request, action, [document])
        if not self.get_queryset(request).filter(pk=document.pk).exists():
            # A deleted draft has no page left: back to the list.
            return HttpResponseRedirect(reverse("admin:documents_document_changelist"))
        if action.follow and results and isinstance(results[0], Document):
            document = results[0]  # e.g. the invoice a quote became
        return HttpResponseRedirect(
            reverse("admin:documents_document_change", args=[document.pk])
        )

    def version_pdf(
        self, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponseBase:
        """One version's PDF, for members who may see the document."""
        if not member_can_view(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404
        version = get_object_or_404(document.versions.all(), number=number)
        return downloads.version_pdf_response(request=request, version=version)

    def version_pdf_retry(
        self, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponse:
        """Print a version's PDF again after its renders failed (POST only)."""
        if not member_can_change(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404
        version = get_object_or_404(document.versions.all(), number=number)
        version_pdf_retry(version=version)
        self.message_user(
            request,
            _("The PDF of version %(number)s is being printed again.")
            % {"number": version.number},
            messages.INFO,
        )
        return HttpResponseRedirect(
            reverse("admin:documents_document_change", args=[document.pk])
        )

    def signed_pdf(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """A signed quote's sealed PDF, for members who may see the quote."""
        if not member_can_view(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404
        signature = get_object_or_404(
            QuoteSignature.objects.for_company(active_company(request)).select_related(
                "version"
            ),
            document=document,
        )
        return downloads.signed_pdf_response(request=request, signature=signature)

    def version_xml(
        self, request: HttpRequest, object_id: str, number: int
    ) -> HttpResponseBase:
        """One invoice or credit note version's Factur-X XML."""
        if not member_can_view(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404
        version = get_object_or_404(document.versions.all(), number=number)
        return downloads.version_xml_response(request=request, version=version)

    def _billing_page(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        form_class: type,
        offered: Any,
        title: str,
        explanation: Callable[[Document], str],
        submit_label: str,
        issue: Any,
    ) -> HttpResponse:
        """A form (GET), then one billing service (POST); the issued document's
        page follows, or the form again with the service's refusal."""
        if not member_can_change(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None or not offered(document):
            raise Http404
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                issued = issue(document, form.cleaned_data)
            except services.DocumentError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("%(document)s: issued.") % {"document": issued},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:documents_document_change", args=[issued.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "document": document,
            "form": form,
            "title": title,
            "explanation": explanation(document),
            "submit_label": submit_label,
        }
        return TemplateResponse(
            request, "admin/documents/document/billing_form.html", context
        )

    def credit_note_issue(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A partial credit note on an open invoice."""

        def issue(invoice: Document, data: dict) -> Document:
            return services.invoice_credit_partly(
                invoice=invoice,
                amount=data["amount"],
                reason=data["reason"],
                actor=member(request),
                now=timezone.now(),
            )

        return self._billing_page(
            request,
            object_id,
            form_class=CreditNoteForm,
            offered=status.is_creditable,
            title=str(_("Issue a credit note")),
            explanation=_credit_note_explanation,
            submit_label=str(_("Issue the credit note")),
            issue=issue,
        )

    def deposit_invoice_issue(
        self, request: HttpRequest, object_id: str
    ) -> HttpResponse:
        """A deposit invoice on an accepted quote."""

        def issue(quote: Document, data: dict) -> Document:
            return services.deposit_invoice_issue(
                quote=quote,
                percent=data["percent"],
                amount=data["amount"],
                due_date=data["due_date"],
                actor=member(request),
                now=timezone.now(),
            )

        return self._billing_page(
            request,
            object_id,
            form_class=DepositInvoiceForm,
            offered=status.is_depositable,
            title=str(_("Issue a deposit invoice")),
            explanation=lambda quote: str(
                _(
                    "The deposit invoice is finalised at once. The invoice the quote "
                    "becomes (Convert to invoice) deducts it."
                )
            ),
            submit_label=str(_("Issue the deposit invoice")),
            issue=issue,
        )

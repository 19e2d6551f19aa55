"""The Quotes pages: expiry and signature, answers, conversion and deposits."""

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backoffice.documents.base import DocumentKindAdmin
from backoffice.documents.inlines import QuoteDeclineInline, QuoteSignatureInline
from backoffice.documents.invoices import ClientStatusFilter
from companies.admin_site import back_office
from documents import status
from documents.models import Document, Quote


class QuoteStatusFilter(ClientStatusFilter):
    statuses = (status.ClientStatus.DRAFT, *status.CLIENT_STATUSES["quote"])


@admin.register(Quote, site=back_office)
class QuoteAdmin(DocumentKindAdmin):
    kind = Document.Kind.QUOTE
    kinds = (Document.Kind.QUOTE,)
    action_names = (
        "finalise",
        "finalise_and_send",
        "send",
        "show_and_send",
        "hide",
        "show",
        "mark_accepted",
        "mark_declined",
        "convert_to_invoice",
        "cancel",
        "delete_draft",
        "reminders_off",
        "reminders_on",
    )
    add_fields = (
        "client",
        "currency",
        "issue_date",
        "expiry_date",
        "requires_signature",
        "vat_exemption",
        "notes",
        "hidden_from_portal",
    )
    list_display = (
        "number_or_draft",
        "client",
        "status_shown",
        "total_with_currency",
        "issue_date_shown",
        "expiry_date_shown",
        "requires_signature",
        "portal_visibility",
        "viewed",
    )
    list_filter = (
        QuoteStatusFilter,
        "requires_signature",
        "issue_date",
        "hidden_from_portal",
    )

    def kind_fields(self, obj: Document) -> list[str]:
        return ["expiry_date", "requires_signature", "conversion_link"]

    def evidence_inlines(self, obj: Document) -> list:
        return [QuoteSignatureInline, QuoteDeclineInline]

    @admin.display(description=_("quote / invoice"))
    def conversion_link(self, document: Document) -> str:
        """ "Converted into invoice …" on a quote that became one."""
        # The reverse accessor reads through the document, already scoped.
        invoice = getattr(document, "converted_invoice", None)
        if invoice is None:
            return str(self.get_empty_value_display())
        label = (
            _("Converted into invoice %(number)s") % {"number": invoice.number}
            if invoice.number
            else _("Converted into a draft invoice")
        )
        url = reverse("admin:documents_invoice_change", args=[invoice.pk])
        return format_html('<a href="{}" id="conversion-link">{}</a>', url, label)

    def document_links(self, obj: Document) -> list[tuple[Any, str]]:
        if not status.is_depositable(obj):
            return []
        url = reverse("admin:documents_document_deposit_invoice", args=[obj.pk])
        return [(_("Issue a deposit invoice"), url)]

"""A document's lines, versions, history and a quote's evidence, shown on its
page."""

import base64
import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from companies.admin_site import CompanyScopedInline, ReadOnlyInline, member_can_change
from companies.money import format_day, format_money, round_money
from documents import status
from documents.forms import DocumentLineForm, DocumentLineFormSet
from documents.history import event_sentence
from documents.models import (
    ClientEmail,
    Document,
    DocumentEvent,
    DocumentLine,
    DocumentVersion,
    QuoteDecline,
    QuoteSignature,
)


def money_display(amount, currency: str) -> str:
    return format_money(
        amount, currency, translation.to_locale(translation.get_language())
    )


def day_display(day: dt.date | None) -> str:
    """27 nov. 2026 / Nov 27, 2026, as the portal writes dates; "—" for none."""
    if day is None:
        return "—"
    return format_day(day, translation.to_locale(translation.get_language()))


class DocumentLineInline(CompanyScopedInline):
    model = DocumentLine
    form = DocumentLineForm
    formset = DocumentLineFormSet
    template = "admin/documents/edit_inline/lines_tabular.html"
    fields = ("description", "quantity", "unit_price", "vat_rate", "line_total")
    readonly_fields = ("line_total",)
    ordering = ("position", "pk")

    @admin.display(description=_("total excl. VAT"))
    def line_total(self, line: DocumentLine) -> str:
        """The saved line's amount; admin_extra/live_totals.js follows the typing."""
        if line.quantity is None or line.unit_price is None or line.pk is None:
            return "—"
        currency = line.document.currency
        amount = round_money(line.quantity * line.unit_price, currency)
        return money_display(amount, currency)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("document")

    def get_extra(self, request: HttpRequest, obj: Document | None = None, **kwargs):
        return 3 if obj is None else 1

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An issued invoice's lines are its fiscal content: shown, never changed.
        return member_can_change(request) and (
            obj is None
            or (status.is_editable(obj) and not status.is_fiscally_frozen(obj))
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    # Display columns, not the model's fields: their headers are translated
    # (the frozen version's fields carry no verbose names of their own).
    fields = ("version_number", "made_at", "made_by", "version_total", "pdf_link")
    readonly_fields = fields
    ordering = ("number",)
    verbose_name_plural = _("versions")

    @admin.display(description=_("version"))
    def version_number(self, version: DocumentVersion) -> int:
        return version.number

    @admin.display(description=_("made at"))
    def made_at(self, version: DocumentVersion) -> str:
        return formats.date_format(
            timezone.localtime(version.created_at), "DATETIME_FORMAT"
        )

    @admin.display(description=_("by"))
    def made_by(self, version: DocumentVersion) -> str:
        return str(version.created_by or _("the system"))

    @admin.display(description=_("total"))
    def version_total(self, version: DocumentVersion) -> str:
        return money_display(version.total, version.content["currency"])

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("pdf_render")

    @admin.display(description=_("PDF"))
    def pdf_link(self, version: DocumentVersion) -> str:
        args = [version.document_id, version.number]
        if version.pdf_sha256:
            url = reverse("admin:documents_document_version_pdf", args=args)
            if version.content["kind"] == Document.Kind.QUOTE:
                return format_html('<a href="{}">{}</a>', url, _("Download PDF"))
            xml_url = reverse("admin:documents_document_version_xml", args=args)
            return format_html(
                '<a href="{}">{}</a> · <a href="{}">{}</a>',
                url,
                _("Download PDF"),
                xml_url,
                _("Factur-X XML"),
            )
        render = getattr(version, "pdf_render", None)
        if render is None or render.failed_at is None:
            return str(_("Being prepared"))
        # A button of the page's own form, posted to the retry address.
        url = reverse("admin:documents_document_version_pdf_retry", args=args)
        return format_html(
            '<span class="pdf-failed">{}</span> '
            '<button type="submit" class="button" formaction="{}" '
            'formmethod="post" formnovalidate>{}</button>',
            _("Printing failed %(attempts)s times: %(error)s")
            % {"attempts": render.attempts, "error": render.last_error},
            url,
            _("Try again"),
        )


class DocumentEventInline(ReadOnlyInline):
    """The document's history, one sentence per event (never its raw details)."""

    model = DocumentEvent
    fields = ("when", "what_happened", "version_number")
    readonly_fields = fields
    ordering = ("at", "pk")
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version", "document")

    @admin.display(description=_("when"))
    def when(self, event: DocumentEvent) -> str:
        return formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT")

    @admin.display(description=_("what happened"))
    def what_happened(self, event: DocumentEvent) -> str:
        return event_sentence(event)

    @admin.display(description=_("version"))
    def version_number(self, event: DocumentEvent) -> int | str:
        return event.version.number if event.version else self.get_empty_value_display()


class QuoteSignatureInline(ReadOnlyInline):
    """The client's signature or online acceptance: the evidence, read-only."""

    model = QuoteSignature
    template = "admin/edit_inline/stacked.html"
    fields = (
        "method",
        "signer_name",
        "signer_email",
        "signed_at",
        "signed_version",
        "version_pdf_sha256",
        "consent_text",
        "signature_shown",
        "ip_address",
        "user_agent",
        "language",
        "pdf_links",
        "signed_pdf_sha256",
    )
    readonly_fields = fields
    verbose_name = _("signature (evidence)")
    verbose_name_plural = _("signature (evidence)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version")

    @admin.display(description=_("version signed"))
    def signed_version(self, signature: QuoteSignature) -> int:
        return signature.version.number

    @admin.display(description=_("signature"))
    def signature_shown(self, signature: QuoteSignature) -> str:
        if signature.signature_png:
            data = base64.b64encode(bytes(signature.signature_png)).decode("ascii")
            return format_html(
                '<img class="signature-evidence" src="data:image/png;base64,{}" '
                'alt="{}">',
                data,
                _("Signature drawn by %(name)s") % {"name": signature.signer_name},
            )
        if signature.typed_name:
            return format_html(
                "<em>{}</em> ({})", signature.typed_name, _("typed name")
            )
        return str(_("None required: accepted online"))

    @admin.display(description=_("PDF"))
    def pdf_links(self, signature: QuoteSignature) -> str:
        original = reverse(
            "admin:documents_document_version_pdf",
            args=[signature.document_id, signature.version.number],
        )
        signed = reverse(
            "admin:documents_document_signed_pdf", args=[signature.document_id]
        )
        return format_html(
            '<a href="{}" id="evidence-original-pdf">{}</a> · '
            '<a href="{}" id="evidence-signed-pdf">{}</a>',
            original,
            _("Original PDF (as signed)"),
            signed,
            _("Signed PDF (certificate page and seal)"),
        )


class QuoteDeclineInline(ReadOnlyInline):
    """The client's refusal from the portal, read-only."""

    model = QuoteDecline
    template = "admin/edit_inline/stacked.html"
    fields = (
        "declined_at",
        "reason",
        "declined_version",
        "version_pdf_sha256",
        "ip_address",
        "user_agent",
        "language",
    )
    readonly_fields = fields
    verbose_name = _("decline (evidence)")
    verbose_name_plural = _("decline (evidence)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version")

    @admin.display(description=_("version declined"))
    def declined_version(self, decline: QuoteDecline) -> int:
        return decline.version.number


class ClientEmailInline(ReadOnlyInline):
    """Every e-mail about this document: sent, being sent, or failed."""

    model = ClientEmail
    fk_name = "document"
    fields = (
        "requested_at",
        "kind",
        "version_number",
        "to",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields
    ordering = ("-requested_at", "-pk")
    verbose_name_plural = _("e-mails to the client")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version")

    @admin.display(description=_("version"))
    def version_number(self, email: ClientEmail) -> int | str:
        return email.version.number if email.version else self.get_empty_value_display()

    @admin.display(description=_("to"))
    def to(self, email: ClientEmail) -> str:
        return ", ".join(str(address) for address in email.recipients)

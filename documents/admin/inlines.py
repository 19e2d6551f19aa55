"""A document's lines, versions and history, shown on its page."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from companies.admin_site import CompanyScopedInline, ReadOnlyInline, member_can_change
from companies.money import format_money
from documents import status
from documents.forms import DocumentLineForm, DocumentLineFormSet
from documents.models import Document, DocumentEvent, DocumentLine, DocumentVersion


def money_display(amount, currency: str) -> str:
    return format_money(
        amount, currency, translation.to_locale(translation.get_language())
    )


class DocumentLineInline(CompanyScopedInline):
    model = DocumentLine
    form = DocumentLineForm
    formset = DocumentLineFormSet
    fields = ("description", "quantity", "unit_price", "vat_rate")
    ordering = ("position", "pk")

    def get_extra(self, request: HttpRequest, obj: Document | None = None, **kwargs):
        return 3 if obj is None else 1

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_can_change(request) and (obj is None or status.is_editable(obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    fields = ("number", "created_at", "created_by", "version_total", "pdf_link")
    readonly_fields = fields
    ordering = ("number",)
    verbose_name_plural = _("versions")

    @admin.display(description=_("total"))
    def version_total(self, version: DocumentVersion) -> str:
        return money_display(version.total, version.content["currency"])

    @admin.display(description=_("PDF"))
    def pdf_link(self, version: DocumentVersion) -> str:
        url = reverse(
            "admin:documents_document_version_pdf",
            args=[version.document_id, version.number],
        )
        return format_html('<a href="{}">{}</a>', url, _("Download PDF"))


class DocumentEventInline(ReadOnlyInline):
    model = DocumentEvent
    fields = ("at", "kind", "actor_name", "version_number", "details")
    readonly_fields = fields
    ordering = ("at", "pk")
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version")

    @admin.display(description=_("version"))
    def version_number(self, event: DocumentEvent) -> int | str:
        return event.version.number if event.version else self.get_empty_value_display()

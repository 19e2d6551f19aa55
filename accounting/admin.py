"""The back office's Accounting page: the accountant's export (owners, admins
and reporting) and the accounts it writes to (owners and admins change them)."""

import tempfile
from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounting import services
from accounting.export import accounting_export
from accounting.forms import ExportForm
from accounting.models import AccountingSettings
from accounting.selectors import accounts_for
from companies.admin_site import CompanyScopedAdmin, back_office, member_can_change
from companies.middleware import active_company, member

# The archive is spooled in memory up to this size, then on disk.
SPOOL_BYTES = 8 * 1024 * 1024


@admin.register(AccountingSettings, site=back_office)
class AccountingSettingsAdmin(CompanyScopedAdmin):
    fields = (
        "customer_account",
        "sales_account",
        "vat_account",
        "bank_account",
        "sales_journal",
        "bank_journal",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # One row per company: added once, then changed.
        return (
            super().has_add_permission(request, obj)
            and not self.company_rows(request).exists()
        )

    def get_urls(self) -> list:
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.accounting_export),
                name="accounting_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        """The export's form and the accounts it writes to."""
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # its 403
        today = timezone.localdate()
        form = ExportForm(
            initial={"start": today.replace(month=1, day=1), "end": today}
        )
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: ExportForm) -> TemplateResponse:
        company = active_company(request)
        saved = self.company_rows(request).first()
        edit_url = ""
        if member_can_change(request):
            edit_url = (
                reverse("admin:accounting_accountingsettings_change", args=[saved.pk])
                if saved is not None
                else reverse("admin:accounting_accountingsettings_add")
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Accountant's export"),
            "form": form,
            "accounts": accounts_for(company=company),
            "edit_url": edit_url,
            "export_url": reverse("admin:accounting_export"),
        }
        return TemplateResponse(request, "admin/accounting/export.html", context)

    def accounting_export(self, request: HttpRequest) -> HttpResponse | FileResponse:
        """The ZIP for the period asked (GET: reading only), or the form with
        what is wrong."""
        if not self.has_view_permission(request):
            return super().changelist_view(request)  # its 403
        form = ExportForm(request.GET)
        if not form.is_valid():
            return self._page(request, form)
        company = active_company(request)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        # Spooled to disk past a few megabytes, then streamed in blocks.
        archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        accounting_export(company=company, start=start, end=end, target=archive)
        archive.seek(0)
        name = f"export-{start:%Y%m%d}-{end:%Y%m%d}.zip"
        return FileResponse(
            archive,
            as_attachment=True,
            filename=name,
            content_type="application/zip",
        )

    def save_model(
        self,
        request: HttpRequest,
        obj: AccountingSettings,
        form: ModelForm,
        change: bool,
    ) -> None:
        saved = services.accounting_settings_save(
            company=active_company(request),
            actor=member(request),
            now=timezone.now(),
            **{name: form.cleaned_data[name] for name in self.fields},
        )
        obj.pk = saved.pk

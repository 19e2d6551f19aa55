"""One bank transfer paying several invoices: the reference the bank line
shows, the invoices it pays, and "Record this transfer" (a payment per
invoice) or "Not received", once, by owners and admins."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from companies.admin_display import day_column, moment_column, money_column, money_text
from companies.admin_site import CompanyScopedAdmin, back_office, member_can_change
from companies.middleware import member
from companies.references import grouped
from payments import services
from payments.models import TransferBatch

LIST_URL = "admin:payments_transferbatch_changelist"


class BatchStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("declared", _("Declared, waiting")),
            ("asked", _("Details asked, not declared")),
            ("recorded", _("Recorded")),
            ("rejected", _("Not received")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        waiting = queryset.filter(recorded_at__isnull=True, rejected_at__isnull=True)
        if self.value() == "declared":
            return waiting.filter(declared_at__isnull=False)
        if self.value() == "asked":
            return waiting.filter(declared_at__isnull=True)
        if self.value() == "recorded":
            return queryset.filter(recorded_at__isnull=False)
        if self.value() == "rejected":
            return queryset.filter(rejected_at__isnull=False)
        return queryset


@admin.register(TransferBatch, site=back_office)
class TransferBatchAdmin(CompanyScopedAdmin):
    """Transfers paying several invoices: match the bank line by its reference,
    then record it once."""

    list_display = (
        "payment_reference",
        "client_name",
        "amount_with_currency",
        "invoices",
        "declared",
        "paid_on",
        "state",
    )
    list_select_related = ("client",)
    list_filter = (BatchStateFilter,)
    # The reference as the bank line prints it (RF47PAY…), or any part of it.
    search_fields = ("reference", "client__name", "lines__invoice__number")
    ordering = ("-opened_at", "-pk")
    fields = (
        "payment_reference",
        "client_name",
        "amount_with_currency",
        "invoices",
        "opened",
        "declared",
        "paid_on",
        "state",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description=_("payment reference"), ordering="reference")
    def payment_reference(self, batch: TransferBatch) -> str:
        return grouped(batch.reference)

    @admin.display(description=_("client"), ordering="client__name")
    def client_name(self, batch: TransferBatch) -> str:
        return batch.client.name

    amount_with_currency = money_column("amount", description=_("amount"))
    opened = moment_column("opened_at", description=_("asked at"))
    declared = moment_column("declared_at", description=_("declared at"))
    paid_on = day_column("paid_on_date", description=_("paid on (says the client)"))

    @admin.display(description=_("invoices"))
    def invoices(self, batch: TransferBatch) -> str:
        return ", ".join(
            f"{line.invoice.number} ({money_text(line.amount, batch.currency)})"
            for line in sorted(
                batch.lines.all(), key=lambda line: line.invoice.number or ""
            )
        )

    @admin.display(description=_("payment"))
    def state(self, batch: TransferBatch) -> str:
        if batch.recorded_at is not None:
            return str(_("Recorded"))
        if batch.rejected_at is not None:
            return str(_("Not received"))
        if batch.declared_at is not None:
            return str(_("Waiting"))
        return str(_("Not declared"))

    @admin.display(description=_("payment"))
    def record(self, batch: TransferBatch) -> str:
        if batch.recorded_at is not None or batch.rejected_at is not None:
            return self.state(batch)
        record = reverse("admin:payments_transferbatch_record", args=[batch.pk])
        reject = reverse("admin:payments_transferbatch_reject", args=[batch.pk])
        # Submit buttons of the list's own form (it carries the CSRF token),
        # sent to this batch's URLs: one click, no nested form.
        return format_html(
            '<button type="submit" class="button" formaction="{}" '
            'formmethod="post" id="record-batch-{}">{}</button> '
            '<button type="submit" class="button" formaction="{}" '
            'formmethod="post" id="reject-batch-{}">{}</button>',
            record,
            batch.pk,
            _("Record this transfer"),
            reject,
            batch.pk,
            _("Not received"),
        )

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("lines__invoice")

    def get_list_display(self, request: HttpRequest) -> Any:
        if member_can_change(request):
            return (*self.list_display[:-1], "record")
        return self.list_display

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if "state" not in request.GET and "q" not in request.GET:
            query = request.GET.copy()
            query["state"] = "declared"
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/record/",
                self.admin_site.admin_view(require_POST(self.batch_record)),
                name="payments_transferbatch_record",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(require_POST(self.batch_reject)),
                name="payments_transferbatch_reject",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request: HttpRequest, object_id: str) -> TransferBatch:
        if not member_can_change(request):
            raise PermissionDenied
        batch = self.get_object(request, object_id)
        if batch is None:
            raise Http404
        return batch

    def batch_record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the transfer as received: a payment per invoice (POST only)."""
        batch = self._batch(request, object_id)
        reference = grouped(batch.reference)
        try:
            recorded = services.transfer_batch_record(
                batch=batch, actor=member(request), now=timezone.now()
            )
        except services.PaymentRefused as exc:
            self.message_user(
                request,
                _("%(reference)s: %(reason)s")
                % {"reference": reference, "reason": exc},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("%(reference)s: received by transfer, recorded on %(invoices)s.")
                % {
                    "reference": reference,
                    "invoices": ", ".join(
                        f"{payment.invoice.number} "
                        f"({money_text(payment.amount, payment.currency)})"
                        for payment in recorded.payments
                    ),
                },
                messages.SUCCESS,
            )
            for invoice, overpaid in recorded.overpaid:
                self.message_user(
                    request,
                    _(
                        "%(invoice)s was paid otherwise meanwhile: %(overpaid)s of "
                        "this transfer is more than it still asked, kept as an "
                        "overpayment to refund (see Overpayments)."
                    )
                    % {
                        "invoice": invoice.number,
                        "overpaid": money_text(overpaid, batch.currency),
                    },
                    messages.WARNING,
                )
        return HttpResponseRedirect(reverse(LIST_URL) + "?state=declared")

    def batch_reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The transfer never arrived (POST only)."""
        batch = self._batch(request, object_id)
        reference = grouped(batch.reference)
        try:
            services.transfer_batch_reject(
                batch=batch, actor=member(request), now=timezone.now()
            )
        except services.PaymentRefused as exc:
            self.message_user(
                request,
                _("%(reference)s: %(reason)s")
                % {"reference": reference, "reason": exc},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("%(reference)s: the transfer is marked as not received.")
                % {"reference": reference},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse(LIST_URL) + "?state=declared")

"""One bank transfer paying several invoices: the reference the bank line
shows, the invoices it pays, and "Record this transfer" (a payment per
invoice) or "Not received", once, by owners and admins."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from companies.admin_display import day_column, moment_column, money_column, money_text
from companies.admin_site import back_office
from companies.middleware import member
from companies.references import grouped
from payments import services
from payments.admin.answering import AnsweredFromTheList
from payments.models import TransferBatch


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
class TransferBatchAdmin(AnsweredFromTheList):
    """Transfers paying several invoices: match the bank line by its reference,
    then record it once."""

    url_prefix = "payments_transferbatch"
    waiting_state = "declared"
    record_label = _("Record this transfer")
    button_id_prefix = "batch-"

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
        return self.answer_buttons(batch)

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("lines__invoice")

    def record_consequences(self, batch: TransferBatch) -> list[str]:
        lines = sorted(batch.lines.all(), key=lambda line: line.invoice.number or "")
        return [
            gettext(
                "%(amount)s received by one transfer, reference %(reference)s, is "
                "recorded on each invoice it pays:"
            )
            % {
                "amount": money_text(batch.amount, batch.currency),
                "reference": grouped(batch.reference),
            },
            *(
                f"{line.invoice.number}: {money_text(line.amount, batch.currency)}"
                for line in lines
            ),
            gettext(
                "The client gets a receipt for each by e-mail. What an invoice paid "
                "otherwise meanwhile no longer asks is kept as an overpayment to "
                "refund."
            ),
        ]

    def reject_consequences(self, batch: TransferBatch) -> list[str]:
        return [
            gettext(
                "The transfer %(reference)s is marked as not received: its invoices "
                "show as to pay again, and the client may choose them again."
            )
            % {"reference": grouped(batch.reference)}
        ]

    def answer_record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the transfer as received: a payment per invoice (POST only)."""
        batch = self.answered(request, object_id)
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
        return self.waiting_list()

    def answer_reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The transfer never arrived (POST only)."""
        batch = self.answered(request, object_id)
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
        return self.waiting_list()

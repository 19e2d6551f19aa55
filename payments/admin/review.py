"""What to look into: Stripe events not applied, and transfers clients say
they made (recorded in one click by owners and admins)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from companies.admin_display import day_column, moment_column, money_column, money_text
from companies.admin_site import CompanyScopedAdmin, back_office
from companies.middleware import member
from companies.references import grouped
from documents import status
from payments import services
from payments.admin.answering import AnsweredFromTheList
from payments.models import Discrepancy, TransferDeclaration

# Why a Stripe event was not applied, for people.
DISCREPANCY_REASONS = {
    "account_mismatch": _("Sent by another Stripe account than the company's"),
    "currency_mismatch": _("Not in the currency asked"),
    "amount_mismatch": _("Not the amount asked"),
    "session_mismatch": _("Names another invoice than the payment page opened for"),
    "unknown_session": _("A payment page we did not open"),
    "unknown_payment": _("A refund of a payment we do not know"),
    "no_payment_intent": _("Paid, but names no payment"),
    "not_paid": _("Says confirmed, but is not paid"),
    "no_charge": _("A refund naming no charge"),
    "intent_of_another_invoice": _("A payment already recorded on another invoice"),
    "refund_above_payment": _("Says more was refunded than was paid"),
    "capture_above_amount": _("Says more was captured than was charged"),
    "malformed_id": _("Names an identifier Stripe never sends (too long or garbled)"),
    "refused_by_database": _(
        "Could not be recorded as it is: kept as received, nothing applied"
    ),
}


@admin.register(Discrepancy, site=back_office)
class DiscrepancyAdmin(CompanyScopedAdmin):
    """Stripe events stored but not applied: something to look into."""

    list_display = ("received", "type", "why", "invoice", "account_id")
    list_select_related = ("invoice",)
    list_filter = ("type", "reason")
    search_fields = ("event_id", "account_id", "invoice__number")
    ordering = ("-received_at", "-pk")
    fields = (
        "received",
        "event_id",
        "type",
        "why",
        "account_id",
        "invoice",
        "payload",
    )
    readonly_fields = fields

    received = moment_column("received_at", description=_("received at"))

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(outcome=Discrepancy.Outcome.DISCREPANCY)

    @admin.display(description=_("why it was not applied"), ordering="reason")
    def why(self, event: Discrepancy) -> str:
        return str(DISCREPANCY_REASONS.get(event.reason, event.reason))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeclarationStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("waiting", _("Waiting")),
            ("recorded", _("Recorded")),
            ("rejected", _("Not received")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "waiting":
            return queryset.filter(payment__isnull=True, rejected_at__isnull=True)
        if self.value() == "recorded":
            return queryset.filter(payment__isnull=False)
        if self.value() == "rejected":
            return queryset.filter(rejected_at__isnull=False)
        return queryset


@admin.register(TransferDeclaration, site=back_office)
class TransferDeclarationAdmin(AnsweredFromTheList):
    """Invoices the client says it paid by transfer, with "Record this payment"."""

    url_prefix = "payments_transferdeclaration"
    waiting_state = "waiting"
    record_label = _("Record this payment")

    list_display = (
        "declared",
        "invoice",
        "client_name",
        "amount_with_currency",
        "paid_on",
        "state",
    )
    list_select_related = ("invoice", "invoice__client", "payment", "batch")
    list_filter = (DeclarationStateFilter,)
    search_fields = ("invoice__number", "invoice__client__name")
    ordering = ("-declared_at", "-pk")
    fields = (
        "invoice",
        "client_name",
        "amount_with_currency",
        "paid_on",
        "declared",
        "payment",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description=_("client"))
    def client_name(self, declaration: TransferDeclaration) -> str:
        return declaration.invoice.client.name

    declared = moment_column("declared_at", description=_("declared at"))
    paid_on = day_column("paid_on_date", description=_("paid on (says the client)"))
    amount_with_currency = money_column(
        "amount", currency="invoice__currency", description=_("amount due then")
    )

    @admin.display(description=_("payment"))
    def state(self, declaration: TransferDeclaration) -> str:
        if declaration.payment_id is not None:
            return str(_("Recorded"))
        if declaration.rejected_at is not None:
            return str(_("Not received"))
        if not status.is_payable(declaration.invoice):
            return str(_("Nothing left to pay"))
        return str(_("Waiting"))

    @admin.display(description=_("payment"))
    def record(self, declaration: TransferDeclaration) -> str:
        batch = declaration.batch
        if batch is not None and declaration.payment_id is None:
            # One transfer for several invoices: answered once, on its page.
            return format_html(
                '<a href="{}?q={}">{}</a>',
                reverse("admin:payments_transferbatch_changelist"),
                batch.reference,
                _("Paid with others: %(reference)s")
                % {"reference": grouped(batch.reference)},
            )
        if (
            declaration.payment_id is not None
            or declaration.rejected_at is not None
            or not status.is_payable(declaration.invoice)
        ):
            return self.state(declaration)
        return self.answer_buttons(declaration)

    def record_consequences(self, declaration: TransferDeclaration) -> list[str]:
        return [
            gettext(
                "%(amount)s received by transfer is recorded on invoice "
                "%(invoice)s, and the client gets its receipt by e-mail."
            )
            % {
                "amount": money_text(declaration.amount, declaration.invoice.currency),
                "invoice": declaration.invoice.number,
            }
        ]

    def reject_consequences(self, declaration: TransferDeclaration) -> list[str]:
        return [
            gettext(
                "The transfer the client declared for invoice %(invoice)s is marked "
                "as not received: the invoice shows as to pay again."
            )
            % {"invoice": declaration.invoice.number}
        ]

    def answer_record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the declared transfer as received (POST only)."""
        declaration = self.answered(request, object_id)
        try:
            payment = services.transfer_declaration_record(
                declaration=declaration, actor=member(request), now=timezone.now()
            )
        except services.PaymentRefused as exc:
            self.message_user(
                request,
                _("%(invoice)s: %(reason)s")
                % {"invoice": declaration.invoice, "reason": exc},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("%(invoice)s: %(amount)s received by transfer, recorded.")
                % {
                    "invoice": declaration.invoice,
                    "amount": money_text(payment.amount, payment.currency),
                },
                messages.SUCCESS,
            )
        return self.waiting_list()

    def answer_reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The declared transfer never arrived (POST only)."""
        declaration = self.answered(request, object_id)
        try:
            services.transfer_declaration_reject(
                declaration=declaration, actor=member(request), now=timezone.now()
            )
        except services.PaymentRefused as exc:
            self.message_user(
                request,
                _("%(invoice)s: %(reason)s")
                % {"invoice": declaration.invoice, "reason": exc},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("%(invoice)s: the declared transfer is marked as not received.")
                % {"invoice": declaration.invoice},
                messages.SUCCESS,
            )
        return self.waiting_list()

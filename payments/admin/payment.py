"""Payments and refunds: what came in and what went back.

Owners and admins record payments and refunds by hand; reporting members read
them; managers get 403 (RoleRights). Every change goes through payments.services.
Amounts and moments show in the member's language (companies.admin_display).
"""

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.admin_display import moment_column, money_column, money_text
from companies.admin_site import (
    CompanyScopedAdmin,
    ReadOnlyInline,
    adopt_saved,
    back_office,
    member_can_change,
)
from companies.middleware import active_company, member
from documents import status
from documents.models import Document
from payments import services
from payments.forms import PaymentRecordForm, RefundForm
from payments.models import Overpayment, Payment, Refund


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("refunded", "amount_shown", "provider_reference", "recorded_by", "note")
    readonly_fields = fields
    verbose_name_plural = _("refunds")

    refunded = moment_column("refunded_at", description=_("refunded at"))
    amount_shown = money_column("amount", description=_("amount"))


class OverpaidFilter(admin.SimpleListFilter):
    title = _("overpayment")
    parameter_name = "overpaid"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [("yes", _("Overpaid")), ("no", _("Not overpaid"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(overpaid_amount__gt=0)
        if self.value() == "no":
            return queryset.filter(overpaid_amount=0)
        return queryset


@admin.register(Payment, site=back_office)
class PaymentAdmin(CompanyScopedAdmin):
    """Payments: by card (from Stripe), by transfer or recorded by hand."""

    list_display: tuple[str, ...] = (
        "received",
        "invoice",
        "amount_with_currency",
        "method",
        "status",
        "overpaid",
        "refunded",
    )
    list_filter = ("method", "status", OverpaidFilter)
    # By year and month: the home page's "Received in …" lands on its month.
    date_hierarchy = "received_at"
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "provider_reference")
    ordering = ("-received_at", "-pk")
    readonly_fields = (
        "invoice",
        "amount_with_currency",
        "method",
        "status",
        "received",
        "overpaid",
        "refunded",
        "provider_reference",
        "checkout_session_id",
        "note",
        "recorded_by",
    )
    inlines = [RefundInline]

    received = moment_column("received_at", description=_("received at"))
    amount_with_currency = money_column("amount", description=_("amount"))
    overpaid = money_column(
        "overpaid_amount", description=_("overpaid"), blank_when_zero=True
    )
    refunded = money_column(
        "amount_refunded", description=_("refunded"), blank_when_zero=True
    )

    # Recording a payment by hand: the add page.
    def get_fields(self, request: HttpRequest, obj: Payment | None = None) -> Any:
        if obj is None:
            return [*PaymentRecordForm.Meta.fields, "allow_overpayment"]
        return self.readonly_fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: Payment | None = None
    ) -> Any:
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Payment | None) -> list:
        return [] if obj is None else [RefundInline]

    def get_form(
        self,
        request: HttpRequest,
        obj: Any | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        open_invoices = (
            Document.objects.for_company(active_company(request))
            .filter(kind=Document.Kind.INVOICE, status__in=status.OPEN_INVOICE_STATUSES)
            .order_by("-issue_date", "-pk")
        )

        class Form(PaymentRecordForm):
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, open_invoices=open_invoices, **form_kwargs)

        return Form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a payment is never edited; it is refunded

    def save_model(
        self, request: HttpRequest, obj: Payment, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        received_at = timezone.make_aware(
            dt.datetime.combine(data["received_on"], dt.time(12))
        )
        payment = services.payment_record(
            invoice=data["invoice"],
            amount=data["amount"],
            method=data["method"],
            actor=member(request),
            now=timezone.now(),
            received_at=received_at,
            note=data["note"],
            allow_overpayment=data["allow_overpayment"],
        )
        adopt_saved(obj, payment)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Payment | None = None,
    ) -> HttpResponse:
        if (
            obj is not None
            and member_can_change(request)
            and obj.status == Payment.Status.SUCCEEDED
            and obj.refundable_amount > 0
        ):
            context["refund_url"] = reverse(
                "admin:payments_payment_refund", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Refunding.
    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/refund/",
                self.admin_site.admin_view(self.payment_refund),
                name="payments_payment_refund",
            ),
            *super().get_urls(),
        ]

    def payment_refund(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask how much (GET), then refund it: through Stripe for a card (POST)."""
        if not member_can_change(request):
            raise PermissionDenied
        payment = self.get_object(request, object_id)
        if payment is None:
            raise Http404
        form = RefundForm(request.POST or None, payment=payment)
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_refund(
                    payment=payment,
                    amount=form.cleaned_data["amount"],
                    actor=member(request),
                    now=timezone.now(),
                    note=form.cleaned_data["note"],
                )
            except services.RefundRefused as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("%(amount)s refunded on %(invoice)s.")
                    % {
                        "amount": money_text(
                            form.cleaned_data["amount"], payment.currency
                        ),
                        "invoice": payment.invoice,
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:payments_payment_change", args=[payment.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund a payment on %(invoice)s")
            % {"invoice": payment.invoice},
            "opts": self.opts,
            "payment": payment,
            "form": form,
            "by_stripe": payment.method == Payment.Method.CARD,
        }
        return TemplateResponse(request, "admin/payments/payment_refund.html", context)


@admin.register(Refund, site=back_office)
class RefundAdmin(CompanyScopedAdmin):
    """Refunds: made from a payment's page, or by Stripe; read here."""

    list_display = ("refunded", "invoice", "amount_with_currency", "payment_method")
    list_select_related = ("invoice", "payment")
    search_fields = ("invoice__number",)
    ordering = ("-refunded_at", "-pk")
    fields = (
        "invoice",
        "payment",
        "amount_with_currency",
        "refunded",
        "provider_reference",
        "recorded_by",
        "note",
    )
    readonly_fields = fields

    refunded = moment_column("refunded_at", description=_("refunded at"))
    amount_with_currency = money_column("amount", description=_("amount"))

    @admin.display(description=_("method"))
    def payment_method(self, refund: Refund) -> str:
        return refund.payment.get_method_display()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Overpayment, site=back_office)
class OverpaymentAdmin(PaymentAdmin):
    """Money received above what the invoice asked for: refund or settle it."""

    list_display = (
        "received",
        "invoice",
        "amount_with_currency",
        "overpaid",
        "refunded",
        "method",
    )

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ("method",)

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(overpaid_amount__gt=0)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        # The refund page is the payment's own (PaymentAdmin's), not a second one.
        return super(PaymentAdmin, self).get_urls()

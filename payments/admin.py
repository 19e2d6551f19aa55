"""Back-office pages for payments: what came in, what went back, what to review,
and the company's Stripe connection.

Owners and admins record payments and refunds by hand, record declared
transfers in one click and connect Stripe; reporting members read everything
and change nothing; managers get 403 everywhere (RoleRights). Every change goes
through payments.services.
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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from companies.admin_site import (
    CompanyScopedAdmin,
    ReadOnlyInline,
    adopt_saved,
    back_office,
    member_can_change,
    member_can_view,
)
from companies.middleware import active_company, member
from documents import status
from documents.admin.inlines import money_display
from documents.models import Document
from payments import services, stripe_gateway
from payments.forms import PaymentRecordForm, RefundForm
from payments.models import (
    Discrepancy,
    Overpayment,
    Payment,
    Refund,
    StripeAccount,
    TransferDeclaration,
)

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
}


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("refunded_at", "amount", "provider_reference", "recorded_by", "note")
    readonly_fields = fields
    verbose_name_plural = _("refunds")


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
        "received_at",
        "invoice",
        "amount_with_currency",
        "method",
        "status",
        "overpaid",
        "refunded",
    )
    list_filter = ("method", "status", OverpaidFilter)
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "provider_reference")
    ordering = ("-received_at", "-pk")
    readonly_fields = (
        "invoice",
        "amount_with_currency",
        "method",
        "status",
        "received_at",
        "overpaid",
        "refunded",
        "provider_reference",
        "checkout_session_id",
        "note",
        "recorded_by",
    )
    inlines = [RefundInline]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_with_currency(self, payment: Payment) -> str:
        return money_display(payment.amount, payment.currency)

    @admin.display(description=_("overpaid"), ordering="overpaid_amount")
    def overpaid(self, payment: Payment) -> str:
        if not payment.overpaid_amount:
            return "—"
        return money_display(payment.overpaid_amount, payment.currency)

    @admin.display(description=_("refunded"), ordering="amount_refunded")
    def refunded(self, payment: Payment) -> str:
        if not payment.amount_refunded:
            return "—"
        return money_display(payment.amount_refunded, payment.currency)

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

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.PaymentRefused as exc:
            # What only the service sees under the invoice's lock (paid meanwhile).
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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
                        "amount": money_display(
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

    list_display = ("refunded_at", "invoice", "amount_with_currency", "payment_method")
    list_select_related = ("invoice", "payment")
    search_fields = ("invoice__number",)
    ordering = ("-refunded_at", "-pk")
    fields = (
        "invoice",
        "payment",
        "amount_with_currency",
        "refunded_at",
        "provider_reference",
        "recorded_by",
        "note",
    )
    readonly_fields = fields

    @admin.display(description=_("amount"), ordering="amount")
    def amount_with_currency(self, refund: Refund) -> str:
        return money_display(refund.amount, refund.currency)

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
        "received_at",
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


@admin.register(Discrepancy, site=back_office)
class DiscrepancyAdmin(CompanyScopedAdmin):
    """Stripe events stored but not applied: something to look into."""

    list_display = ("received_at", "type", "why", "invoice", "account_id")
    list_select_related = ("invoice",)
    list_filter = ("type", "reason")
    search_fields = ("event_id", "account_id", "invoice__number")
    ordering = ("-received_at", "-pk")
    fields = (
        "received_at",
        "event_id",
        "type",
        "why",
        "account_id",
        "invoice",
        "payload",
    )
    readonly_fields = fields

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
        return [("waiting", _("Waiting")), ("recorded", _("Recorded"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "waiting":
            return queryset.filter(payment__isnull=True)
        if self.value() == "recorded":
            return queryset.filter(payment__isnull=False)
        return queryset


@admin.register(TransferDeclaration, site=back_office)
class TransferDeclarationAdmin(CompanyScopedAdmin):
    """Invoices the client says it paid by transfer, with "Record this payment"."""

    list_display = (
        "declared_at",
        "invoice",
        "client_name",
        "amount_with_currency",
        "paid_on_date",
        "state",
    )
    list_select_related = ("invoice", "invoice__client", "payment")
    list_filter = (DeclarationStateFilter,)
    search_fields = ("invoice__number", "invoice__client__name")
    ordering = ("-declared_at", "-pk")
    fields = (
        "invoice",
        "client_name",
        "amount_with_currency",
        "paid_on_date",
        "declared_at",
        "payment",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description=_("client"))
    def client_name(self, declaration: TransferDeclaration) -> str:
        return declaration.invoice.client.name

    @admin.display(description=_("amount due then"), ordering="amount")
    def amount_with_currency(self, declaration: TransferDeclaration) -> str:
        return money_display(declaration.amount, declaration.invoice.currency)

    @admin.display(description=_("payment"))
    def state(self, declaration: TransferDeclaration) -> str:
        if declaration.payment_id is not None:
            return str(_("Recorded"))
        if not status.is_payable(declaration.invoice):
            return str(_("Nothing left to pay"))
        return str(_("Waiting"))

    @admin.display(description=_("payment"))
    def record(self, declaration: TransferDeclaration) -> str:
        if declaration.payment_id is not None or not status.is_payable(
            declaration.invoice
        ):
            return self.state(declaration)
        url = reverse(
            "admin:payments_transferdeclaration_record", args=[declaration.pk]
        )
        # A submit button of the list's own form (it carries the CSRF token),
        # sent to this declaration's record URL: one click, no nested form.
        return format_html(
            '<button type="submit" class="button" formaction="{}" '
            'formmethod="post" id="record-{}">{}</button>',
            url,
            declaration.pk,
            _("Record this payment"),
        )

    def get_list_display(self, request: HttpRequest) -> Any:
        if member_can_change(request):
            return (*self.list_display[:-1], "record")
        return self.list_display

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if "state" not in request.GET and "q" not in request.GET:
            query = request.GET.copy()
            query["state"] = "waiting"
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
                self.admin_site.admin_view(require_POST(self.declaration_record)),
                name="payments_transferdeclaration_record",
            ),
            *super().get_urls(),
        ]

    def declaration_record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the declared transfer as received (POST only)."""
        if not member_can_change(request):
            raise PermissionDenied
        declaration = self.get_object(request, object_id)
        if declaration is None:
            raise Http404
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
                    "amount": money_display(payment.amount, payment.currency),
                },
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:payments_transferdeclaration_changelist") + "?state=waiting"
        )


@admin.register(StripeAccount, site=back_office)
class StripeAccountAdmin(CompanyScopedAdmin):
    """The Stripe connection page: one account per company, connected or not."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        def view(function: Any, *, post: bool = False) -> Any:
            function = require_POST(function) if post else function
            return self.admin_site.admin_view(function)

        return [
            path(
                "", view(self.connection_page), name="payments_stripeaccount_changelist"
            ),
            path(
                "connect/",
                view(self.connect, post=True),
                name="payments_stripeaccount_connect",
            ),
            path(
                "return/",
                view(self.connect_return),
                name="payments_stripeaccount_return",
            ),
            path(
                "refresh/",
                view(self.connect_refresh),
                name="payments_stripeaccount_refresh",
            ),
            path(
                "disconnect/",
                view(self.disconnect, post=True),
                name="payments_stripeaccount_disconnect",
            ),
        ]

    def _page(self) -> str:
        return reverse("admin:payments_stripeaccount_changelist")

    def connection_page(self, request: HttpRequest) -> HttpResponse:
        """Whether card payments are on, and the buttons to connect or disconnect."""
        if not member_can_view(request):
            raise PermissionDenied
        account = services.stripe_account_of(company=active_company(request))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Stripe connection"),
            "opts": self.opts,
            "configured": stripe_gateway.is_configured(),
            "account": account,
            "can_change": member_can_change(request),
        }
        return TemplateResponse(
            request, "admin/payments/stripe_connection.html", context
        )

    def connect(self, request: HttpRequest) -> HttpResponse:
        """Connect Stripe: create (or reuse) the account, then go to onboarding."""
        if not member_can_change(request):
            raise PermissionDenied
        try:
            onboarding = services.stripe_connect_start(
                company=active_company(request),
                now=timezone.now(),
                return_url=request.build_absolute_uri(
                    reverse("admin:payments_stripeaccount_return")
                ),
                refresh_url=request.build_absolute_uri(
                    reverse("admin:payments_stripeaccount_refresh")
                ),
            )
        except services.StripeConnectFailed as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(self._page())
        return HttpResponseRedirect(onboarding)

    def connect_refresh(self, request: HttpRequest) -> HttpResponse:
        """Stripe's onboarding link expired: make a new one."""
        return self.connect(request) if member_can_change(request) else self._deny()

    def connect_return(self, request: HttpRequest) -> HttpResponse:
        """Back from Stripe's onboarding: read the account and store what it can do."""
        if not member_can_change(request):
            raise PermissionDenied
        try:
            account = services.stripe_connect_refresh(
                company=active_company(request), now=timezone.now()
            )
        except services.StripeConnectFailed as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            if account.can_take_payments:
                self.message_user(
                    request,
                    _(
                        "Stripe is connected: your clients can pay their invoices "
                        "by card."
                    ),
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _(
                        "Stripe is connected, but cannot take payments yet: finish "
                        "your account's details on Stripe."
                    ),
                    messages.WARNING,
                )
        return HttpResponseRedirect(self._page())

    def disconnect(self, request: HttpRequest) -> HttpResponse:
        if not member_can_change(request):
            raise PermissionDenied
        services.stripe_disconnect(company=active_company(request), now=timezone.now())
        self.message_user(
            request,
            _("Stripe is disconnected: your clients can no longer pay by card."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._page())

    @staticmethod
    def _deny() -> HttpResponse:
        raise PermissionDenied

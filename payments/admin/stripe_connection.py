"""The company's Stripe connection: one page, with connect and disconnect."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from companies.admin_site import (
    CompanyScopedAdmin,
    back_office,
    member_can_change,
    member_can_view,
)
from companies.middleware import active_company, member
from payments import services, stripe_gateway
from payments.models import StripeAccount


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
                actor=member(request),
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
                company=active_company(request),
                now=timezone.now(),
                actor=member(request),
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
        services.stripe_disconnect(
            company=active_company(request), now=timezone.now(), actor=member(request)
        )
        self.message_user(
            request,
            _("Stripe is disconnected: your clients can no longer pay by card."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._page())

    @staticmethod
    def _deny() -> HttpResponse:
        raise PermissionDenied

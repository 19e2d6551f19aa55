"""Back-office list of the payments the company received: read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from companies.admin_site import CompanyScopedAdmin, back_office
from payments.models import Payment


@admin.register(Payment, site=back_office)
class PaymentAdmin(CompanyScopedAdmin):
    """Payments are recorded by services (Stripe, transfers, "Mark as paid")."""

    list_display = ("received_at", "invoice", "amount", "currency", "method", "status")
    list_filter = ("method", "status")
    list_select_related = ("invoice",)
    search_fields = ("invoice__number",)
    ordering = ("-received_at", "-pk")
    fields = (
        "invoice",
        "amount",
        "currency",
        "method",
        "status",
        "received_at",
        "recorded_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

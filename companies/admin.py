"""Back-office pages for the active company's settings and its members."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies import services
from companies.admin_site import ActiveCompanyAdmin, CompanyScopedAdmin, back_office
from companies.forms import CompanySettingsForm
from companies.middleware import member, request_company
from companies.models import AuditEvent, Company, Membership


@admin.register(Company, site=back_office)
class CompanyAdmin(ActiveCompanyAdmin):
    """The company's legal and bank details, currency and language."""

    company_lookup = "pk"
    form = CompanySettingsForm
    list_display = ("name", "legal_name", "default_currency", "default_locale")
    fieldsets = (
        (None, {"fields": ("name", "legal_name", "address", "email")}),
        (
            _("Legal details"),
            {
                "fields": (
                    "country",
                    "registration_number",
                    "vat_number",
                    "legal_form",
                    "rcs_city",
                    "share_capital",
                    "electronic_address",
                )
            },
        ),
        (
            _("Invoice terms"),
            {
                "fields": (
                    "vat_on_debits",
                    "late_payment_rate",
                    "early_payment_discount",
                )
            },
        ),
        (_("Bank details"), {"fields": ("iban", "bic")}),
        (_("Defaults"), {"fields": ("default_currency", "default_locale")}),
        (
            _("Payment terms"),
            {"fields": ("payment_terms_days", "payment_terms_end_of_month")},
        ),
        (_("Reminders"), {"fields": ("reminder_days", "quote_reminder_days")}),
        (_("Billing"), {"fields": ("has_receivables_addon",)}),
    )
    readonly_fields = ("has_receivables_addon",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not obj.has_receivables_addon:
            # The add-on's line speaks of the clients' portal: a company
            # without it has none, and reads no word of one.
            return [
                (name, options)
                for name, options in fieldsets
                if "has_receivables_addon" not in options["fields"]
            ]
        return fieldsets

    def save_model(
        self, request: HttpRequest, obj: Company, form: ModelForm, change: bool
    ) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.company_update(
            company=obj, actor=member(request), now=timezone.now(), **fields
        )


@admin.register(Membership, site=back_office)
class MembershipAdmin(ActiveCompanyAdmin):
    """Who belongs to the company, and in which role: shown, not changed here."""

    list_display = ("user", "role", "created_at")
    list_select_related = ("user",)
    ordering = ("user__email", "-pk")
    list_filter = ("role",)
    fields = ("user", "role", "created_at")
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


PORTAL_KINDS = frozenset(
    {
        AuditEvent.Kind.PORTAL_LINK_ROTATED,
        AuditEvent.Kind.PORTAL_LINK_DISABLED,
        AuditEvent.Kind.PORTAL_LINK_ENABLED,
    }
)


class PortalAwareKindFilter(admin.ChoicesFieldListFilter):
    """The kinds of activity, without the portal's for a company with no portal."""

    def __init__(
        self, field: Any, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(field, request, *args, **kwargs)
        company = request_company(request)
        self.without_portal = company is not None and not company.has_receivables_addon

    def choices(self, changelist: Any) -> Any:
        hidden = {
            str(label)
            for kind, label in AuditEvent.Kind.choices
            if kind in PORTAL_KINDS
        }
        for choice in super().choices(changelist):
            if self.without_portal and str(choice["display"]) in hidden:
                continue
            yield choice


@admin.register(AuditEvent, site=back_office)
class AuditEventAdmin(CompanyScopedAdmin):
    """Who changed the company's settings, its brand or a client's portal link."""

    list_display = ("at", "kind", "subject_name", "actor_name")
    list_filter = (("kind", PortalAwareKindFilter),)
    ordering = ("-at", "-pk")
    fields = ("at", "kind", "subject_name", "actor_name", "changed_fields")
    readonly_fields = fields

    @admin.display(description=_("changed"))
    def changed_fields(self, event: AuditEvent) -> str:
        fields = event.details.get("fields", [])
        return ", ".join(str(field) for field in fields)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The brand kit in the back office: one per company, with a live header preview."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branding import services
from branding.colours import palette_for
from branding.forms import BrandKitForm
from branding.models import BrandKit
from companies.admin_site import (
    CompanyScopedAdmin,
    adopt_saved,
    back_office,
    member_can_change,
)
from companies.middleware import active_company, member, request_company


@admin.register(BrandKit, site=back_office)
class BrandKitAdmin(CompanyScopedAdmin):
    form = BrandKitForm
    list_display = ("display_name", "primary_colour", "accent_colour")
    readonly_fields = ("current_logo",)
    ordering = ("-pk",)

    class Media:
        js = ("branding/brand_preview.js",)
        css = {"all": ("branding/brand_preview.css",)}

    def get_fields(self, request: HttpRequest, obj: BrandKit | None = None) -> list:
        fields = ["display_name", "current_logo", "primary_colour", "accent_colour"]
        if member_can_change(request):
            fields[2:2] = ["new_logo", "remove_logo"]
        return fields

    @admin.display(description=_("current logo"))
    def current_logo(self, kit: BrandKit) -> str:
        if not kit or not kit.logo:
            return str(_("No logo: your clients see the name alone."))
        return format_html(
            '<img src="{}" alt="{}" class="brand-current-logo">',
            kit.logo.url,
            _("Current logo"),
        )

    def get_form(
        self,
        request: HttpRequest,
        obj: BrandKit | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not active_company(request).has_receivables_addon:
            # The factory made these fields for this form class alone.
            for name, text in BrandKitForm.HELP_TEXTS_WITHOUT_PORTAL.items():
                if name in form.base_fields:
                    form.base_fields[name].help_text = text
        return form

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # One kit per company: once it exists, it is changed, not added again.
        if not super().has_add_permission(request) or request_company(request) is None:
            return False
        return not self.get_queryset(request).exists()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        """There is at most one kit: go straight to it, or to adding it."""
        if self.has_view_or_change_permission(request):
            kit = self.get_queryset(request).first()
            if kit is not None:
                return HttpResponseRedirect(
                    reverse("admin:branding_brandkit_change", args=[kit.pk])
                )
            if self.has_add_permission(request):
                return HttpResponseRedirect(reverse("admin:branding_brandkit_add"))
        return super().changelist_view(request, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: BrandKit | None = None,
    ) -> HttpResponse:
        # Drawn by admin/branding/brandkit/change_form.html, updated by
        # static/branding/brand_preview.js as the colours change. A company
        # without the add-on has no portal, so no preview of one.
        company = active_company(request)
        if not company.has_receivables_addon:
            return super().render_change_form(
                request, context, add, change, form_url, obj
            )
        kit = obj or BrandKit(company=company)
        if not kit.display_name:
            kit.display_name = company.name
        palette = palette_for(primary=kit.primary_colour, accent=kit.accent_colour)
        context["brand_preview"] = {
            "name": kit.display_name,
            "logo_url": kit.logo.url if kit.logo else "",
            "palette": palette,
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(
        self, request: HttpRequest, obj: BrandKit, form: ModelForm, change: bool
    ) -> None:
        data: dict[str, Any] = form.cleaned_data
        kit = services.brand_kit_save(
            company=active_company(request),
            actor=member(request),
            now=timezone.now(),
            display_name=data["display_name"],
            primary_colour=data["primary_colour"],
            accent_colour=data["accent_colour"],
            logo=data.get("new_logo") or None,
            remove_logo=bool(data.get("remove_logo")),
        )
        adopt_saved(obj, kit)

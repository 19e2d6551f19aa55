"""The e-invoicing connection pages of the back office (the approved
platform, Chorus Pro): owners only."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from companies.admin_site import CompanyScopedAdmin, adopt_saved, back_office
from companies.middleware import active_company, member, request_membership
from companies.models import Actor, Company, Membership
from transmission import services
from transmission.forms import ChorusConnectionForm, PlatformConnectionForm
from transmission.models import ChorusConnection, PlatformConnection


def member_is_owner(request: HttpRequest) -> bool:
    membership = request_membership(request)
    return membership is not None and membership.role == Membership.Role.OWNER


class ConnectionAdmin(CompanyScopedAdmin):
    """A company's one connection to send e-invoices through. Its secrets are
    typed in the form, never shown back; saving goes through the subclass's
    service (`connection_save`)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    owners_only = True
    ordering = ("-pk",)

    # Credentials to send invoices in the company's name: owners only.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return member_is_owner(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_is_owner(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_is_owner(request) and not self.get_queryset(request).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_is_owner(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        """One connection at most: straight to it, or to adding it."""
        if self.has_view_or_change_permission(request):
            page = f"admin:{self.opts.app_label}_{self.opts.model_name}"
            connection = self.get_queryset(request).first()
            if connection is not None:
                return HttpResponseRedirect(
                    reverse(f"{page}_change", args=[connection.pk])
                )
            if self.has_add_permission(request):
                return HttpResponseRedirect(reverse(f"{page}_add"))
        return super().changelist_view(request, extra_context)

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool
    ) -> None:
        connection = self.connection_save(
            company=active_company(request),
            data=form.cleaned_data,
            actor=member(request),
        )
        adopt_saved(obj, connection)

    def connection_save(
        self, *, company: Company, data: dict[str, Any], actor: Actor
    ) -> models.Model:
        raise NotImplementedError


@admin.register(PlatformConnection, site=back_office)
class PlatformConnectionAdmin(ConnectionAdmin):
    form = PlatformConnectionForm
    fields = (
        "flow_url",
        "directory_url",
        "token_url",
        "client_id",
        "client_secret",
        "webhook_secret",
        "enabled",
    )
    list_display = ("flow_url", "client_id", "enabled")

    def connection_save(
        self, *, company: Company, data: dict[str, Any], actor: Actor
    ) -> PlatformConnection:
        return services.platform_connection_save(
            company=company,
            flow_url=data["flow_url"],
            directory_url=data.get("directory_url", ""),
            token_url=data["token_url"],
            client_id=data["client_id"],
            client_secret=data.get("client_secret", ""),
            webhook_secret=data.get("webhook_secret", ""),
            enabled=bool(data.get("enabled")),
            actor=actor,
            now=timezone.now(),
        )


@admin.register(ChorusConnection, site=back_office)
class ChorusConnectionAdmin(ConnectionAdmin):
    """Chorus Pro for public buyers no approved platform reaches."""

    form = ChorusConnectionForm
    fields = (
        "api_url",
        "token_url",
        "client_id",
        "client_secret",
        "login",
        "password",
        "enabled",
    )
    list_display = ("login", "api_url", "enabled")

    def connection_save(
        self, *, company: Company, data: dict[str, Any], actor: Actor
    ) -> ChorusConnection:
        return services.chorus_connection_save(
            company=company,
            api_url=data["api_url"],
            token_url=data["token_url"],
            client_id=data["client_id"],
            client_secret=data.get("client_secret", ""),
            login=data["login"],
            password=data.get("password", ""),
            enabled=bool(data.get("enabled")),
            actor=actor,
            now=timezone.now(),
        )

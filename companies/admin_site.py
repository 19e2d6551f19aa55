"""The back office: Django's admin as its own site, scoped to the active company."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from companies.middleware import ACTIVE_COMPANY_SESSION_KEY
from companies.selectors import memberships_for


class MemberAuthenticationForm(AdminAuthenticationForm):
    """Sign in by e-mail and password; any member of a company may enter."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct e-mail address and password."),
        "no_company": _("This account does not belong to any company."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        if not memberships_for(user=user).exists():
            raise forms.ValidationError(self.error_messages["no_company"], code="no_company")


class BackOfficeSite(admin.AdminSite):
    site_header = _("Client Portal — back office")
    site_title = _("Back office")
    index_title = _("Your company")
    login_form = MemberAuthenticationForm
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and getattr(request, "membership", None) is not None

    def get_urls(self) -> list:
        return [
            path(
                "switch-company/",
                self.admin_view(self.switch_company),
                name="switch_company",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        if request.user.is_authenticated:
            context["memberships"] = list(memberships_for(user=request.user))
            context["active_membership"] = getattr(request, "membership", None)
        return context

    @staticmethod
    @require_POST
    def switch_company(request: HttpRequest) -> HttpResponse:
        """Make another of the member's companies the active one."""
        try:
            company_id = int(request.POST.get("company", ""))
        except ValueError:
            company_id = None
        if memberships_for(user=request.user).filter(company_id=company_id).exists():
            request.session[ACTIVE_COMPANY_SESSION_KEY] = company_id
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index")
        return HttpResponseRedirect(target)


back_office = BackOfficeSite(name="admin")


class CompanyScopedAdmin(admin.ModelAdmin):
    """The base of every back-office page for company data.

    Querysets and foreign-key choices are filtered by `request.company`; rights
    come from the member's role. Subclasses may not override `get_queryset`, so
    no page can forget the scope.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; use scoped_queryset() instead "
                "so the company scope cannot be lost."
            )

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        if request.company is None:
            return self.model.objects.none()
        return self.scoped_queryset(
            request, self.model.objects.for_company(request.company)
        )

    def scoped_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        """Narrow or annotate the already company-scoped queryset."""
        return queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        related = db_field.related_model
        if hasattr(related.objects, "for_company"):
            kwargs["queryset"] = related.objects.for_company(request.company)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Rights by role: owners and admins change, reporting reads, managers nothing.
    def _membership(self, request: HttpRequest):
        return getattr(request, "membership", None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        membership = self._membership(request)
        return membership is not None and membership.can_view_receivables

    def has_add_permission(self, request: HttpRequest) -> bool:
        membership = self._membership(request)
        return membership is not None and membership.can_change_receivables

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)

"""The back office: Django's admin as its own site, scoped to the active company."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.http import require_POST

from companies.admin_home import company_contacts, manager_home, recent_actions
from companies.errors import ActionRefused
from companies.middleware import (
    ACTIVE_COMPANY_SESSION_KEY,
    active_company,
    member,
    request_company,
    request_membership,
)
from companies.models import Company, CompanyQuerySet, User
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
            raise forms.ValidationError(
                self.error_messages["inactive"], code="inactive"
            )
        if not memberships_for(user=user).exists():
            raise forms.ValidationError(
                self.error_messages["no_company"], code="no_company"
            )


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a sign-in attempt is counted against (django-axes): the
    e-mail as typed, folded to lower case as accounts store it."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()


def login_locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a sign-in gets while its account or address cools down (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **back_office.each_context(request),
        "title": _("Too many failed sign-in attempts"),
        "cooloff_minutes": minutes,
    }
    locked = TemplateResponse(
        request, "admin/login_locked_out.html", context, status=429
    )
    locked["Retry-After"] = str(minutes * 60)
    return locked.render()


class BackOfficeSite(admin.AdminSite):
    site_url = None  # the portal has no public home page to link to
    site_header = _("Client Portal — back office")
    site_title = _("Back office")
    index_title = _("Your company")
    login_form = MemberAuthenticationForm
    enable_nav_sidebar = False
    # Apps add sections to the home page without this module knowing them
    # (imports run towards `companies`): request → {"template", …} or None.
    home_sections: list[Callable[[HttpRequest], dict | None]] = []

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request_membership(request) is not None

    def get_urls(self) -> list:
        return [
            path(
                "switch-company/",
                self.admin_view(self.switch_company),
                name="switch_company",
            ),
            path("profile/", self.admin_view(self.profile), name="profile"),
            *super().get_urls(),
        ]

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        if isinstance(request.user, User):
            context["memberships"] = list(memberships_for(user=request.user))
            membership = context["active_membership"] = request_membership(request)
            if membership is not None and not membership.company.has_receivables_addon:
                # The product's name says "portal": without the add-on there is none.
                context["site_header"] = _("Back office")
        return context

    def profile(self, request: HttpRequest) -> HttpResponse:
        """The member's own preferences: e-mails about client activity."""
        from companies.profile import profile_view

        return profile_view(request, self.each_context(request))

    def index(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> TemplateResponse:
        """The home page: for a manager, whom to ask for receivables; for the
        others, the sections apps add (`home_sections`, each a template and its
        context) above the list of pages."""
        membership = request_membership(request)
        if membership is not None and not membership.can_view_receivables:
            return manager_home(request, self.each_context(request), membership)
        sections = [
            section
            for provider in self.home_sections
            if (section := provider(request)) is not None
        ]
        return super().index(
            request,
            {
                "home_sections": sections,
                # The member's own actions in the active company: only those
                # who change anything have any.
                "recent_actions": recent_actions(request)
                if membership is not None and membership.can_change_receivables
                else None,
                **(extra_context or {}),
            },
        )

    @staticmethod
    @require_POST
    def switch_company(request: HttpRequest) -> HttpResponse:
        """Make another of the member's companies the active one."""
        try:
            company_id = int(request.POST.get("company", ""))
        except ValueError:
            company_id = None
        if (
            company_id is not None
            and memberships_for(user=member(request))
            .filter(company_id=company_id)
            .exists()
        ):
            request.session[ACTIVE_COMPANY_SESSION_KEY] = company_id
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            target = reverse("admin:index")
        return HttpResponseRedirect(target)


back_office = BackOfficeSite(name="admin")


def member_can_view(request: HttpRequest) -> bool:
    """Every role but manager sees receivables and the client portal."""
    membership = request_membership(request)
    return membership is not None and membership.can_view_receivables


def member_can_change(request: HttpRequest) -> bool:
    """Only owners and admins change receivables and the client portal."""
    membership = request_membership(request)
    return membership is not None and membership.can_change_receivables


class RoleRights:
    """Rights by role, for every back-office page and inline: owners and admins
    change, reporting reads, managers get nothing (403).

    Pages delete nothing (no service deletes; documents keep their history for
    good); inlines of lines being edited may remove rows.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return member_can_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_can_view(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_can_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_can_change(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def scoped_choices(
    related_model: type[models.Model], request: HttpRequest
) -> models.QuerySet:
    """The rows a member may pick for a foreign key: their company's only.

    Fails closed: a key to a table with no company scope offers no choice at all
    until someone decides how to scope it.
    """
    company = active_company(request)
    if related_model is Company:
        return Company.objects.filter(pk=company.pk)
    rows = related_model._default_manager.all()
    if isinstance(rows, CompanyQuerySet):
        return rows.for_company(company)
    return rows.none()


class ScopedChoices(admin.options.BaseModelAdmin):
    """Foreign-key choices limited to the active company's rows."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        kwargs["queryset"] = scoped_choices(db_field.related_model, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CompanyScopedInline(RoleRights, ScopedChoices, admin.TabularInline):
    """Rows shown on their parent's page: scoped, with the parent page's rights."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # The parent is scoped already; scoping the children too costs nothing.
        rows = super().get_queryset(request)
        assert isinstance(rows, CompanyQuerySet), f"{self.model} is not CompanyOwned"
        return rows.for_company(active_company(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return member_can_change(request)


class ReadOnlyInline(CompanyScopedInline):
    """A child table shown on its parent's page and never changed there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# No filter in a back-office address may touch a secret: `?portal_token__startswith=`
# would let anyone with the list page read a client's link a character at a time.
SECRET_FIELD_WORDS = ("token", "digest", "secret", "password", "key")


def lookup_names_no_secret(lookup: str) -> bool:
    """True when the lookup names no secret field, anywhere along its path."""
    return not any(
        word in part
        for part in lookup.lower().split("__")
        for word in SECRET_FIELD_WORDS
    )


def adopt_saved(instance: models.Model, saved: models.Model) -> None:
    """Make the admin's form instance the row a service wrote.

    The admin keeps using its own instance after save_model (for the log entry
    and the redirect), while the service created or reloaded another one.
    """
    instance.pk = saved.pk
    instance.refresh_from_db()
    instance._state.adding = False


class _TenantAdmin(RoleRights, ScopedChoices, admin.ModelAdmin):
    """What every back-office page shares: the active company's rows only, in
    the page's order, and no subclass can override `get_queryset` to lose that.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; use scoped_queryset() "
                "instead so the company scope cannot be lost."
            )

    def company_rows(self, request: HttpRequest) -> models.QuerySet:
        """Every row of the active company (never called without one)."""
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        if request_company(request) is None:
            return self.model._default_manager.none()
        queryset = self.company_rows(request)
        # As Django's own get_queryset does: autocomplete pages through it unsorted.
        ordering = self.get_ordering(request)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return self.scoped_queryset(request, queryset)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup_names_no_secret(lookup) and super().lookup_allowed(
            lookup, value, request
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        # A list answers a POST only with a bulk action (or an edit in place),
        # both changes: a member who may read but not change gets the 403 of
        # every other write, not Django's "no action selected" page.
        if request.method == "POST" and not member_can_change(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def scoped_queryset(
        self, request: HttpRequest, queryset: models.QuerySet
    ) -> models.QuerySet:
        """Narrow or annotate the already company-scoped queryset."""
        return queryset

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # Django's "Change %s" gives "Modification de entreprise" in French
        # (no elision, no article); ours put the name after a colon, which
        # reads right whatever its gender or first letter. A title a page
        # set itself is kept.
        name = self.opts.verbose_name
        ours = {
            gettext("Add %s") % name: _("Add %(name)s"),
            gettext("Change %s") % name: _("Change %(name)s"),
            gettext("View %s") % name: _("View %(name)s"),
        }
        title = ours.get(str(context.get("title")))
        if title is not None:
            context["title"] = title % {"name": name}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ActionRefused as exc:
            # The forms check all they can see; this is what only the service
            # sees under its lock (the invoice was paid meanwhile…). The admin's
            # transaction is rolled back: nothing was saved.
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())


class CompanyScopedAdmin(_TenantAdmin):
    """The base of every back-office page for company data (CompanyOwned rows).

    Querysets and foreign-key choices are filtered by the active company; rights
    come from the member's role.
    """

    def company_rows(self, request: HttpRequest) -> models.QuerySet:
        rows = self.model._default_manager.all()
        assert isinstance(rows, CompanyQuerySet), f"{self.model} is not CompanyOwned"
        return rows.for_company(active_company(request))


class ActiveCompanyAdmin(_TenantAdmin):
    """A back-office page for the tenant's own tables (Company, Membership).

    They are not CompanyOwned, so `company_lookup` names how a row points at
    the active company.
    """

    company_lookup: str = "company"

    def company_rows(self, request: HttpRequest) -> models.QuerySet:
        company = active_company(request)
        return self.model._default_manager.filter(**{self.company_lookup: company.pk})

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # companies and memberships are made by sign-up and billing


# SimpleAdminConfig does not autodiscover: register every app's back-office pages
# once the site and its base classes above exist.
autodiscover_modules("admin")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A back-office page the member may not open: said inside the back office,
    with their role, what it allows and whom to ask (a deep link a reporting
    member follows must not end on a bare "403 Forbidden"). Elsewhere (the
    portal, signed out), Django's own answer."""
    membership = request_membership(request)
    if membership is None or not request.path_info.startswith(reverse("admin:index")):
        return defaults.permission_denied(request, exception)
    context = {
        **back_office.each_context(request),
        "title": _("This page is not open to your role"),
        "membership": membership,
        "contacts": company_contacts(membership.company),
    }
    return TemplateResponse(request, "admin/403.html", context, status=403)

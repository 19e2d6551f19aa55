"""Back-office pages for clients and their Client Portal link."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clients import services
from clients.forms import ClientForm, PortalRotateForm
from clients.models import Client, ClientPortalAccess
from clients.selectors import client_portal_url
from clients.services import CLIENT_EDITABLE_FIELDS
from companies.admin_site import (
    CompanyScopedAdmin,
    adopt_saved,
    back_office,
    member_can_change,
)
from companies.middleware import active_company, member
from documents import services as document_services

# Rows of the access log shown on a client's page.
ACCESS_LOG_ROWS = 50


@admin.register(Client, site=back_office)
class ClientAdmin(CompanyScopedAdmin):
    form = ClientForm
    list_display = ("name", "email", "locale", "document_count", "portal_link_state")
    # Never the portal token: it is the client's whole capability.
    search_fields = ("name", "email")
    ordering = ("name", "-pk")
    # "Save as new" goes through client_create, so the copy gets its own link.
    save_as = True

    class Media:
        js = ("admin_extra/copy_link.js",)

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(document_count=Count("documents"))

    @admin.display(description=_("documents"), ordering="document_count")
    def document_count(self, client: Client) -> int:
        count: int = client.document_count  # type: ignore[attr-defined]  # annotated
        return count

    @admin.display(description=_("portal link"))
    def portal_link_state(self, client: Client) -> str:
        return str(_("Enabled") if client.portal_enabled else _("Disabled"))

    def _shows_portal(self, request: HttpRequest) -> bool:
        # A company without the add-on has no portal, so no link to show.
        return active_company(request).has_receivables_addon

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Client | None = None,
    ) -> HttpResponse:
        # The Client Portal section is drawn by admin/clients/client/change_form.html.
        if obj is not None and self._shows_portal(request):
            context["client_portal"] = {
                "url": client_portal_url(client=obj),
                "issued_at": obj.portal_token_issued_at,
                "rotate_url": reverse(
                    "admin:clients_client_portal_rotate", args=[obj.pk]
                ),
                "switch_url": reverse(
                    "admin:clients_client_portal_switch", args=[obj.pk]
                ),
                "can_rotate": member_can_change(request),
                "disabled_at": obj.portal_disabled_at,
                "accesses": list(
                    ClientPortalAccess.objects.for_company(obj.company)
                    .filter(client=obj)
                    .select_related("document")
                    .order_by("-at", "-pk")[:ACCESS_LOG_ROWS]
                ),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(
        self, request: HttpRequest, obj: Client, form: ModelForm, change: bool
    ) -> None:
        if change:
            details = {name: form.cleaned_data[name] for name in form.changed_data}
            services.client_update(client=obj, **details)
        else:
            details = {name: form.cleaned_data[name] for name in CLIENT_EDITABLE_FIELDS}
            client = services.client_create(
                company=active_company(request), now=timezone.now(), **details
            )
            adopt_saved(obj, client)

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/portal-link/rotate/",
                self.admin_site.admin_view(self.client_portal_rotate),
                name="clients_client_portal_rotate",
            ),
            path(
                "<path:object_id>/portal-link/switch/",
                self.admin_site.admin_view(require_POST(self.client_portal_switch)),
                name="clients_client_portal_switch",
            ),
            *super().get_urls(),
        ]

    def client_portal_rotate(
        self, request: HttpRequest, object_id: str
    ) -> HttpResponse:
        """Confirm (GET), then give the client a new portal link (POST)."""
        if not member_can_change(request):
            raise PermissionDenied
        client = self.get_object(request, object_id)
        if client is None or not self._shows_portal(request):
            raise Http404
        form = PortalRotateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            now = timezone.now()
            client = services.client_portal_rotate(
                client=client, actor=member(request), now=now
            )
            self.message_user(
                request,
                _(
                    "%(client)s has a new portal link; the old one no longer "
                    "works. Copy the new link below."
                )
                % {"client": client.name},
                messages.SUCCESS,
            )
            if form.cleaned_data["send_link"]:
                self._send_link(request, client, now)
            return HttpResponseRedirect(
                reverse("admin:clients_client_change", args=[client.pk])
            )
        context = {
            "form": form,
            **self.admin_site.each_context(request),
            "title": _("Rotate the portal link of %(client)s?")
            % {"client": client.name},
            "opts": self.opts,
            "client": client,
        }
        return TemplateResponse(
            request, "admin/clients/client_portal_rotate.html", context
        )

    def _send_link(self, request: HttpRequest, client: Client, now) -> None:
        try:
            document_services.client_portal_link_send(
                client=client, actor=member(request), now=now
            )
        except document_services.DocumentNotSendable as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                _("The new link is being e-mailed to %(recipients)s.")
                % {"recipients": ", ".join(client.recipients)},
                messages.SUCCESS,
            )

    def client_portal_switch(
        self, request: HttpRequest, object_id: str
    ) -> HttpResponse:
        """Disable the client's portal link, or enable it again (POST)."""
        if not member_can_change(request):
            raise PermissionDenied
        client = self.get_object(request, object_id)
        if client is None or not self._shows_portal(request):
            raise Http404
        now, actor = timezone.now(), member(request)
        if request.POST.get("enabled") == "1":
            services.client_portal_enable(client=client, actor=actor, now=now)
            message = _("The portal link of %(client)s works again.")
        else:
            services.client_portal_disable(client=client, actor=actor, now=now)
            message = _(
                "The portal link of %(client)s is disabled: it opens nothing "
                "until you enable it again."
            )
        self.message_user(request, message % {"client": client.name}, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:clients_client_change", args=[client.pk])
        )

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

from clients import services
from clients.forms import ClientForm
from clients.models import Client
from clients.selectors import client_portal_url
from clients.services import CLIENT_EDITABLE_FIELDS
from companies.admin_site import (
    CompanyScopedAdmin,
    adopt_saved,
    back_office,
    member_can_change,
)
from companies.middleware import active_company, member


@admin.register(Client, site=back_office)
class ClientAdmin(CompanyScopedAdmin):
    form = ClientForm
    list_display = ("name", "email", "locale", "document_count")
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
                "can_rotate": member_can_change(request),
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
        if request.method == "POST":
            services.client_portal_rotate(
                client=client, actor=member(request), now=timezone.now()
            )
            self.message_user(
                request,
                _("%(client)s has a new portal link; the old one no longer works.")
                % {"client": client.name},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:clients_client_change", args=[client.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rotate the portal link of %(client)s?")
            % {"client": client.name},
            "opts": self.opts,
            "client": client,
        }
        return TemplateResponse(
            request, "admin/clients/client_portal_rotate.html", context
        )

"""Back-office pages for clients and their Client Portal link."""

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backoffice import client_page as admin_page
from backoffice.client_page import ArchivedFilter
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
from companies.money import format_money_active
from documents.selectors import client_open_invoices, clients_with_balance
from mail import services as mail_services

# Rows of the access log shown on a client's page.
ACCESS_LOG_ROWS = 50


@admin.register(Client, site=back_office)
class ClientAdmin(CompanyScopedAdmin):
    form = ClientForm
    list_display = (
        "name",
        "email",
        "locale",
        "document_count",
        "balance_shown",
        "portal_link_state",
    )
    list_filter = (ArchivedFilter,)
    # Never the portal token: it is the client's whole capability.
    search_fields = ("name", "email")
    ordering = ("name", "-pk")
    # No "Save as new": it made a second client with the same name and e-mail
    # that could not be told apart from the first.
    save_as = False

    class Media:
        js = ("admin_extra/copy_link.js",)

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # What each owes, from the one balance rule (documents.selectors).
        return clients_with_balance(
            queryset.annotate(document_count=Count("documents", distinct=True)),
            today=timezone.localdate(),
        )

    @admin.display(description=_("owes"), ordering="owed")
    def balance_shown(self, client: Client) -> str:
        """What the client owes and how much of it is overdue; a link to its
        invoices to pay."""
        owed: Decimal = getattr(client, "owed", Decimal(0))
        if not owed:
            return "—"
        if getattr(client, "owed_currencies", 1) > 1:
            text = str(_("in several currencies"))
        else:
            currency = getattr(client, "owed_currency", "") or ""
            text = format_money_active(owed, currency)
            overdue: Decimal = getattr(client, "overdue", Decimal(0))
            if overdue:
                text = _("%(owed)s (%(overdue)s overdue)") % {
                    "owed": text,
                    "overdue": format_money_active(overdue, currency),
                }
        url = reverse("admin:documents_invoice_changelist")
        return format_html(
            '<a href="{}?client={}&amp;status_is=owed" class="client-owes">{}</a>',
            url,
            client.pk,
            text,
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and "_saveasnew" in request.POST:
            # The button is gone; a hand-made "Save as new" saves the client
            # itself, as the page's own Save does, and never copies it.
            data = request.POST.copy()
            data.pop("_saveasnew")
            request.POST = data  # type: ignore[assignment]  # the rest is as posted
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_list_display(self, request: HttpRequest) -> Any:
        if self._shows_portal(request):
            return self.list_display
        return [name for name in self.list_display if name != "portal_link_state"]

    def get_actions(self, request: HttpRequest) -> dict:
        # Deleting is one client at a time, from its page, where a client with
        # documents is refused with a reason (archive it instead).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # A picker (a document's client) offers the clients worked with.
            queryset = queryset.filter(archived_at__isnull=True)
        return super().get_search_results(request, queryset, search_term)

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
        # The documents, Client Portal and archive sections are drawn by
        # admin/clients/client/change_form.html.
        if obj is not None:
            context["client_summary"] = admin_page.summary_context(
                client=obj, can_change=member_can_change(request)
            )
            context["client_archive"] = {
                "archived_at": obj.archived_at,
                "url": reverse(
                    "admin:clients_client_restore"
                    if obj.is_archived
                    else "admin:clients_client_archive",
                    args=[obj.pk],
                ),
                "can_change": member_can_change(request),
                "has_documents": bool(context["client_summary"]["documents"]),
                "shows_portal": self._shows_portal(request),
            }
            context["client_reminders"] = {
                "history": mail_services.reminders_history(client=obj),
                "remind_url": reverse("admin:clients_client_remind", args=[obj.pk]),
                "can_remind": member_can_change(request)
                and mail_services.client_remindable_invoices(client=obj).exists(),
            }
        if obj is not None and self._shows_portal(request):
            context["client_portal"] = {
                # Never offered for a disabled link: the client sees a 404.
                "preview_url": admin_page.preview_url(client=obj)
                if obj.portal_enabled
                else "",
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

    def response_add(
        self, request: HttpRequest, obj: Client, post_url_continue: str | None = None
    ) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        self._flag_duplicates(request, obj)
        return response

    def response_change(self, request: HttpRequest, obj: Client) -> HttpResponse:
        response = super().response_change(request, obj)
        self._flag_duplicates(request, obj)
        return response

    def _flag_duplicates(self, request: HttpRequest, client: Client) -> None:
        """Say so when the saved client is probably another one (not refused:
        two people may share a name)."""
        warning = admin_page.duplicates_warning(client=client)
        if warning is not None:
            self.message_user(request, warning, messages.WARNING)

    # Deleting and archiving.

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A client with documents is kept with them: archived, not deleted.
        return member_can_change(request) and (
            obj is None or not obj.documents.exists()
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        client = self.get_object(request, object_id)
        if client is not None and member_can_change(request):
            if client.documents.exists():
                return self._refuse_delete(request, client)
        try:
            return super().delete_view(request, object_id, extra_context)
        except services.ClientHasDocuments:  # a document came in meanwhile
            assert client is not None
            return self._refuse_delete(request, client)

    def _refuse_delete(self, request: HttpRequest, client: Client) -> HttpResponse:
        message = str(services.ClientHasDocuments.of(client))
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:clients_client_change", args=[client.pk])
        )

    def delete_model(self, request: HttpRequest, obj: Client) -> None:
        services.client_delete(client=obj, actor=member(request), now=timezone.now())

    def client_archive(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Archive the client (POST): out of lists and pickers, kept whole."""
        client = self._client_to_change(request, object_id)
        open_invoices = client_open_invoices(client=client).count()
        services.client_archive(
            client=client,
            actor=member(request),
            now=timezone.now(),
            open_invoices=open_invoices,
        )
        parts: list[str] = [
            _("%(client)s is archived: it no longer appears in lists and pickers.")
            % {"client": client.name}
        ]
        if open_invoices:
            # Allowed, but said: archiving settles nothing.
            parts.append(
                ngettext(
                    "One of its invoices still expects a payment (unpaid, or a bank "
                    "debit still processing): it stays open.",
                    "%(count)s of its invoices still expect a payment (unpaid, or a "
                    "bank debit still processing): they stay open.",
                    open_invoices,
                )
                % {"count": open_invoices}
            )
        if self._shows_portal(request):
            parts.append(
                str(_("Its portal link keeps working, so the client can still pay."))
                if open_invoices
                else str(_("Its portal link still works."))
            )
        self.message_user(
            request,
            " ".join(parts),
            messages.WARNING if open_invoices else messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:clients_client_change", args=[client.pk])
        )

    def client_restore(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Bring an archived client back into lists and pickers (POST)."""
        client = self._client_to_change(request, object_id)
        services.client_restore(
            client=client, actor=member(request), now=timezone.now()
        )
        self.message_user(
            request,
            _("%(client)s is back in lists and pickers.") % {"client": client.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:clients_client_change", args=[client.pk])
        )

    def client_remind(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """ "Remind now" (POST): a reminder of each invoice the client has to pay."""
        client = self._client_to_change(request, object_id)
        try:
            sent, refused = mail_services.client_remind_now(
                client=client, actor=member(request), now=timezone.now()
            )
        except mail_services.ReminderRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            if sent:
                self.message_user(
                    request,
                    ngettext(
                        "A reminder of %(documents)s is being sent to %(client)s.",
                        "Reminders of %(documents)s are being sent to %(client)s.",
                        len(sent),
                    )
                    % {
                        "documents": ", ".join(str(e.document) for e in sent),
                        "client": client.name,
                    },
                    messages.SUCCESS,
                )
            for reason in refused:
                self.message_user(request, reason, messages.WARNING)
        return HttpResponseRedirect(
            reverse("admin:clients_client_change", args=[client.pk])
        )

    def _client_to_change(self, request: HttpRequest, object_id: str) -> Client:
        """The active company's client: 403 for who may not change it, 404 for
        another company's or a missing one."""
        if not member_can_change(request):
            raise PermissionDenied
        client = self.get_object(request, object_id)
        if client is None:
            raise Http404
        return client

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/archive/",
                self.admin_site.admin_view(require_POST(self.client_archive)),
                name="clients_client_archive",
            ),
            path(
                "<path:object_id>/restore/",
                self.admin_site.admin_view(require_POST(self.client_restore)),
                name="clients_client_restore",
            ),
            path(
                "<path:object_id>/remind/",
                self.admin_site.admin_view(require_POST(self.client_remind)),
                name="clients_client_remind",
            ),
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
            mail_services.client_portal_link_send(
                client=client, actor=member(request), now=now
            )
        except mail_services.DocumentNotSendable as exc:
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

"""What the Invoices and Quotes pages share: the list's common columns, the
change page, saving through the services, and the document's history.

Every change goes through documents.services (and payments.services for "Mark
as paid"): the admin builds the service's arguments from the forms and turns
its refusals into messages.
"""

from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message, unquote
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.documents import viewing
from backoffice.documents.actions import DOCUMENT_ACTIONS, bulk_action
from backoffice.documents.confirm import ActionPages
from backoffice.documents.history_page import HistoryPage
from backoffice.documents.inlines import (
    ClientEmailInline,
    DocumentEventInline,
    DocumentLineInline,
    DocumentVersionInline,
    day_display,
    money_display,
)
from backoffice.documents.totals import catalogue_choices, live_totals
from clients.models import Client
from companies.admin_site import (
    CompanyScopedAdmin,
    adopt_saved,
    member_can_change,
)
from companies.middleware import active_company, member
from companies.payment_terms import payment_terms_for
from documents import services, status
from documents.back_office import document_admin_url
from documents.forms import DocumentForm, DocumentLineFormSet
from documents.models import Document

# What only a company with the Client Portal add-on sees: without it there is
# no portal to show a document in or hide it from.
PORTAL_ACTIONS = frozenset({"hide", "show", "show_and_send"})
FINALISING_ACTIONS = frozenset({"finalise", "finalise_and_send"})
PORTAL_FIELDS = frozenset({"hidden_from_portal", "portal_visibility", "viewed"})
# What an issued invoice shows but no longer lets anyone change.
FROZEN_FIELDS = (
    "currency",
    "issue_date",
    "operation_category",
    "vat_exemption",
    "delivery_date",
    "delivery_end_date",
    "euro_rate",
)


class DocumentKindAdmin(ActionPages, HistoryPage, CompanyScopedAdmin):
    """The pages of one kind of document (Invoices, Quotes)."""

    kind: ClassVar[str]  # what the add page creates
    kinds: ClassVar[tuple[str, ...]]  # what the list shows
    action_names: ClassVar[tuple[str, ...]]
    add_fields: ClassVar[tuple[str, ...]]  # the add form, in order

    form = DocumentForm
    change_form_template = "admin/documents/document/change_form.html"
    list_display_links = ("number_or_draft",)
    list_select_related = ("client",)
    search_fields = ("number", "client__name")
    ordering = ("-issue_date", "-pk")

    class Media:
        css = {"all": ("admin_extra/back_office.css",)}
        js = ("admin_extra/live_totals.js", "admin_extra/catalogue.js")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.actions = [bulk_action(DOCUMENT_ACTIONS[name]) for name in cls.action_names]

    @staticmethod
    def shows_portal(request: HttpRequest) -> bool:
        return active_company(request).has_receivables_addon

    def scoped_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(kind__in=self.kinds).annotate(
            **viewing.last_view_annotations(),
            client_status=status.client_status_expression(timezone.localdate()),
        )

    # The list.
    def get_list_display(self, request: HttpRequest) -> Any:
        columns = super().get_list_display(request)
        if self.shows_portal(request):
            return columns
        return [name for name in columns if name not in PORTAL_FIELDS]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        if self.shows_portal(request):
            return filters
        return [name for name in filters if name not in PORTAL_FIELDS]

    def get_actions(self, request: HttpRequest) -> dict:
        found = super().get_actions(request)
        if not self.shows_portal(request):
            for name in PORTAL_ACTIONS:
                found.pop(name, None)
        return found

    @admin.display(description=_("number"), ordering="number")
    def number_or_draft(self, document: Document) -> str:
        return document.number or str(_("Draft"))

    @admin.display(description=_("total"), ordering="total")
    def total_with_currency(self, document: Document) -> str:
        return money_display(document.total, document.currency)

    @admin.display(description=_("status"), ordering="client_status")
    def status_shown(self, document: Document) -> str:
        shown = getattr(document, "client_status", None) or status.client_status(
            document, timezone.localdate()
        )
        return str(status.ClientStatus(shown).label)

    @admin.display(description=_("issue date"), ordering="issue_date")
    def issue_date_shown(self, document: Document) -> str:
        return day_display(document.issue_date)

    @admin.display(description=_("due date"), ordering="due_date")
    def due_date_shown(self, document: Document) -> str:
        return day_display(document.due_date)

    @admin.display(description=_("valid until"), ordering="expiry_date")
    def expiry_date_shown(self, document: Document) -> str:
        return day_display(document.expiry_date)

    @admin.display(description=_("client's portal"), ordering="hidden_from_portal")
    def portal_visibility(self, document: Document) -> str:
        if document.hidden_from_portal:
            return str(_("Hidden"))
        if document.is_draft:
            return str(_("Not yet (draft)"))
        return str(_("In portal"))

    @admin.display(description=_("viewed"), ordering="last_viewed_at")
    def viewed(self, document: Document) -> str:
        return viewing.viewed_label(document)

    # The add and change pages.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Paid, accepted, declined and canceled documents are kept as they are.
        return super().has_change_permission(request, obj) and (
            obj is None or status.is_editable(obj)
        )

    def kind_fields(self, obj: Document) -> list[str]:
        """The change page's fields of this kind, between the dates and notes."""
        raise NotImplementedError

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list:
        if obj is None:
            fields = list(self.add_fields)
        else:
            fields = [
                "number",
                "kind_shown",
                "status_shown",
                "client",
                "currency",
                "issue_date",
                *self.kind_fields(obj),
                "vat_exemption",
                "purchase_order",
                "notes",
                "total_with_currency",
                "portal_visibility",
                "viewed",
            ]
        if self.shows_portal(request):
            return fields
        return [name for name in fields if name not in PORTAL_FIELDS]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Document | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        # Visibility is not a form field at all: it changes through Hide / Show,
        # which write the history. A finalised document keeps its client.
        fixed = (
            "number",
            "kind_shown",
            "status_shown",
            "total_with_currency",
            "credited_display",
            "balance_display",
            "late_fees_display",
            "payment_terms_shown",
            "portal_visibility",
            "viewed",
            "conversion_link",
            "correction_links",
            "credited_invoice",
            "deposit_quote",
        )
        if obj.is_draft:
            return fixed
        if status.is_fiscally_frozen(obj):
            # An issued invoice's fiscal content is shown, never a form field:
            # only its notes, order reference and a later due date remain.
            return (*fixed, "client", *FROZEN_FIELDS)
        return (*fixed, "client")

    @admin.display(description=_("kind"))
    def kind_shown(self, document: Document) -> str:
        if document.is_deposit:
            return str(_("Deposit invoice"))
        return document.get_kind_display()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        kind = self.kind

        class KindForm(form):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                if self.instance._state.adding:
                    self.instance.kind = kind  # the page's kind, never posted

        if "due_date" in KindForm.base_fields and obj is None:
            terms = payment_terms_for(active_company(request))
            KindForm.base_fields["due_date"].help_text = _(
                "Empty: from the client's payment terms (the company's: %(terms)s)."
            ) % {"terms": terms}
        return KindForm

    def get_inlines(self, request: HttpRequest, obj: Document | None) -> list:
        if obj is None:
            return [DocumentLineInline]
        return [
            DocumentLineInline,
            *self.evidence_inlines(obj),
            DocumentVersionInline,
            ClientEmailInline,
            DocumentEventInline,
        ]

    def evidence_inlines(self, obj: Document) -> list:
        return []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """Today, the company's currency, and `?client=<pk>` as the client."""
        initial = {
            "currency": active_company(request).default_currency,
            "issue_date": timezone.localdate(),
            **super().get_changeform_initial_data(request),
        }
        client_id = str(initial.get("client", ""))
        client = (
            self.formfield_client_choices(request).filter(pk=client_id).first()
            if client_id.isdigit()
            else None
        )
        if client is None:
            initial.pop("client", None)  # another company's, or none: not offered
        elif self.kind == Document.Kind.INVOICE:
            terms = payment_terms_for(client.company, client)
            initial.setdefault("due_date", terms.due_date(timezone.localdate()))
        return initial

    def formfield_client_choices(self, request: HttpRequest) -> QuerySet:
        return Client.objects.for_company(active_company(request))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Document | None = None,
    ) -> HttpResponse:
        if obj is not None and member_can_change(request):
            portal = self.shows_portal(request)
            # What finalising would refuse, said on the draft's page before
            # anyone confirms: Finalise is offered once nothing is missing.
            problems = services.finalise_problems(document=obj, now=timezone.now())
            context["finalise_problems"] = problems
            context["document_actions"] = [
                (
                    action,
                    reverse("admin:documents_document_action", args=[obj.pk, name]),
                )
                for name, action in DOCUMENT_ACTIONS.items()
                if action.offered(obj)
                and (portal or name not in PORTAL_ACTIONS)
                and not (problems and name in FINALISING_ACTIONS)
            ]
            context["document_links"] = self.document_links(obj)
        if obj is not None and not add:
            context["sending"] = viewing.sending_notices(obj)
        if add or (obj is not None and obj.is_draft):
            # Picked by name in a line's description (admin_extra/catalogue.js).
            context["catalogue"] = catalogue_choices(active_company(request))
        if add or (
            obj is not None
            and status.is_editable(obj)
            and not status.is_fiscally_frozen(obj)
        ):
            context["live_totals"] = live_totals(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def document_links(self, obj: Document) -> list[tuple[Any, str]]:
        return []

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if object_id is not None and request.method == "GET":
            document = (
                self.company_rows(request).filter(pk=unquote(object_id)).first()
                if unquote(object_id).isdigit()
                else None
            )
            if document is not None and document.kind not in self.kinds:
                # A quote's address on the invoices' pages, or the reverse.
                return HttpResponseRedirect(document_admin_url(document))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: Document, form: ModelForm, change: bool
    ) -> None:
        """Nothing here: the header is saved with its lines, in save_related."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        """Save header and lines in one service call, from the validated forms."""
        (lines,) = (
            formset.line_inputs
            for formset in formsets
            if isinstance(formset, DocumentLineFormSet)
        )
        if change and status.is_fiscally_frozen(form.instance):
            # Its lines are shown read-only, never posted: the issued ones.
            lines = services.document_lines(form.instance)
        header = {
            name: form.cleaned_data[name]
            for name in services.HEADER_FIELDS
            if name in form.cleaned_data
        }
        now, document = timezone.now(), form.instance
        if change:
            version = services.document_update(
                document=document,
                lines=lines,
                actor=member(request),
                now=now,
                client=form.cleaned_data.get("client"),
                **header,
            )
            adopt_saved(document, document)
            if version is not None:
                self.version_saved(request, document, version.number)
        else:
            created = services.document_create(
                company=active_company(request),
                client=form.cleaned_data["client"],
                kind=self.kind,
                lines=lines,
                actor=member(request),
                now=now,
                hidden_from_portal=form.cleaned_data.get("hidden_from_portal", False),
                **header,
            )
            adopt_saved(document, created)

    def version_saved(self, request: HttpRequest, document: Document, number: int):
        self.message_user(
            request,
            _("Saved as version %(number)s; the earlier versions are kept.")
            % {"number": number},
            messages.INFO,
        )
        if document.sent_at is not None:
            # The client holds an earlier version: offer to send this one.
            self.message_user(
                request,
                _(
                    "%(document)s was sent before: send version "
                    "%(number)s to the client with “Send again” on its page."
                )
                % {"document": document, "number": number},
                messages.WARNING,
            )

    def construct_change_message(
        self,
        request: HttpRequest,
        form: Any,
        formsets: Iterable[Any],
        add: bool = False,
    ) -> list[dict[str, dict[str, list[str]]]]:
        # The lines were never saved through their formset; versions and the
        # document's events record what changed in them.
        return construct_change_message(form, [], add)

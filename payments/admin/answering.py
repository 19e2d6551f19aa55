"""Transfers the owner answers from a list, once: received (recorded) or not
received. What the declared transfers and the transfers for several invoices
share: the two buttons in each waiting row (owners and admins), a page saying
what will happen (GET), the answer itself (POST), and a list that opens on
what is waiting."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from companies.admin_site import CompanyScopedAdmin, member_can_change


class AnsweredFromTheList(CompanyScopedAdmin):
    """Subclasses name their URLs' prefix, the list's default state, the
    record button's label and the buttons' id prefix; they say what each
    answer will do (`record_consequences`, `reject_consequences`) and write
    `answer_record` and `answer_reject` (the POST, ending on `waiting_list`)."""

    url_prefix = ""  # "payments_transferbatch": its …_record, …_reject URLs
    waiting_state = ""  # the list's state filter when none is asked
    record_label: Promise | str = ""
    button_id_prefix = ""  # "record-<prefix><pk>", "reject-<prefix><pk>"

    def answer_buttons(self, obj: Model) -> str:
        record = reverse(f"admin:{self.url_prefix}_record", args=[obj.pk])
        reject = reverse(f"admin:{self.url_prefix}_reject", args=[obj.pk])
        # Links to the page that says what will happen and asks first: money
        # recorded e-mails the client a receipt, and is not undone.
        return format_html(
            '<a class="button" href="{}" id="record-{}{}">{}</a> '
            '<a class="button" href="{}" id="reject-{}{}">{}</a>',
            record,
            self.button_id_prefix,
            obj.pk,
            self.record_label,
            reject,
            self.button_id_prefix,
            obj.pk,
            _("Not received"),
        )

    def answered(self, request: HttpRequest, object_id: str) -> Any:
        """The row a POST answers: owners and admins only, and only theirs."""
        if not member_can_change(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        return obj

    def waiting_list(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse(f"admin:{self.url_prefix}_changelist")
            + f"?state={self.waiting_state}"
        )

    def record_consequences(self, obj: Any) -> list[str]:
        raise NotImplementedError

    def reject_consequences(self, obj: Any) -> list[str]:
        raise NotImplementedError

    def answer_record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        raise NotImplementedError

    def answer_reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        raise NotImplementedError

    def _asked(self, record: bool) -> Any:
        """The view of one answer: its confirmation page, then the answer."""

        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            if request.method == "POST":
                answer = self.answer_record if record else self.answer_reject
                return answer(request, object_id)
            obj = self.answered(request, object_id)
            label = self.record_label if record else _("Not received")
            consequences = (
                self.record_consequences(obj)
                if record
                else self.reject_consequences(obj)
            )
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{label}: {obj}",
                "action_label": label,
                "consequences": consequences,
                "form_action": request.get_full_path(),
                "back_url": reverse(f"admin:{self.url_prefix}_changelist")
                + f"?state={self.waiting_state}",
            }
            return TemplateResponse(
                request, "admin/payments/answer_confirm.html", context
            )

        return view

    def get_list_display(self, request: HttpRequest) -> Any:
        if member_can_change(request):
            return (*self.list_display[:-1], "record")
        return self.list_display

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if "state" not in request.GET and "q" not in request.GET:
            query = request.GET.copy()
            query["state"] = self.waiting_state
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/record/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self._asked(record=True))
                ),
                name=f"{self.url_prefix}_record",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self._asked(record=False))
                ),
                name=f"{self.url_prefix}_reject",
            ),
            *super().get_urls(),
        ]

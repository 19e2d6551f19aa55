"""A document's History page: its events and the back office's saves, one
timeline of sentences ("Sent to compta@cafedesarts.example by Camille
Durand"), in the reader's language, never raw details."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from documents.history import event_sentence
from documents.models import Document, DocumentEvent


class HistoryPage:
    """Mixed into the Invoices and Quotes pages."""

    def history_view(
        self: Any, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """The document's history as sentences, its events and the back
        office's saves in one timeline (oldest first, as Django's page)."""
        document = self.get_object(request, unquote(object_id))
        if document is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, document):
            raise PermissionDenied
        events = (
            DocumentEvent.objects.for_company(document.company)
            .filter(document=document)
            .select_related("document")
            .order_by("at", "pk")
        )
        types = ContentType.objects.get_for_models(
            Document, self.model, for_concrete_models=False
        ).values()
        # unscoped: the log of this document only, scoped through it above
        saves = LogEntry.objects.filter(
            object_id=str(document.pk), content_type__in=list(types)
        ).select_related("user")
        timeline = sorted(
            [(event.at, event_sentence(event)) for event in events]
            + [
                (
                    entry.action_time,
                    _("%(what)s by %(who)s")
                    % {
                        "what": entry.get_change_message().rstrip(".") or _("Saved"),
                        "who": entry.user,
                    },
                )
                for entry in saves
            ],
            key=lambda row: row[0],
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % document,
            "subtitle": None,
            "timeline": timeline,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": document,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/documents/document/object_history.html", context
        )

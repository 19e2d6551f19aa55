"""The business actions offered on a document: one from its page, or in bulk.

Each calls one service (documents.services, or payments.services for "Mark as
paid"); the admin reports each document's outcome in a message.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from companies.errors import ActionRefused
from documents import services, status
from documents.back_office import document_admin_url
from documents.late_fees import late_fees
from documents.models import Document
from mail import services as mail_services
from payments import services as payment_services
from signing import services as signing_services
from transmission import lifecycle as transmission_lifecycle
from transmission import selectors as transmission_selectors
from transmission import sending


@dataclass(frozen=True)
class DocumentAction:
    """One business action offered on a document, alone or in bulk."""

    name: str
    label: Promise
    done: Promise  # "%(document)s: …"
    offered: Callable[[Document], bool]  # shown as a button on the change page
    run: Callable[..., Any]  # (document, actor, now) → False when nothing changed
    unchanged: Promise | None = None
    # Asks on a page saying what will happen (backoffice.documents.confirm) first:
    # the actions that cannot be undone.
    asks_first: bool = False
    follow: bool = False  # from its page, go to the document the action made


def _finalise(document: Document, actor: Any, now: dt.datetime) -> Any:
    return services.document_finalise(document=document, actor=actor, now=now)


def _finalise_and_send(document: Document, actor: Any, now: dt.datetime) -> Any:
    return mail_services.document_finalise_and_send(
        document=document, actor=actor, now=now
    )


def _duplicate(document: Document, actor: Any, now: dt.datetime) -> Document:
    return services.document_duplicate(document=document, actor=actor, now=now)


def _send(document: Document, actor: Any, now: dt.datetime) -> Any:
    return mail_services.document_send(document=document, actor=actor, now=now)


def _show_and_send(document: Document, actor: Any, now: dt.datetime) -> Any:
    with transaction.atomic():  # shown only if it can be sent too
        services.document_show(document=document, actor=actor, now=now)
        return mail_services.document_send(document=document, actor=actor, now=now)


def _reminders_on(document: Document, actor: Any, now: dt.datetime) -> bool:
    return mail_services.reminders_set(document=document, enabled=True)


def _reminders_off(document: Document, actor: Any, now: dt.datetime) -> bool:
    return mail_services.reminders_set(document=document, enabled=False)


def _reminders_apply(document: Document) -> bool:
    return status.is_payable(document) or status.is_answerable(document)


def _remind_now(document: Document, actor: Any, now: dt.datetime) -> Any:
    return mail_services.reminder_send_now(document=document, actor=actor, now=now)


def _waive_interest(document: Document, actor: Any, now: dt.datetime) -> bool:
    return services.late_fees_waive(
        document=document, actor=actor, now=now, interest=True
    )


def _waive_indemnity(document: Document, actor: Any, now: dt.datetime) -> bool:
    return services.late_fees_waive(
        document=document, actor=actor, now=now, indemnity=True
    )


def _claim_late_fees(document: Document, actor: Any, now: dt.datetime) -> bool:
    return services.late_fees_waive(
        document=document, actor=actor, now=now, interest=False, indemnity=False
    )


def _add_late_fees(document: Document, actor: Any, now: dt.datetime) -> Document:
    return services.invoice_late_fees_bill(invoice=document, actor=actor, now=now)


def _late_fees_billable(document: Document) -> bool:
    return services.late_fees_billable(document, timezone.localdate())


def _has_late_fees(document: Document) -> bool:
    return late_fees(document, timezone.localdate()) is not None


def _hide(document: Document, actor: Any, now: dt.datetime) -> bool:
    return services.document_hide(document=document, actor=actor, now=now)


def _show(document: Document, actor: Any, now: dt.datetime) -> bool:
    return services.document_show(document=document, actor=actor, now=now)


def _cancel(document: Document, actor: Any, now: dt.datetime) -> Any:
    return services.document_cancel(document=document, actor=actor, now=now)


def _correct(document: Document, actor: Any, now: dt.datetime) -> Document:
    _credit_note, draft = services.invoice_correct(
        invoice=document, actor=actor, now=now
    )
    return draft


def _delete_draft(document: Document, actor: Any, now: dt.datetime) -> Any:
    return services.document_draft_delete(document=document, actor=actor, now=now)


def _mark_paid(document: Document, actor: Any, now: dt.datetime) -> Any:
    return payment_services.invoice_mark_paid(invoice=document, actor=actor, now=now)


def _accept(document: Document, actor: Any, now: dt.datetime) -> Any:
    return signing_services.quote_accept(quote=document, actor=actor, now=now)


def _decline(document: Document, actor: Any, now: dt.datetime) -> Any:
    return signing_services.quote_decline(quote=document, actor=actor, now=now)


def _convert(document: Document, actor: Any, now: dt.datetime) -> Document:
    return services.quote_convert_to_invoice(quote=document, actor=actor, now=now)


def _platform_failed(document: Document) -> bool:
    flow = transmission_selectors.invoice_flow_of(document)
    return flow is not None and flow.state == "failed"


def _platform_again(document: Document, actor: Any, now: dt.datetime) -> bool:
    flow = transmission_selectors.invoice_flow_of(document)
    if flow is None or flow.state != "failed":
        return False
    sending.flow_retry(flow=flow)
    return True


def _reopen(document: Document, actor: Any, now: dt.datetime) -> Any:
    return transmission_lifecycle.invoice_reopen_after_refusal(
        invoice=document, now=now
    )


def _convertible(document: Document) -> bool:
    # The reverse accessor reads through the quote, already scoped.
    return status.is_convertible(document) and not hasattr(
        document, "converted_invoice"
    )


DOCUMENT_ACTIONS = {
    action.name: action
    for action in (
        DocumentAction(
            name="finalise",
            label=_("Finalise"),
            done=_("%(document)s: finalised."),
            offered=lambda document: document.is_draft,
            run=_finalise,
            asks_first=True,
        ),
        DocumentAction(
            name="finalise_and_send",
            label=_("Finalise and send"),
            done=_("%(document)s: finalised and being sent to the client."),
            offered=lambda document: document.is_draft,
            run=_finalise_and_send,
            asks_first=True,
        ),
        DocumentAction(
            name="send",
            label=_("Send to client"),
            done=_("%(document)s: being sent to the client (see its e-mails)."),
            offered=status.is_sendable,
            run=_send,
            asks_first=True,
        ),
        DocumentAction(
            name="hide",
            label=_("Hide from client's portal"),
            done=_("%(document)s: hidden from the client's portal."),
            unchanged=_("%(document)s was already hidden from the client's portal."),
            offered=lambda document: not document.hidden_from_portal,
            run=_hide,
        ),
        DocumentAction(
            name="show",
            label=_("Show in client's portal"),
            done=_("%(document)s: shown in the client's portal."),
            unchanged=_("%(document)s was already shown in the client's portal."),
            offered=lambda document: document.hidden_from_portal,
            run=_show,
        ),
        DocumentAction(
            name="show_and_send",
            label=_("Show in portal and send"),
            done=_("%(document)s: shown in the portal and being sent to the client."),
            offered=lambda document: (
                not document.is_draft and document.hidden_from_portal
            ),
            run=_show_and_send,
            asks_first=True,
        ),
        DocumentAction(
            name="cancel",
            label=_("Cancel"),
            done=_("%(document)s: canceled."),
            asks_first=True,
            offered=status.is_cancelable,
            run=_cancel,
        ),
        DocumentAction(
            name="correct",
            label=_("Correct this invoice"),
            done=_(
                "%(document)s: annulled by a credit note; its replacement is the "
                "draft below."
            ),
            asks_first=True,
            offered=services.is_correctable,
            run=_correct,
            follow=True,
        ),
        DocumentAction(
            name="reopen",
            label=_("Reopen after the client's refusal"),
            done=_(
                "%(document)s: reopened; the client sees it is to pay again and "
                "may refuse it again."
            ),
            asks_first=True,
            offered=transmission_lifecycle.is_reopenable,
            run=_reopen,
        ),
        DocumentAction(
            name="platform_again",
            label=_("Send to the e-invoicing platform again"),
            done=_("%(document)s: being sent to the e-invoicing platform again."),
            unchanged=_("%(document)s is not waiting to be sent again."),
            offered=_platform_failed,
            run=_platform_again,
        ),
        DocumentAction(
            name="delete_draft",
            label=_("Delete draft"),
            done=_("%(document)s: deleted."),
            asks_first=True,
            offered=lambda document: document.is_draft,
            run=_delete_draft,
        ),
        DocumentAction(
            name="mark_paid",
            label=_("Mark as paid"),
            done=_("%(document)s: marked as paid."),
            asks_first=True,
            offered=status.is_payable,
            run=_mark_paid,
        ),
        DocumentAction(
            name="mark_accepted",
            label=_("Mark accepted"),
            done=_("%(document)s: marked accepted."),
            offered=status.is_answerable,
            run=_accept,
        ),
        DocumentAction(
            name="mark_declined",
            label=_("Mark declined"),
            done=_("%(document)s: marked declined."),
            offered=status.is_answerable,
            run=_decline,
        ),
        DocumentAction(
            name="convert_to_invoice",
            label=_("Convert to invoice"),
            done=_("%(document)s: converted into a draft invoice."),
            offered=_convertible,
            run=_convert,
            follow=True,
        ),
        DocumentAction(
            name="remind_now",
            label=_("Remind now"),
            done=_("%(document)s: a reminder is being sent to the client."),
            offered=mail_services.is_remindable,
            run=_remind_now,
        ),
        DocumentAction(
            name="duplicate",
            label=_("Duplicate"),
            done=_("%(document)s: duplicated as the new draft below."),
            offered=services.is_duplicable,
            run=_duplicate,
            follow=True,
        ),
        DocumentAction(
            name="waive_interest",
            label=_("Waive the late interest"),
            done=_("%(document)s: late-payment interest waived."),
            unchanged=_("%(document)s: its interest was already waived."),
            offered=lambda document: (
                _has_late_fees(document) and not document.late_interest_waived
            ),
            run=_waive_interest,
        ),
        DocumentAction(
            name="waive_indemnity",
            label=_("Waive the €40 indemnity"),
            done=_("%(document)s: recovery indemnity waived."),
            unchanged=_("%(document)s: its indemnity was already waived."),
            offered=lambda document: (
                _has_late_fees(document) and not document.recovery_indemnity_waived
            ),
            run=_waive_indemnity,
        ),
        DocumentAction(
            name="claim_late_fees",
            label=_("Claim late fees again"),
            done=_("%(document)s: late fees claimed again."),
            unchanged=_("%(document)s: nothing was waived."),
            offered=lambda document: (
                _has_late_fees(document)
                and (
                    document.late_interest_waived or document.recovery_indemnity_waived
                )
            ),
            run=_claim_late_fees,
        ),
        DocumentAction(
            name="add_late_fees",
            label=_("Add late fees"),
            done=_(
                "%(document)s: its late fees are billed on a new draft invoice: "
                "read it, then finalise and send it."
            ),
            offered=_late_fees_billable,
            run=_add_late_fees,
            asks_first=True,
            follow=True,
        ),
        DocumentAction(
            name="reminders_off",
            label=_("Turn reminders off"),
            done=_("%(document)s: no more reminders."),
            unchanged=_("%(document)s already had its reminders off."),
            offered=lambda document: (
                document.reminders_enabled and _reminders_apply(document)
            ),
            run=_reminders_off,
        ),
        DocumentAction(
            name="reminders_on",
            label=_("Turn reminders on"),
            done=_("%(document)s: reminders on."),
            unchanged=_("%(document)s already had its reminders on."),
            offered=lambda document: (
                not document.reminders_enabled and _reminders_apply(document)
            ),
            run=_reminders_on,
        ),
    )
}

REFUSALS = ActionRefused


def bulk_action(action: DocumentAction) -> Callable[..., HttpResponse | None]:
    """The changelist version of an action: the same service, document by
    document, after its confirmation page for an action that asks first."""

    def run_selected(
        model_admin: Any, request: HttpRequest, queryset: QuerySet[Document]
    ) -> HttpResponse | None:
        documents = list(queryset.select_related("client").order_by("pk"))
        if action.asks_first and request.POST.get("confirmed") != "yes":
            # What will happen to each, and a form posting the selection back.
            return model_admin.action_confirmation(
                request, action, documents, bulk=True
            )
        results = model_admin.run_action(request, action, documents)
        made = [result for result in results if isinstance(result, Document)]
        if action.follow and len(documents) == 1 and made:
            # One document, and the action made another (e.g. the invoice of
            # its late fees): go to it, as from the document's own page.
            return HttpResponseRedirect(document_admin_url(made[0]))
        return None

    run_selected.__name__ = action.name
    # The label itself, lazy: read in the member's language on each page.
    label: Any = action.label
    return admin.action(description=label, permissions=["change"])(run_selected)

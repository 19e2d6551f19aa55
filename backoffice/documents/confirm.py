"""Finalise, Send, Cancel and the other actions that cannot be undone ask
first, on a page saying what will happen (the number to be given, the
addresses to be e-mailed). A GET shows it and changes nothing; the POST runs
the action through its service, on one document or on a selection.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.documents.actions import DOCUMENT_ACTIONS, REFUSALS, DocumentAction
from backoffice.documents.inlines import money_display
from companies.admin_site import member_can_change
from companies.middleware import active_company, member
from companies.money import active_locale, format_day, format_rate
from documents import services, status
from documents.back_office import document_admin_url, kind_page
from documents.late_fees import late_fees
from documents.models import Document, DocumentNumberSequence


@dataclass(frozen=True)
class Consequence:
    text: str
    warning: bool = False  # the service will refuse: say so before


def _day(day: Any) -> str:
    return format_day(day, translation.to_locale(translation.get_language() or "en"))


def next_number(document: Document, kind: str, taken: int = 0) -> str:
    """The number finalising would give now (`taken` more already promised on
    the same page): the sequence is only read, its lock taken on the POST."""
    year = timezone.localdate().year
    last = (
        DocumentNumberSequence.objects.for_company(document.company)
        .filter(kind=kind, year=year)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    return f"{Document.NUMBER_PREFIXES[kind]}-{year}-{last + 1 + taken:04d}"


def _finalise(
    document: Document, portal: bool, taken: int, *, sends: bool = False
) -> list[Consequence]:
    client = document.client.name
    problems = services.finalise_problems(document=document, now=timezone.now())
    if problems:
        # The same words as on the draft's page: it will be refused.
        return [Consequence(problem, warning=True) for problem in problems]
    found = [
        Consequence(
            _(
                "It will be numbered %(number)s, the next number of the year: "
                "numbers follow each other and are never reused."
            )
            % {"number": next_number(document, document.kind, taken)}
        )
    ]
    if document.kind == Document.Kind.INVOICE and document.due_date is not None:
        found.append(
            Consequence(_("It is due on %(day)s.") % {"day": _day(document.due_date)})
        )
    elif document.requires_signature:
        found.append(Consequence(_("The client will be asked to sign it.")))
    if portal and document.hidden_from_portal:
        found.append(
            Consequence(
                _("It stays hidden from %(client)s's portal until you show it.")
                % {"client": client}
            )
        )
    elif portal:
        found.append(
            Consequence(
                _("%(client)s will see it in its portal at once.") % {"client": client}
            )
        )
    if sends and document.hidden_from_portal:
        warning = _(
            "It is hidden from the client's portal, so it cannot be sent: show it "
            "in the portal first, or finalise it alone."
        )
        return [*found, Consequence(warning, warning=True)]
    if sends:
        return [*found, *_send(document, portal, show_first=False)]
    found.append(
        Consequence(
            _(
                "Nobody is e-mailed yet: send it afterwards with “Send to client”. "
                "A later change of its content becomes a new version."
            )
        )
    )
    return found


def _send(document: Document, portal: bool, show_first: bool) -> list[Consequence]:
    client = document.client
    found = []
    if show_first:
        found.append(
            Consequence(
                _("It will be shown in %(client)s's portal.") % {"client": client.name}
            )
        )
    recipients = client.recipients
    if not recipients:
        return [
            *found,
            Consequence(
                _(
                    "%(client)s has no e-mail address, so it cannot be sent: add "
                    "one on the client's page."
                )
                % {"client": client.name},
                warning=True,
            ),
        ]
    if document.sent_at is not None:
        # Asked before anything else: the client already has it.
        found.insert(
            0,
            Consequence(
                _("Already sent on %(day)s: send it again?")
                % {"day": _day(timezone.localdate(document.sent_at))}
            ),
        )
    version = document.current_version
    values = {
        "version": version.number if version is not None else 1,
        "to": ", ".join(recipients),
    }
    found.append(
        Consequence(
            (
                _(
                    "Version %(version)s will be e-mailed to %(to)s, with its PDF "
                    "and the link to the client's portal."
                )
                if portal
                else _("Version %(version)s will be e-mailed to %(to)s, with its PDF.")
            )
            % values
        )
    )
    return found


def _cancel(document: Document, taken: int) -> list[Consequence]:
    if document.kind == Document.Kind.QUOTE:
        text = _(
            "It will read Canceled, here and in the client's portal: the client "
            "can no longer accept or sign it."
        )
    else:
        text = _(
            "A credit note of %(amount)s, numbered %(number)s, will annul it; the "
            "invoice then reads Canceled."
        ) % {
            "amount": money_display(
                status.creditable_amount(document), document.currency
            ),
            "number": next_number(document, Document.Kind.CREDIT_NOTE, taken),
        }
    return [Consequence(text), Consequence(_("This cannot be undone."))]


def _late_fees(document: Document) -> list[Consequence]:
    today = timezone.localdate()
    refusal = services.late_fees_refusal(document, today)
    if refusal is not None:
        return [Consequence(refusal, warning=True)]
    fees = late_fees(document, today)
    assert fees is not None  # billable
    found = [
        Consequence(
            _("A new draft invoice for %(client)s will bill %(total)s:")
            % {
                "client": document.client.name,
                "total": money_display(fees.interest + fees.indemnity, "EUR"),
            }
        )
    ]
    if fees.interest:
        found.append(
            Consequence(
                _(
                    "late-payment interest of %(amount)s: %(days)s days late at "
                    "%(rate)s a year, to today;"
                )
                % {
                    "amount": money_display(fees.interest, fees.currency),
                    "days": fees.days,
                    "rate": format_rate(fees.rate, active_locale()),
                }
            )
        )
    if fees.indemnity:
        found.append(
            Consequence(
                _("the fixed recovery indemnity of %(amount)s.")
                % {"amount": money_display(fees.indemnity, "EUR")}
            )
        )
    found.append(
        Consequence(
            _(
                "Not subject to VAT. %(invoice)s stays as it was issued, and "
                "claims no more late fees from now on."
            )
            % {"invoice": document.number}
        )
    )
    found.append(
        Consequence(
            _(
                "Nothing is numbered or sent yet: read the draft, then finalise "
                "and send it (or delete it to bill nothing)."
            )
        )
    )
    return found


def consequences(
    action: DocumentAction, document: Document, *, portal: bool, taken: int = 0
) -> list[Consequence]:
    """What `action` will do to `document`, in words, before it does."""
    if action.name == "add_late_fees":
        return _late_fees(document)
    if not action.offered(document):
        # e.g. a draft among the invoices selected for Cancel.
        return [
            Consequence(
                _("“%(action)s” does not apply to it (%(status)s): it stays as it is.")
                % {
                    "action": action.label,
                    "status": document.get_status_display().lower(),
                },
                warning=True,
            )
        ]
    if action.name == "finalise":
        return _finalise(document, portal, taken)
    if action.name == "finalise_and_send":
        return _finalise(document, portal, taken, sends=True)
    if action.name in ("send", "show_and_send"):
        return _send(document, portal, show_first=action.name == "show_and_send")
    if action.name == "cancel":
        return _cancel(document, taken)
    if action.name == "correct":
        return [
            *_cancel(document, taken)[:1],
            Consequence(
                _(
                    "A new draft invoice, prefilled with its lines, will replace "
                    "it: correct what was wrong, then finalise it. Each names the "
                    "other."
                )
            ),
            Consequence(_("This cannot be undone.")),
        ]
    if action.name == "reopen":
        return [
            Consequence(
                _(
                    "The client's refusal is answered: the invoice stands as "
                    "issued, to pay by %(client)s, who is told so in its portal "
                    "and may refuse it again. The refusal stays in its history."
                )
                % {"client": document.client.name}
            ),
            Consequence(
                _(
                    "If the invoice was wrong, use “Correct this invoice” instead: "
                    "a credit note and a corrected invoice."
                )
            ),
        ]
    if action.name == "delete_draft":
        return [
            Consequence(
                _("The draft is deleted for good. It never reached the client.")
            )
        ]
    if action.name == "mark_paid":
        return [
            Consequence(
                _(
                    "A payment of %(amount)s, recorded by hand, will settle it: it "
                    "then reads Paid."
                )
                % {"amount": money_display(document.amount_due, document.currency)}
            )
        ]
    return []


class ActionPages:
    """Running actions, and their confirmation pages (mixed into the admins)."""

    def run_action(
        self: Any,
        request: HttpRequest,
        action: DocumentAction,
        documents: Iterable[Document],
    ) -> list[Any]:
        now = timezone.now()
        results = []
        for document in documents:
            try:
                result = action.run(document, member(request), now)
            except REFUSALS as exc:
                self.message_user(
                    request,
                    _("%(document)s: %(reason)s")
                    % {"document": document, "reason": exc},
                    messages.ERROR,
                )
                continue
            results.append(result)
            if action.name != "delete_draft":  # gone: nothing to read back
                document.refresh_from_db(fields=["number"])  # finalising numbers it
            if result is False and action.unchanged is not None:
                self.message_user(
                    request, action.unchanged % {"document": document}, messages.WARNING
                )
            else:
                self.message_user(
                    request, action.done % {"document": document}, messages.SUCCESS
                )
        return results

    def action_confirmation(
        self: Any,
        request: HttpRequest,
        action: DocumentAction,
        documents: list[Document],
        *,
        bulk: bool,
    ) -> TemplateResponse:
        """The page that says what `action` will do, with its confirming form."""
        portal = active_company(request).has_receivables_addon
        promised: dict[str, int] = {}
        items = []
        for document in documents:
            numbered = {
                "finalise": document.kind,
                "finalise_and_send": document.kind,
                "cancel": "credit_note",
                "correct": "credit_note",
            }.get(action.name)
            taken = promised.get(numbered, 0) if numbered else 0
            found = consequences(action, document, portal=portal, taken=taken)
            if numbered and not any(item.warning for item in found):
                promised[numbered] = taken + 1
            items.append({"document": document, "consequences": found})
        page = kind_page(documents[0].kind) if documents else "invoice"
        changelist = reverse(f"admin:documents_{page}_changelist")
        if bulk:
            title = ngettext(
                "%(action)s: %(count)s document",
                "%(action)s: %(count)s documents",
                len(documents),
            ) % {
                "action": action.label,
                "count": len(documents),
            }
            back = request.get_full_path()
        else:
            title = _("%(action)s: %(document)s") % {
                "action": action.label,
                "document": documents[0],
            }
            back = document_admin_url(documents[0])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "action": action,
            "items": items,
            "bulk": bulk,
            "form_action": request.get_full_path(),
            "back_url": back,
            "changelist_url": changelist,
            "list_name": _("Quotes") if page == "quote" else _("Invoices"),
        }
        return TemplateResponse(
            request, "admin/documents/document/action_confirm.html", context
        )

    def document_action(
        self: Any, request: HttpRequest, object_id: str, action_name: str
    ) -> HttpResponse:
        """One action on one document: its confirmation page (GET, for the
        actions that ask first), then the action itself (POST)."""
        if not member_can_change(request):
            raise PermissionDenied
        action = DOCUMENT_ACTIONS.get(action_name)
        document = self.get_object(request, object_id)
        if action is None or document is None:
            raise Http404
        if request.method != "POST":
            if not action.asks_first:
                raise Http404
            return self.action_confirmation(request, action, [document], bulk=False)
        results = self.run_action(request, action, [document])
        if not self.get_queryset(request).filter(pk=document.pk).exists():
            # A deleted draft has no page left: back to its kind's list.
            page = kind_page(document.kind)
            return HttpResponseRedirect(reverse(f"admin:documents_{page}_changelist"))
        if action.follow and results and isinstance(results[0], Document):
            document = results[0]  # e.g. the invoice a quote became
        return HttpResponseRedirect(document_admin_url(document))

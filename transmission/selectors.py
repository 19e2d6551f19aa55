"""Reads of the e-invoice lifecycle for the back office and the portal."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Company
from documents.models import Document
from transmission.models import DirectoryEntry, Flow, LifecycleStatus

# What a client reads in the portal: the buyer's side, in plain words.
CLIENT_WORDS: dict[str, Promise] = {
    "200": gettext_lazy("Sent through the e-invoicing platform"),
    "201": gettext_lazy("Sent through the e-invoicing platform"),
    "202": gettext_lazy("Received by your e-invoicing platform"),
    "203": gettext_lazy("Delivered to you"),
    "204": gettext_lazy("Being processed by you"),
    "205": gettext_lazy("Approved by you"),
    "206": gettext_lazy("Partly approved by you"),
    "207": gettext_lazy("Disputed by you"),
    "208": gettext_lazy("On hold"),
    "209": gettext_lazy("Completed"),
    "210": gettext_lazy("Refused by you"),
    "211": gettext_lazy("Payment sent"),
    "212": gettext_lazy("Payment received"),
    "213": gettext_lazy("Rejected by the e-invoicing platform"),
    "220": gettext_lazy("Canceled"),
    "221": gettext_lazy("Could not be delivered (routing error)"),
    "501": gettext_lazy("Not accepted by the e-invoicing platform"),
}


def lifecycle_of(
    document: Document, *, company: Company | None = None
) -> list[LifecycleStatus]:
    """The document's lifecycle statuses, oldest first (`company`: the
    document's, when the caller has it loaded already)."""
    return list(
        LifecycleStatus.objects.for_company(company or document.company)
        .filter(document=document)
        .order_by("at", "pk")
    )


def invoice_flow_of(document: Document) -> Flow | None:
    return (
        Flow.objects.for_company(document.company)
        .filter(document=document, kind=Flow.Kind.INVOICE)
        .order_by("-pk")
        .first()
    )


def client_words(code: str, *, company_name: str = "") -> str:
    """A status in the client's words (the active language); `company_name`:
    who answers the client (the business that reopened its invoice)."""
    if code == LifecycleStatus.Code.REOPENED:
        return _("Reopened by %(company)s: it is to pay again") % {
            "company": company_name or _("the business")
        }
    return str(
        CLIENT_WORDS.get(code, dict(LifecycleStatus.Code.choices).get(code, code))
    )


def directory_entry_of(document: Document) -> DirectoryEntry | None:
    """What the directory said of the document's client, when it was asked."""
    return (
        DirectoryEntry.objects.for_company(document.company)
        .filter(client_id=document.client_id)
        .first()
    )


def recent_alerts(company: Company, limit: int) -> list[LifecycleStatus]:
    """The latest statuses that ask for the owner (207, 210, 213, 501)."""
    return list(
        LifecycleStatus.objects.for_company(company)
        .filter(code__in=LifecycleStatus.ALERTING)
        .select_related("document__client")
        .order_by("-at", "-pk")[:limit]
    )


def alert_text(status: LifecycleStatus) -> str:
    """One line for the dashboard, in the active language."""
    values = {
        "client": status.document.client.name,
        "number": status.document.number,
        "status": status.get_code_display(),
        "reason": status.reason,
    }
    if status.source == LifecycleStatus.Source.CLIENT:
        if status.reason:
            return _("%(client)s refused %(number)s: %(reason)s") % values
        return _("%(client)s refused %(number)s") % values
    if status.reason:
        return _("%(number)s: %(status)s (e-invoicing platform): %(reason)s") % values
    return _("%(number)s: %(status)s (e-invoicing platform)") % values

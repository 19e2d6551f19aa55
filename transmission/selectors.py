"""Reads of the e-invoice lifecycle for the back office and the portal."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from documents.models import Document
from transmission.models import DirectoryEntry, Flow, LifecycleStatus

# What a client reads in the portal: the buyer's side, in plain words.
CLIENT_WORDS: dict[str, Promise] = {
    "200": _("Sent through the e-invoicing platform"),
    "201": _("Sent through the e-invoicing platform"),
    "202": _("Received by your e-invoicing platform"),
    "203": _("Delivered to you"),
    "204": _("Being processed by you"),
    "205": _("Approved by you"),
    "206": _("Partly approved by you"),
    "207": _("Disputed by you"),
    "208": _("On hold"),
    "209": _("Completed"),
    "210": _("Refused by you"),
    "211": _("Payment sent"),
    "212": _("Payment received"),
    "213": _("Rejected by the e-invoicing platform"),
    "220": _("Canceled"),
    "221": _("Could not be delivered (routing error)"),
    "501": _("Not accepted by the e-invoicing platform"),
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


def client_words(code: str) -> str:
    """A status in the client's words (the active language)."""
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

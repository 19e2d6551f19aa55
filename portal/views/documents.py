"""A document's page (any of its versions) and its versions' PDFs."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from documents import status
from documents.late_fees import late_fees
from documents.models import Document, DocumentEvent
from portal import selectors
from portal.door import portal_visit
from portal.views.invoice_payment import invoice_payment_context
from portal.views.page import cached_page, list_url, page_context
from portal.views.quotes import quote_answer_context
from printing import downloads
from transmission import selectors as lifecycle_selectors

# What get_kind_display() shows, without its per-call hashing of every choice.
EVENT_LABELS = dict(DocumentEvent.Kind.choices)
# An invoice's history agreed with its gender in French ("Émise", "Envoyée"):
# the plain labels are masculine, as a quote and a credit note are.
INVOICE_EVENT_LABELS = EVENT_LABELS | {
    DocumentEvent.Kind.FINALISED: pgettext_lazy("invoice", "Finalised"),
    DocumentEvent.Kind.SENT: pgettext_lazy("invoice", "Sent"),
    DocumentEvent.Kind.CANCELED: pgettext_lazy("invoice", "Canceled"),
}


def _document_page(
    request: HttpRequest,
    token: str,
    document_id: int,
    number: int | None,
    *,
    extra: dict | None = None,
    status_code: int = 200,
) -> HttpResponse:
    """A document's page; `extra` adds to its context (a form's errors)."""
    visit = portal_visit(request, token)
    client = visit.client
    document = selectors.portal_document(client=client, document_id=document_id)
    if number is None:
        version = document.current_version
    else:
        version = selectors.portal_document_version(
            client=client, document=document, number=number
        )
    if version is None:  # a finalised document always has one; be safe anyway
        raise Http404("No version.")
    context = page_context(visit)
    today = timezone.localdate()
    client_status = status.client_status(document, today)
    latest_number = document.current_version.number if document.current_version else 0
    ids = {"token": token, "document_id": document.pk}
    is_einvoice = document.kind != Document.Kind.QUOTE
    document_url = reverse("portal:document", kwargs=ids)

    def version_urls(number: int) -> dict[str, str]:
        return {
            # The latest version's page is the document's own.
            "url": document_url
            if number == latest_number
            else reverse("portal:document_version", kwargs={**ids, "number": number}),
            "pdf_url": reverse(
                "portal:document_version_pdf", kwargs={**ids, "number": number}
            ),
            "xml_url": reverse(
                "portal:document_version_xml", kwargs={**ids, "number": number}
            )
            if is_einvoice
            else "",
        }

    history = selectors.portal_document_history(client=client, document=document)
    labels = (
        INVOICE_EVENT_LABELS if document.kind == Document.Kind.INVOICE else EVENT_LABELS
    )
    versions = [
        {
            **item,
            # As the date:'c' filter writes it, without its cost per item.
            "created_at_iso": timezone.localtime(item["created_at"]).isoformat(),
            **version_urls(item["number"]),
        }
        for item in history["versions"]
    ]
    events = [
        {
            **event,
            "at_iso": timezone.localtime(event["at"]).isoformat(),
            "label": labels.get(event["kind"], event["kind"]),
        }
        for event in history["events"]
    ]
    superseded = version.number != latest_number
    # The latest of the client's refusals and the business's reopenings.
    refusal_answer = next(
        (
            item["code"]
            for item in reversed(history["lifecycle"])
            if item["code"] == "reopened"
            or (item["code"] == "210" and item["source"] == "client")
        ),
        "",
    )
    context |= {
        "document": document,
        "document_url": document_url,
        "version": version,
        "pdf_url": version_urls(version.number)["pdf_url"],
        "xml_url": version_urls(version.number)["xml_url"],
        "related": [
            {
                **item,
                "url": reverse(
                    "portal:document",
                    kwargs={"token": token, "document_id": item["id"]},
                ),
            }
            for item in selectors.portal_related_documents(
                client=client, document=document
            )
        ],
        "content": version.content,
        "status": client_status.value,
        "status_label": status.client_status_label(client_status, document.kind),
        "superseded": superseded,
        # Money the business owes the client back on an invoice (paid beyond
        # what it asks for now: an overpayment, or a credit note after payment).
        "owed_back": status.amount_owed_back(document)
        if document.kind == Document.Kind.INVOICE
        else 0,
        "can_answer": not superseded and status.is_signable(document, today),
        # French late-payment law on an overdue B2B invoice, to date.
        "late_fees": late_fees(document, today),
        "latest_number": latest_number,
        "versions": versions,
        "events": events,
        "list_url": list_url(token, document.kind),
        # The e-invoicing reform's statuses, in the client's words.
        "lifecycle": [
            {
                **item,
                "label": lifecycle_selectors.client_words(
                    item["code"], company_name=client.company.name
                ),
                "at_iso": timezone.localtime(item["at"]).isoformat(),
            }
            for item in history["lifecycle"]
        ],
        # The business reopened the invoice after the client's refusal (the
        # latest of the two): said above the invoice, until refused again.
        "reopened": refusal_answer == "reopened",
        # An invoice still to pay may be refused, with a reason, unless its
        # refusal stands (refused again after the business reopened it).
        "refuse_url": reverse("portal:invoice_refuse", kwargs=ids)
        if document.kind == Document.Kind.INVOICE
        and not superseded
        and document.status in status.OPEN_INVOICE_STATUSES
        and refusal_answer != "210"
        else "",
    }
    if document.kind == document.Kind.QUOTE:
        context |= quote_answer_context(
            request, client, document, can_answer=context["can_answer"]
        )
    context |= invoice_payment_context(request, client, document, superseded=superseded)
    context |= extra or {}
    return render(request, "portal/document_detail.html", context, status=status_code)


@login_not_required
@require_safe
def document_detail(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """A document as it stands now: its latest version, versions and history."""
    return cached_page(
        request, token, lambda _visit: _document_page(request, token, document_id, None)
    )


@login_not_required
@require_safe
def document_version_detail(
    request: HttpRequest, token: str, document_id: int, number: int
) -> HttpResponse:
    """Any version of a document; an older one is shown as superseded."""
    return cached_page(
        request,
        token,
        lambda _visit: _document_page(request, token, document_id, number),
    )


@login_not_required
@require_safe
def document_version_pdf(
    request: HttpRequest, token: str, document_id: int, number: int
) -> HttpResponseBase:
    """The PDF of one version, once the client, document and version all resolve."""
    client = portal_visit(request, token).client
    document = selectors.portal_document(client=client, document_id=document_id)
    version = selectors.portal_document_version(
        client=client, document=document, number=number
    )
    return downloads.version_pdf_response(request=request, version=version)


@login_not_required
@require_safe
def document_version_xml(
    request: HttpRequest, token: str, document_id: int, number: int
) -> HttpResponseBase:
    """The Factur-X XML of one version of an invoice or credit note."""
    client = portal_visit(request, token).client
    document = selectors.portal_document(client=client, document_id=document_id)
    version = selectors.portal_document_version(
        client=client, document=document, number=number
    )
    return downloads.version_xml_response(request=request, version=version)

"""The invoices and quotes tabs."""

from decimal import Decimal
from typing import Literal

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_POST, require_safe

from clients.models import Client
from companies import money
from documents.models import Document
from documents.selectors import CurrencyBalance
from documents.status import (
    ClientStatus,
    DocumentWithClientStatus,
    client_status_label,
)
from payments import services
from portal import selectors
from portal.door import PortalVisit, portal_visit
from portal.forms import DocumentFilterForm
from portal.preview import preview_refuses_posts
from portal.selectors.balance import DeclaredTransfer
from portal.views.invoice_payment import CHECKOUT_NOTICES
from portal.views.page import cached_page, list_url, page_context
from portal.views.pay_several import pay_several_context, ticked_invoices

# Statuses whose row also shows what is left to pay.
PART_PAID = (
    ClientStatus.TO_PAY,
    ClientStatus.OVERDUE,
    ClientStatus.PARTIALLY_PAID,
    ClientStatus.PROCESSING,
)


def _tabs(client: Client, current: str) -> list[dict]:
    counts = selectors.portal_tab_counts(client=client)
    token = client.portal_token
    return [
        {
            "kind": Document.Kind.INVOICE,
            "label": translation.gettext("Invoices"),
            "count": counts["invoice"],
            "url": list_url(token, Document.Kind.INVOICE),
            "current": current == Document.Kind.INVOICE,
        },
        {
            "kind": Document.Kind.QUOTE,
            "label": translation.gettext("Quotes"),
            "count": counts["quote"],
            "url": list_url(token, Document.Kind.QUOTE),
            "current": current == Document.Kind.QUOTE,
        },
    ]


def _row(
    document: DocumentWithClientStatus,
    *,
    token: str,
    kind: str,
    locale: str,
    declared: dict[int, DeclaredTransfer],
) -> dict[str, object]:
    """One list row ready to print, formatted as the document_format filters do
    (here once per row rather than once per cell)."""
    # The due date of an invoice, the expiry date of a quote.
    deadline = (
        document.due_date if kind == Document.Kind.INVOICE else document.expiry_date
    )
    status = ClientStatus(document.client_status)
    return {
        "id": document.pk,
        "number": document.number,
        "url": reverse(
            "portal:document", kwargs={"token": token, "document_id": document.pk}
        ),
        "status": status.value,
        "status_label": client_status_label(status, document.kind),
        # A credit note takes money off: shown as the negative amount it is.
        "amount": money.format_money(
            -document.total
            if document.kind == Document.Kind.CREDIT_NOTE
            else document.total,
            document.currency,
            locale,
        ),
        # What is left to pay, when it is not the whole total.
        "amount_due": money.format_money(document.amount_due, document.currency, locale)
        if status in PART_PAID and document.amount_due != document.total
        else "",
        # What the business owes back on an invoice (paid beyond what it now
        # asks for), whatever its status: paid, canceled by a credit note.
        "owed_back": money.format_money(-document.amount_due, document.currency, locale)
        if document.kind == Document.Kind.INVOICE and document.amount_due < 0
        else "",
        "issue_date": document.issue_date.isoformat(),
        "issue_day": money.format_day(document.issue_date, locale),
        "deadline": deadline.isoformat() if deadline else "",
        "deadline_day": money.format_day(deadline, locale) if deadline else "",
        # "Transfer declared on 3 Dec, awaiting confirmation", until the owner
        # records or rejects it.
        "declared": translation.gettext(
            "Transfer declared on %(date)s, awaiting confirmation"
        )
        % {
            "date": money.format_day_month(
                timezone.localdate(declared[document.pk]["declared_at"]), locale
            )
        }
        if document.pk in declared
        else "",
    }


def _declared(client: Client, lines: list[CurrencyBalance]) -> list[DeclaredTransfer]:
    """The declared transfers awaiting the owner; no query when nothing is owed."""
    if not any(line["owed"] > 0 for line in lines):
        return []
    return selectors.portal_declared_transfers(client=client)


def _balance(
    lines: list[CurrencyBalance], declared: list[DeclaredTransfer], locale: str
) -> dict[str, object]:
    """The invoices tab's opening lines: owed, overdue, processing and the part
    of what is owed the client says it paid by transfer, each formatted per
    currency (`portal.selectors.balance`)."""
    declared_sums: dict[str, Decimal] = {}
    for transfer in declared:
        currency = transfer["currency"]
        declared_sums[currency] = (
            declared_sums.get(currency, Decimal(0)) + transfer["amount"]
        )

    def amounts(
        name: Literal["owed", "overdue", "processing"],
    ) -> list[dict[str, str]]:
        return [
            {
                "currency": line["currency"],
                "amount": money.format_money(line[name], line["currency"], locale),
            }
            for line in lines
            if line[name] > 0
        ]

    return {
        "owed": amounts("owed"),
        "overdue": amounts("overdue"),
        "overdue_count": sum(line["overdue_count"] for line in lines),
        "processing": amounts("processing"),
        "declared": [
            {
                "currency": currency,
                "amount": money.format_money(amount, currency, locale),
            }
            for currency, amount in sorted(declared_sums.items())
        ],
    }


def document_list_page(
    request: HttpRequest,
    visit: PortalVisit,
    kind: str,
    *,
    pay_several: dict | None = None,
    status_code: int = 200,
) -> HttpResponse:
    client = visit.client
    token = visit.token
    context = page_context(visit)
    form = DocumentFilterForm(request.GET or None, kind=kind)
    filters = form.filters() if request.GET else {"status": "", "number": ""}
    documents = selectors.portal_document_list(
        client=client, kind=kind, today=timezone.localdate(), **filters
    )
    tabs = _tabs(client, kind)
    filtered = bool(filters["status"] or filters["number"])
    paginator = Paginator(documents, selectors.PAGE_SIZE)
    if not filtered:
        # Unfiltered, the tab's count is the list's: no second COUNT(*).
        paginator.count = next(tab["count"] for tab in tabs if tab["kind"] == kind)
    page = paginator.get_page(request.GET.get("page"))
    locale = translation.to_locale(translation.get_language())
    lines: list[CurrencyBalance] = []
    declared: list[DeclaredTransfer] = []
    if kind == Document.Kind.INVOICE:
        lines = selectors.portal_balance(client=client, today=timezone.localdate())
        declared = _declared(client, lines)
    declared_by_invoice = {transfer["invoice_id"]: transfer for transfer in declared}
    context |= {
        "kind": kind,
        "tabs": tabs,
        "form": form,
        # The status <select>, written out in the template: Django's widget
        # templates cost more than the rest of the form.
        "status_field": form["status"],
        "status_choices": form.status_choices,
        "status_value": filters["status"],
        "filtered": filtered,
        "page_obj": page,
        "rows": [
            _row(
                document,
                token=token,
                kind=kind,
                locale=locale,
                declared=declared_by_invoice,
            )
            for document in page.object_list
        ],
        "list_url": next(tab["url"] for tab in tabs if tab["current"]),
        "balance": _balance(lines, declared, locale)
        if kind == Document.Kind.INVOICE
        else None,
    }
    if kind == Document.Kind.INVOICE:
        context["pay_several"] = pay_several or pay_several_context(
            request, visit, declared=frozenset(declared_by_invoice)
        )
        context["checkout_notice"] = _checkout_notice(request, lines)
    return render(request, "portal/document_list.html", context, status=status_code)


def _checkout_notice(request: HttpRequest, lines: list[CurrencyBalance]) -> str:
    """What became of paying several invoices (back from Checkout), never
    contradicting the totals: "canceled" or "no payment" once nothing is owed
    is not said."""
    notice = request.GET.get("checkout", "")
    if notice not in CHECKOUT_NOTICES:
        return ""
    if notice in ("open", "canceled") and not any(line["owed"] > 0 for line in lines):
        return ""
    return notice


@login_not_required
@require_safe
def invoice_list(request: HttpRequest, token: str) -> HttpResponse:
    """The invoices tab: also the portal's home, the link the client receives."""
    return cached_page(
        request,
        token,
        lambda visit: document_list_page(request, visit, Document.Kind.INVOICE),
    )


@login_not_required
@require_safe
def quote_list(request: HttpRequest, token: str) -> HttpResponse:
    return cached_page(
        request,
        token,
        lambda visit: document_list_page(request, visit, Document.Kind.QUOTE),
    )


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@login_not_required
@require_POST
@preview_refuses_posts
def invoices_pay(request: HttpRequest, token: str) -> HttpResponse:
    """Open one Checkout Session for the ticked invoices and send the client
    there; the invoices tab again, with the reason, when it cannot."""
    visit = portal_visit(request, token)
    client = visit.client
    ids, chosen = ticked_invoices(request, client)
    error, code = "", 400
    if chosen is None:
        error = translation.gettext("Choose the invoices to pay.")
    else:
        back = request.build_absolute_uri(reverse("checkout:return"))
        canceled = request.build_absolute_uri(reverse("checkout:canceled"))
        urls = {
            "success_url": f"{back}?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{canceled}?session_id={{CHECKOUT_SESSION_ID}}",
        }
        try:
            if len(chosen) == 1:
                checkout_url = services.invoice_checkout_start(
                    invoice=chosen[0],
                    client=client,
                    locale=visit.language,
                    now=timezone.now(),
                    **urls,
                )
            else:
                checkout_url = services.invoices_checkout_start(
                    client=client,
                    invoices=chosen,
                    locale=visit.language,
                    now=timezone.now(),
                    **urls,
                )
        except (services.BatchUnavailable, services.PaymentUnavailable) as exc:
            error = str(exc)
            code = 503 if exc.__cause__ else 409
        else:
            return _see_other(checkout_url)
    return document_list_page(
        request,
        visit,
        Document.Kind.INVOICE,
        pay_several=pay_several_context(request, visit, chosen=ids, error=error),
        status_code=code,
    )

"""The back office's home page: a dashboard of the active company's receivables.

What is owed (and how much of it is late), what came in this month, the quotes
that wait on an answer, and the latest activity on documents, each line linking
to its document. Amounts are summed per currency and shown in the member's
language. A fixed handful of queries, however many documents there are.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from backoffice.documents.invoices import OWED
from companies.admin_display import moment_text
from companies.admin_site import back_office, member_can_view
from companies.middleware import request_company
from companies.models import Company
from companies.money import format_totals
from documents import status
from documents.events import NOTIFYING_KINDS
from documents.models import Document, DocumentEvent
from documents.selectors import balance
from documents.status import ClientStatus
from mail.notifications import activity_text
from payments.models import Payment
from transmission import selectors as lifecycle_selectors

# What the feed shows: what clients did (as e-mailed to owners and admins),
# whoever recorded a payment, and documents sent to clients.
ACTIVITY_KINDS = NOTIFYING_KINDS | {DocumentEvent.Kind.SENT}
ACTIVITY_LENGTH = 15


def _list_url(name: str, filters: dict[str, str]) -> str:
    return f"{reverse(name)}?{urlencode(filters)}"


def _documents_url(kind: str, filters: dict[str, str]) -> str:
    """A list of documents of `kind`, filtered: the kind's own list when the
    back office has one, else the shared list narrowed to the kind."""
    try:
        return _list_url(f"admin:documents_{kind}_changelist", filters)
    except NoReverseMatch:
        return _list_url(
            "admin:documents_document_changelist", {"kind__exact": kind, **filters}
        )


def _figure(rows: Iterable[Mapping[str, Any]], amount: str, count: str) -> dict:
    """Amounts per currency (in the member's language; a currency with none
    left out) and how many in all."""
    rows = list(rows)  # one row per currency (grouped by the query)
    totals = {row["currency"]: row[amount] for row in rows if row[amount]}
    return {
        "amounts": format_totals(totals),
        "count": sum(row[count] for row in rows),
    }


def receivables_figures(company: Company, today: dt.date) -> dict[str, dict]:
    """Outstanding (as `documents.selectors.balance` adds it up, the portal's
    figures too), overdue, processing, received this month and quotes awaiting
    an answer: three queries."""
    documents = Document.objects.for_company(company)
    invoices = balance(documents, today=today)
    quotes = (
        documents.filter(status.awaiting_client(Document.Kind.QUOTE, today))
        .filter(kind=Document.Kind.QUOTE)
        .values("currency")
        .annotate(quoted=Sum("total"), waiting=Count("pk"))
        .order_by("currency")
    )
    month_start = today.replace(day=1)
    received = (
        Payment.objects.for_company(company)
        .filter(
            status=Payment.Status.SUCCEEDED,
            received_at__gte=timezone.make_aware(
                dt.datetime.combine(month_start, dt.time.min)
            ),
        )
        .values("currency")
        .annotate(received=Sum("amount"), payments=Count("pk"))
        .order_by("currency")
    )
    return {
        "outstanding": {
            **_figure(invoices, "owed", "owed_count"),
            # To pay, overdue and partially paid: the list's client statuses.
            "url": _documents_url("invoice", {"status_is": OWED}),
        },
        "overdue": {
            **_figure(invoices, "overdue", "overdue_count"),
            "url": _documents_url("invoice", {"status_is": ClientStatus.OVERDUE}),
        },
        "processing": {
            **_figure(invoices, "processing", "processing_count"),
            "url": _documents_url("invoice", {"status_is": ClientStatus.PROCESSING}),
        },
        "received": {
            **_figure(received, "received", "payments"),
            "url": _list_url(
                "admin:payments_payment_changelist",
                {
                    "status__exact": Payment.Status.SUCCEEDED,
                    "received_at__year": str(month_start.year),
                    "received_at__month": str(month_start.month),
                },
            ),
        },
        "quotes": {
            **_figure(quotes, "quoted", "waiting"),
            # Pending ones: an expired quote still pending shows there too.
            "url": _documents_url("quote", {"status__exact": Document.Status.PENDING}),
        },
    }


def recent_activity(company: Company) -> list[dict]:
    """The latest activity on the company's documents and the lifecycle
    statuses that ask for the owner, newest first: two queries."""
    events = (
        DocumentEvent.objects.for_company(company)
        .filter(kind__in=ACTIVITY_KINDS)
        .select_related("document__client")
        .order_by("-at", "-pk")[:ACTIVITY_LENGTH]
    )
    feed: list[dict[str, Any]] = [
        {
            "at": event.at,
            "when": moment_text(event.at),
            "kind": event.kind,
            "text": activity_text(event),
            "url": reverse("admin:documents_document_change", args=[event.document_id]),
        }
        for event in events
    ]
    # What asks for the owner in an invoice's e-invoice lifecycle (a refusal,
    # the client's or the buyer's platform's, a dispute, a rejection): one
    # more query, in the same feed.
    alerts: list[dict[str, Any]] = [
        {
            "at": item.at,
            "when": moment_text(item.at),
            "kind": f"lifecycle-{item.code}",
            "text": lifecycle_selectors.alert_text(item),
            "url": reverse("admin:documents_document_change", args=[item.document_id]),
        }
        for item in lifecycle_selectors.recent_alerts(company, ACTIVITY_LENGTH)
    ]
    return sorted(feed + alerts, key=lambda entry: entry["at"], reverse=True)[
        :ACTIVITY_LENGTH
    ]


def receivables_home(request: HttpRequest) -> dict | None:
    company = request_company(request)
    if company is None or not member_can_view(request):
        return None
    today = timezone.localdate()
    return {
        "template": "admin/documents/_home.html",
        "figures": receivables_figures(company, today),
        "month": today,
        "activity": recent_activity(company),
    }


back_office.home_sections.append(receivables_home)

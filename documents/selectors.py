"""Reads of documents that more than one door needs."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from clients.models import Client
from documents.models import Document, amount_due_expression
from documents.status import (
    OPEN_INVOICE_STATUSES,
    DocumentWithClientStatus,
    with_client_status,
)

# The documents listed on a client's back-office page, newest first.
CLIENT_PAGE_DOCUMENTS = 100


def client_documents(
    *, client: Client, today: dt.date
) -> list[DocumentWithClientStatus]:
    """The client's documents of every kind, drafts included, newest first,
    each annotated with the status its client sees."""
    documents = (
        Document.objects.for_company(client.company)
        .filter(client=client)
        .order_by("-issue_date", "-pk")
    )
    return list(with_client_status(documents, today)[:CLIENT_PAGE_DOCUMENTS])


def client_open_invoices(*, client: Client) -> QuerySet[Document]:
    """The client's finalised invoices that still expect money (a bank debit
    still processing included)."""
    return (
        Document.objects.for_company(client.company)
        .filter(client=client, kind=Document.Kind.INVOICE)
        .filter(status__in=OPEN_INVOICE_STATUSES)
    )


def client_balance(*, client: Client, today: dt.date) -> list[dict[str, Any]]:
    """What the client owes, per currency: in all, of which overdue, and how
    many invoices that is. Currencies in alphabetical order."""
    rows = (
        client_open_invoices(client=client)
        .values("currency")
        .annotate(
            owed=Sum(amount_due_expression()),
            overdue=Sum(amount_due_expression(), filter=Q(due_date__lt=today)),
            invoices=Count("pk"),
        )
        .order_by("currency")
    )
    return [
        {
            "currency": row["currency"],
            "owed": row["owed"] or Decimal(0),
            "overdue": row["overdue"] or Decimal(0),
            "invoices": row["invoices"],
        }
        for row in rows
    ]

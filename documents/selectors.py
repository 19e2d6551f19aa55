"""Reads of documents that more than one door needs."""

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from clients.models import Client
from documents import status
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


class CurrencyBalance(TypedDict):
    """What a set of invoices asks of their clients in one currency."""

    currency: str
    owed: Decimal  # the amount due on owed invoices (`status.owed`)
    owed_count: int
    overdue: Decimal  # of which past due (`status.overdue`)
    overdue_count: int
    processing: Decimal  # paid by a bank debit not yet confirmed
    processing_count: int


def balance(documents: QuerySet[Document], *, today: dt.date) -> list[CurrencyBalance]:
    """What `documents` (a company's, a client's, those its portal shows) ask
    of their clients, per currency in alphabetical order, in one query: owed
    and overdue as `documents.status` decides, for their amount due (total,
    less payments, plus refunds, less credit notes), and what was paid by a
    bank debit still processing, which is neither. Only currencies with
    something owed or processing."""
    due = amount_due_expression()
    owed, overdue, processing = (
        status.owed(),
        status.overdue(today),
        status.processing(),
    )
    rows = (
        documents.filter(owed | processing)
        .values("currency")
        .annotate(
            owed=Sum(due, filter=owed, default=Decimal(0)),
            owed_count=Count("pk", filter=owed),
            overdue=Sum(due, filter=overdue, default=Decimal(0)),
            overdue_count=Count("pk", filter=overdue),
            processing=Sum("amount_processing", filter=processing, default=Decimal(0)),
            processing_count=Count("pk", filter=processing),
        )
        .order_by("currency")
    )
    return [
        CurrencyBalance(
            currency=row["currency"],
            owed=row["owed"],
            owed_count=row["owed_count"],
            overdue=row["overdue"],
            overdue_count=row["overdue_count"],
            processing=row["processing"],
            processing_count=row["processing_count"],
        )
        for row in rows
        if row["owed"] > 0 or row["processing"] > 0
    ]


# How late what is owed is, in days past the due date: the buckets of an
# ageing report and a statement ("not due" holds invoices due today or later,
# and those without a due date).
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("not_due", 0, 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_over_90", 91, None),
)


class CurrencyAgeing(TypedDict):
    """What is owed in one currency, by how late it is (`AGEING_BUCKETS`)."""

    currency: str
    not_due: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal  # the same as `balance`'s owed


def _late_by(today: dt.date, first: int, last: int | None) -> Q:
    """Owed invoices `first` to `last` days past due (0, 0: not yet due)."""
    if first == 0:
        return status.owed() & (Q(due_date__gte=today) | Q(due_date__isnull=True))
    window = Q(due_date__lte=today - dt.timedelta(days=first))
    if last is not None:
        window &= Q(due_date__gte=today - dt.timedelta(days=last))
    return status.owed() & window


def ageing_bucket(name: str, *, today: dt.date) -> Q:
    """The owed invoices of one ageing bucket (`AGEING_BUCKETS`), in SQL: the
    report's drill-down lists exactly what its amount sums.

    :raises KeyError: an unknown bucket.
    """
    first, last = {bucket: (a, b) for bucket, a, b in AGEING_BUCKETS}[name]
    return _late_by(today, first, last)


def ageing(documents: QuerySet[Document], *, today: dt.date) -> list[CurrencyAgeing]:
    """What `documents` have owed, per currency (alphabetical) and by how many
    days past due, in one query; each total is `balance`'s owed."""
    due = amount_due_expression()
    late = {name: _late_by(today, first, last) for name, first, last in AGEING_BUCKETS}
    zero = Decimal(0)
    rows = (
        documents.filter(status.owed())
        .values("currency")
        .annotate(
            not_due=Sum(due, filter=late["not_due"], default=zero),
            days_1_30=Sum(due, filter=late["days_1_30"], default=zero),
            days_31_60=Sum(due, filter=late["days_31_60"], default=zero),
            days_61_90=Sum(due, filter=late["days_61_90"], default=zero),
            days_over_90=Sum(due, filter=late["days_over_90"], default=zero),
            total=Sum(due, default=zero),
        )
        .order_by("currency")
    )
    return [
        CurrencyAgeing(
            currency=row["currency"],
            not_due=row["not_due"],
            days_1_30=row["days_1_30"],
            days_31_60=row["days_31_60"],
            days_61_90=row["days_61_90"],
            days_over_90=row["days_over_90"],
            total=row["total"],
        )
        for row in rows
        if row["total"] > 0
    ]


def clients_with_balance(
    clients: QuerySet[Client], *, today: dt.date
) -> QuerySet[Client]:
    """`clients` annotated with `balance`'s owed and overdue, summed over each
    one's invoices (`owed`, `overdue`), the currency they are in
    (`owed_currency`) and how many currencies (`owed_currencies`): the client
    list shows and sorts by them, in one query."""

    def per_client(value: object, condition: Q) -> Subquery:
        rows = (
            # unscoped: correlated to each client row, already the company's
            Document.objects.filter(client=OuterRef("pk"))
            .filter(condition)
            .order_by()
            .values("client")
            .annotate(value=value)
            .values("value")
        )
        return Subquery(rows[:1])

    due = amount_due_expression()
    zero = Decimal(0)
    return clients.annotate(
        owed=Coalesce(per_client(Sum(due), status.owed()), zero),
        overdue=Coalesce(per_client(Sum(due), status.overdue(today)), zero),
        owed_currency=per_client(Min("currency"), status.owed()),
        owed_currencies=Coalesce(
            per_client(Count("currency", distinct=True), status.owed()), 0
        ),
    )


def client_balance(*, client: Client, today: dt.date) -> list[CurrencyBalance]:
    """What the client owes, per currency (`balance` of all its invoices)."""
    documents = Document.objects.for_company(client.company).filter(client=client)
    return balance(documents, today=today)

"""What the client owes, as the invoices tab opens with it.

The figures follow `documents.status`: an invoice is owed while it is open
(to pay or partially paid) and for its amount due (its total, less payments,
plus refunds, less credit notes: `amount_due_expression`); it is overdue past
its due date; one whose payment is processing is neither owed nor overdue
(the client has paid, the bank has not confirmed), as `client_status` says.
Only invoices the client can see count, so the figures add up with the list.
"""

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from clients.models import Client
from documents.models import Document, amount_due_expression
from documents.status import OPEN_INVOICE_STATUSES, awaiting_client
from portal.selectors import REVISION_CACHE_SECONDS, _revision_key, portal_documents


class CurrencyBalance(TypedDict):
    currency: str
    owed: Decimal
    overdue: Decimal
    overdue_count: int
    processing: Decimal


def portal_balance(*, client: Client, today: dt.date) -> list[CurrencyBalance]:
    """Per currency (alphabetical), what the client owes on its visible invoices,
    how much of it is overdue (and on how many invoices), and what it paid that
    is still processing; only currencies with something owed or processing.

    One query, then cached under the client's revision and the day (an invoice
    becomes overdue with the date alone).
    """
    key = _revision_key(client, f"balance:{today.isoformat()}")
    balance: list[CurrencyBalance] | None = cache.get(key)
    if balance is None:
        balance = _balance(client, today)
        cache.set(key, balance, REVISION_CACHE_SECONDS)
    return balance


def _balance(client: Client, today: dt.date) -> list[CurrencyBalance]:
    due = amount_due_expression()
    owed = awaiting_client(Document.Kind.INVOICE, today)
    overdue = owed & Q(due_date__lt=today)
    processing = Q(amount_processing__gt=0)
    rows = (
        portal_documents(client=client)
        .filter(kind=Document.Kind.INVOICE, status__in=OPEN_INVOICE_STATUSES)
        .values("currency")
        .annotate(
            owed=Sum(due, filter=owed, default=Decimal(0)),
            overdue=Sum(due, filter=overdue, default=Decimal(0)),
            overdue_count=Count("pk", filter=overdue),
            processing=Sum("amount_processing", filter=processing, default=Decimal(0)),
        )
        .order_by("currency")
    )
    return [
        CurrencyBalance(
            currency=row["currency"],
            owed=row["owed"],
            overdue=row["overdue"],
            overdue_count=row["overdue_count"],
            processing=row["processing"],
        )
        for row in rows
        if row["owed"] > 0 or row["processing"] > 0
    ]

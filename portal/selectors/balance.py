"""What the client owes, as the invoices tab opens with it.

`documents.selectors.balance` of the invoices the client can see, so the
figures add up with the list and agree with the back office's.
"""

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.core.cache import cache

from clients.models import Client
from documents import status
from documents.selectors import CurrencyBalance, balance
from payments.models import TransferDeclaration
from portal.selectors import REVISION_CACHE_SECONDS, portal_documents, revision_key


class PayableInvoice(TypedDict):
    """An invoice the Pay several form offers, as plain values."""

    id: int
    number: str
    currency: str
    amount_due: Decimal
    due_date: dt.date | None


def portal_payable_invoices(*, client: Client, limit: int) -> list[PayableInvoice]:
    """The client's visible invoices that may be paid now, by currency then
    due date (at most `limit`): one query, cached under the client's revision
    (every payment, declaration and change of status bumps it)."""
    key = revision_key(client, f"payable:{limit}")
    payable: list[PayableInvoice] | None = cache.get(key)
    if payable is None:
        candidates = (
            portal_documents(client=client)
            .filter(status.owed())
            .order_by("currency", "due_date", "pk")[:limit]
        )
        payable = [
            PayableInvoice(
                id=invoice.pk,
                number=invoice.number or "",
                currency=invoice.currency,
                amount_due=invoice.amount_due,
                due_date=invoice.due_date,
            )
            for invoice in candidates
            if status.is_payable(invoice)
        ]
        cache.set(key, payable, REVISION_CACHE_SECONDS)
    return payable


class DeclaredTransfer(TypedDict):
    """A transfer the client says it made, the owner has yet to record or reject."""

    invoice_id: int
    currency: str
    amount: Decimal
    declared_at: dt.datetime


def portal_balance(*, client: Client, today: dt.date) -> list[CurrencyBalance]:
    """Per currency (alphabetical), what the client owes on its visible
    invoices, how much of it is overdue, and what it paid that is still
    processing.

    One query, then cached under the client's revision and the day (an invoice
    becomes overdue with the date alone).
    """
    key = revision_key(client, f"balance:{today.isoformat()}")
    lines: list[CurrencyBalance] | None = cache.get(key)
    if lines is None:
        lines = balance(portal_documents(client=client), today=today)
        cache.set(key, lines, REVISION_CACHE_SECONDS)
    return lines


def portal_declared_transfers(*, client: Client) -> list[DeclaredTransfer]:
    """The transfers the client declared on its visible invoices still owed,
    awaiting the owner (oldest first): one query, cached under the client's
    revision (declaring, recording and rejecting each bump it)."""
    key = revision_key(client, "declared-transfers")
    declared: list[DeclaredTransfer] | None = cache.get(key)
    if declared is None:
        owed = portal_documents(client=client).filter(status.owed())
        rows = (
            TransferDeclaration.objects.for_company(client.company)
            .waiting()
            .filter(invoice__in=owed.values("pk"))
            .order_by("declared_at", "pk")
            .values_list("invoice_id", "invoice__currency", "amount", "declared_at")
        )
        declared = [
            DeclaredTransfer(
                invoice_id=invoice_id,
                currency=currency,
                amount=amount,
                declared_at=declared_at,
            )
            for invoice_id, currency, amount, declared_at in rows
        ]
        cache.set(key, declared, REVISION_CACHE_SECONDS)
    return declared

"""A client's statement of account: what it was asked for and what it paid, in
date order, with a running balance per currency.

The movements are those the invoice's amount due is made of (its total, less
its credit notes, less its payments, plus their refunds:
`documents.models.amount_due_expression`), so a statement of the open items
closes on `documents.selectors.balance`'s owed, and its ageing is
`documents.selectors.ageing` of the same invoices: one balance rule.

A bounded number of queries whatever the number of documents: the invoices,
their credit notes, their payments, their refunds, then the balance and the
ageing (six).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from clients.models import Client
from documents import status
from documents.models import Document, DocumentVersion
from documents.selectors import CurrencyAgeing, ageing, balance
from payments.models import Payment, Refund
from portal.selectors import portal_documents

# The kinds of movement, in the order they are listed on the same day.
INVOICE, CREDIT_NOTE, PAYMENT, REFUND = "invoice", "credit_note", "payment", "refund"
_ORDER = {INVOICE: 0, CREDIT_NOTE: 1, PAYMENT: 2, REFUND: 3}


@dataclass(frozen=True)
class StatementEntry:
    """One movement: `amount` is signed, positive when it adds to what the
    client owes (an invoice, a refund), negative when it takes from it."""

    day: dt.date
    kind: str
    invoice_id: int  # the invoice it belongs to (the credit note's, the payment's)
    number: str  # the document's number (the invoice's, for a payment or refund)
    invoice_number: str
    amount: Decimal
    due_date: dt.date | None = None
    method: str = ""  # a payment's
    sort_key: int = 0
    balance: Decimal = Decimal(0)  # the running balance after it


@dataclass
class CurrencyStatement:
    currency: str
    opening: Decimal = Decimal(0)
    entries: list[StatementEntry] = field(default_factory=list)
    closing: Decimal = Decimal(0)
    invoiced: Decimal = Decimal(0)  # invoices of the period
    credited: Decimal = Decimal(0)  # credit notes of the period (positive)
    paid: Decimal = Decimal(0)  # payments of the period (positive)
    refunded: Decimal = Decimal(0)  # refunds of the period
    ageing: CurrencyAgeing | None = None  # what is owed today, by lateness
    processing: Decimal = Decimal(0)  # paid by a bank debit not yet confirmed


@dataclass
class Statement:
    """The statement of `start`..`end` (both included), or of the open items
    (`start` None, `open_items` True: every invoice still owed and all its
    movements, whenever they happened)."""

    client: Client
    today: dt.date
    start: dt.date | None
    end: dt.date
    open_items: bool
    currencies: list[CurrencyStatement]

    @property
    def entry_count(self) -> int:
        return sum(len(currency.entries) for currency in self.currencies)


def _day(moment: dt.datetime | None, fallback: dt.date) -> dt.date:
    return timezone.localdate(moment) if moment is not None else fallback


def portal_statement(
    *,
    client: Client,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Statement:
    """The client's statement, over the invoices its portal shows.

    Without `start` nor `end`: its open items (owed invoices, as
    `documents.status.owed` decides), closing on `balance`'s owed. With a
    period: every visible invoice; what happened before `start` makes the
    opening balance, what happened after `end` is left out.
    """
    open_items = start is None and end is None
    end = end or today
    visible = portal_documents(client=client)
    invoices = visible.filter(kind=Document.Kind.INVOICE)
    if open_items:
        invoices = invoices.filter(status.owed())
    invoice_rows = list(
        invoices.order_by("issue_date", "pk").values_list(
            "pk", "number", "currency", "issue_date", "due_date", "total"
        )
    )
    numbers = {row[0]: row[1] or "" for row in invoice_rows}
    currency_of = {row[0]: row[2] for row in invoice_rows}
    entries: list[StatementEntry] = [
        StatementEntry(
            day=issue_date,
            kind=INVOICE,
            invoice_id=pk,
            number=number or "",
            invoice_number=number or "",
            amount=total,
            due_date=due_date,
            sort_key=pk,
        )
        for pk, number, _currency, issue_date, due_date, total in invoice_rows
    ]
    invoice_ids = invoices.values("pk")
    # Every credit note of these invoices counts in their amount due, shown
    # or not (a credit note is final from the moment it is made).
    credit_notes = (
        Document.objects.for_company(client.company)
        .filter(kind=Document.Kind.CREDIT_NOTE, credited_invoice__in=invoice_ids)
        .order_by("issue_date", "pk")
        .values_list("pk", "number", "credited_invoice_id", "issue_date", "total")
    )
    for pk, number, invoice_id, issue_date, total in credit_notes:
        if invoice_id in numbers:
            entries.append(
                StatementEntry(
                    day=issue_date,
                    kind=CREDIT_NOTE,
                    invoice_id=invoice_id,
                    number=number or "",
                    invoice_number=numbers[invoice_id],
                    amount=-total,
                    sort_key=pk,
                )
            )
    payments = (
        Payment.objects.for_company(client.company)
        .succeeded()
        .filter(invoice__in=invoice_ids)
        .order_by("received_at", "pk")
        .values_list("pk", "invoice_id", "amount", "received_at", "method")
    )
    for pk, invoice_id, amount, received_at, method in payments:
        if invoice_id in numbers:
            entries.append(
                StatementEntry(
                    day=_day(received_at, today),
                    kind=PAYMENT,
                    invoice_id=invoice_id,
                    number=numbers[invoice_id],
                    invoice_number=numbers[invoice_id],
                    amount=-amount,
                    method=method,
                    sort_key=pk,
                )
            )
    refunds = (
        Refund.objects.for_company(client.company)
        .filter(invoice__in=invoice_ids)
        .order_by("refunded_at", "pk")
        .values_list("pk", "invoice_id", "amount", "refunded_at")
    )
    for pk, invoice_id, amount, refunded_at in refunds:
        if invoice_id in numbers:
            entries.append(
                StatementEntry(
                    day=_day(refunded_at, today),
                    kind=REFUND,
                    invoice_id=invoice_id,
                    number=numbers[invoice_id],
                    invoice_number=numbers[invoice_id],
                    amount=amount,
                    sort_key=pk,
                )
            )
    entries.sort(key=lambda entry: (entry.day, _ORDER[entry.kind], entry.sort_key))

    by_currency: dict[str, CurrencyStatement] = {}
    for entry in entries:
        currency = currency_of[entry.invoice_id]
        line = by_currency.setdefault(currency, CurrencyStatement(currency=currency))
        if entry.day > end:
            continue
        if start is not None and entry.day < start:
            line.opening += entry.amount
            line.closing += entry.amount
            continue
        line.closing += entry.amount
        line.entries.append(_with_balance(entry, line.closing))
        if entry.kind == INVOICE:
            line.invoiced += entry.amount
        elif entry.kind == CREDIT_NOTE:
            line.credited -= entry.amount
        elif entry.kind == PAYMENT:
            line.paid -= entry.amount
        else:
            line.refunded += entry.amount

    # What is owed today, by lateness, and what is processing: the selectors'
    # own figures, never recomputed here.
    for owed in ageing(visible, today=today):
        line = by_currency.setdefault(
            owed["currency"], CurrencyStatement(currency=owed["currency"])
        )
        line.ageing = owed
    for figures in balance(visible, today=today):
        if figures["processing"] > 0:
            line = by_currency.setdefault(
                figures["currency"], CurrencyStatement(currency=figures["currency"])
            )
            line.processing = figures["processing"]
    currencies = [
        line
        for _code, line in sorted(by_currency.items())
        if line.entries or line.opening or line.closing or line.ageing
    ]
    return Statement(
        client=client,
        today=today,
        start=start,
        end=end,
        open_items=open_items,
        currencies=currencies,
    )


def _with_balance(entry: StatementEntry, running: Decimal) -> StatementEntry:
    return StatementEntry(
        day=entry.day,
        kind=entry.kind,
        invoice_id=entry.invoice_id,
        number=entry.number,
        invoice_number=entry.invoice_number,
        amount=entry.amount,
        due_date=entry.due_date,
        method=entry.method,
        sort_key=entry.sort_key,
        balance=running,
    )


def portal_latest_versions(*, client: Client) -> Iterator[DocumentVersion]:
    """The latest version of every document the client's portal shows, oldest
    document first, read in chunks (a client may have thousands)."""
    return (
        DocumentVersion.objects.for_company(client.company)
        .filter(
            pk__in=portal_documents(client=client)
            .filter(current_version__isnull=False)
            .values("current_version")
        )
        .select_related("document")
        .order_by("document__issue_date", "document_id")
        .iterator(chunk_size=200)
    )

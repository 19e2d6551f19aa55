"""Receipts: one for every payment received, numbered per company and year
without gaps, printed off the request path and e-mailed to the client once.

The number is taken under the company's sequence row lock, inside the
transaction that records the payment (the mechanism of
`documents.services.finalising.number_allocate`): two payments recorded at the
same moment never read the same number, and a payment rolled back (a webhook
delivered twice at once, a database refusal) gives its number back.

The lock serialises every payment of a company from the moment it is taken to
the commit, so it is taken last: inside `receipts_numbered_last` (a webhook's
transaction, a payment recorded by hand) each receipt is only prepared when
its payment is counted, and every receipt of the block is numbered and
inserted together as the block's last statements, one UPDATE … RETURNING per
company and year and one INSERT for them all. The row lock is then held for
that INSERT and the commit, not for the webhook's work. Numbers follow the
order in which transactions reach their end (and, inside one, the order the
payments were counted), no longer the order the payments were counted across
transactions: still gapless, still in the payment's transaction.
"""

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.money import format_day, format_money
from companies.queue import enqueue_at_commit
from documents.models import ClientEmail, Document
from mail import hooks as mail_hooks
from mail.services import client_notice_request
from payments import tasks
from payments.models import Payment, Receipt, ReceiptNumberSequence
from payments.receipt_printing import receipt_pdf_bytes

logger = logging.getLogger(__name__)


def _number_allocate(company_id: int, year: int, count: int = 1) -> int:
    """Reserve `count` numbers of the company's receipts for `year`, inside
    this transaction; the last of them (the first is `last - count + 1`).

    One statement in the common case: the sequence row is incremented and
    locked until commit by the same UPDATE … RETURNING; the row is made the
    first time a year is used.
    """
    table = connection.ops.quote_name(ReceiptNumberSequence._meta.db_table)
    increment = (
        f"UPDATE {table} SET last_number = last_number + %s "  # noqa: S608 - our names
        "WHERE company_id = %s AND year = %s RETURNING last_number"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(increment, [count, company_id, year])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        # unscoped: the company is named
        ReceiptNumberSequence.objects.bulk_create(
            [ReceiptNumberSequence(company_id=company_id, year=year, last_number=0)],
            ignore_conflicts=True,
        )
    raise RuntimeError("The receipt number sequence could not be made.")


class _ReceiptPrint:
    """A receipt prepared in a transaction. Registered as an `on_commit`
    callback (which does nothing) when the receipt is prepared, it tells
    whether the savepoint it was prepared in still stands: Django drops the
    callbacks of a savepoint rolled back (a batch refused halfway), and with
    them the payment, its e-mail and so its receipt."""

    def __init__(self, receipt: Receipt) -> None:
        self.receipt = receipt
        self.written = False

    def __call__(self) -> None:
        pass  # its PDF was asked for when it was written


_state = threading.local()  # one block at a time per thread (its connection)


@contextmanager
def receipts_numbered_last() -> Iterator[None]:
    """Inside an atomic block: receipts prepared within are numbered and
    written when the block ends without an error, as its last statements.

    Put it inside the transaction, right after `transaction.atomic()` opens
    it, so that nothing runs between the numbering and the commit. Nested
    blocks leave the numbering to the outermost one. An error discards what
    was prepared (the transaction rolls back with it).
    """
    if getattr(_state, "pending", None) is not None:
        yield  # an outer block numbers them
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Receipts are numbered inside the payment's transaction.")
    pending: list[_ReceiptPrint] = []
    _state.pending = pending
    try:
        yield
    finally:
        _state.pending = None
    _receipts_number_and_write(_still_standing(pending))


def _still_standing(pending: list[_ReceiptPrint]) -> list[_ReceiptPrint]:
    """The prepared receipts whose savepoint was not rolled back since."""
    registered = {id(entry[1]) for entry in connection.run_on_commit}
    return [printer for printer in pending if id(printer) in registered]


def _receipts_number_and_write(printers: list[_ReceiptPrint]) -> None:
    receipts = [printer.receipt for printer in printers if not printer.written]
    if not receipts:
        return
    groups: dict[tuple[int, int], list[Receipt]] = {}
    for receipt in receipts:
        groups.setdefault((receipt.company_id, receipt.number_year), []).append(receipt)
    # Always in the same order, so two transactions never wait on each other.
    for (company_id, year), group in sorted(groups.items()):
        last = _number_allocate(company_id, year, len(group))
        for sequence, receipt in enumerate(group, start=last - len(group) + 1):
            receipt.number_sequence = sequence
            receipt.number = f"{Receipt.NUMBER_PREFIX}-{year}-{sequence:04d}"
    Receipt.objects.bulk_create(receipts)
    for printer in printers:
        printer.written = True
        enqueue_at_commit(tasks.receipt_render_pdf, printer.receipt.pk)


def receipt_issue(*, payment: Payment, invoice: Document, now: dt.datetime) -> Receipt:
    """The receipt of a payment just counted on the locked `invoice`, and ask
    for it to be e-mailed to the client (its PDF is printed after commit).
    Runs in the caller's transaction (`recording`), never on its own. Inside
    `receipts_numbered_last` it is only prepared (no number, not saved yet):
    the block writes it when it ends."""
    client = invoice.client
    # Asked for first, so that the receipt is written with it in one INSERT.
    email = client_notice_request(
        client=client, document=invoice, kind=ClientEmail.Kind.RECEIPT, now=now
    )
    receipt = Receipt(
        company_id=invoice.company_id,
        payment=payment,
        invoice=invoice,
        client=client,
        number_year=timezone.localdate(now).year,
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        received_at=payment.received_at or now,
        amount_due_after=max(invoice.amount_due, Decimal(0)),
        issued_at=now,
        email=email,
    )
    printer = _ReceiptPrint(receipt)
    pending = getattr(_state, "pending", None)
    if pending is None:
        _receipts_number_and_write([printer])
    else:
        pending.append(printer)
    transaction.on_commit(printer)
    return receipt


def receipt_email_content(email: ClientEmail, company: str) -> mail_hooks.EmailContent:
    """The receipt e-mail: what was received, how, when, what is left; the
    receipt's PDF attached (printed now if the task has not yet)."""
    # unscoped: the e-mail's own receipt, named by the row the service wrote
    receipt = Receipt.objects.select_related("invoice", "client").get(email=email)
    locale = translation.to_locale(translation.get_language())
    values = {
        "company": company,
        "amount": format_money(receipt.amount, receipt.currency, locale),
        "invoice": receipt.invoice.number or "",
    }
    facts: list[tuple[str, str]] = [
        (_("Receipt"), receipt.number),
        (_("Invoice"), receipt.invoice.number or ""),
        (_("Amount received"), values["amount"]),
        (_("Paid by"), str(Payment.Method(receipt.method).label)),
        (_("Received on"), format_day(timezone.localdate(receipt.received_at), locale)),
        (
            _("Left to pay"),
            format_money(receipt.amount_due_after, receipt.currency, locale),
        ),
    ]
    return mail_hooks.EmailContent(
        subject=_("Receipt %(number)s from %(company)s")
        % {"number": receipt.number, "company": company},
        intro=_(
            "%(company)s has received your payment of %(amount)s for invoice "
            "%(invoice)s. Thank you."
        )
        % values,
        facts=facts,
        button=_("View the invoice"),
        attachments=[
            mail_hooks.Attachment(
                f"{receipt.number}.pdf", receipt_pdf_bytes(receipt=receipt)
            )
        ],
    )

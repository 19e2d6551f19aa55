"""Receipts: one for every payment received, numbered per company and year
without gaps, printed off the request path and e-mailed to the client once.

The number is taken under the company's sequence row lock, inside the
transaction that records the payment (the mechanism of
`documents.services.finalising.number_allocate`): two payments recorded at the
same moment never read the same number, and a payment rolled back (a webhook
delivered twice at once, a database refusal) gives its number back.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.money import format_day, format_money
from documents.models import ClientEmail, Document
from mail import hooks as mail_hooks
from mail.services import client_notice_request
from payments import tasks
from payments.models import Payment, Receipt, ReceiptNumberSequence
from payments.receipt_printing import receipt_pdf_bytes

logger = logging.getLogger(__name__)


def _number_allocate(company_id: int, now: dt.datetime) -> tuple[int, int]:
    """The next (year, number) of the company's receipts, inside this transaction.

    One statement in the common case (every payment of a webhook takes one):
    the sequence row is incremented and locked until commit by the same
    UPDATE … RETURNING; the row is made the first time a year is used.
    """
    year = timezone.localdate(now).year
    table = connection.ops.quote_name(ReceiptNumberSequence._meta.db_table)
    increment = (
        f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - our names
        "WHERE company_id = %s AND year = %s RETURNING last_number"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(increment, [company_id, year])
            row = cursor.fetchone()
        if row is not None:
            return year, int(row[0])
        # unscoped: the company is named
        ReceiptNumberSequence.objects.bulk_create(
            [ReceiptNumberSequence(company_id=company_id, year=year, last_number=0)],
            ignore_conflicts=True,
        )
    raise RuntimeError("The receipt number sequence could not be made.")


def receipt_issue(*, payment: Payment, invoice: Document, now: dt.datetime) -> Receipt:
    """Write the receipt of a payment just counted on the locked `invoice`, and
    ask for it to be e-mailed to the client (its PDF is printed after commit).
    Runs in the caller's transaction (`recording`), never on its own."""
    client = invoice.client
    # Asked for first, so that the receipt is written with it in one INSERT.
    email = client_notice_request(
        client=client, document=invoice, kind=ClientEmail.Kind.RECEIPT, now=now
    )
    # Last before the INSERT: the sequence row stays locked until commit.
    year, sequence = _number_allocate(invoice.company_id, now)
    receipt = Receipt.objects.create(
        company_id=invoice.company_id,
        payment=payment,
        invoice=invoice,
        client=client,
        number=f"{Receipt.NUMBER_PREFIX}-{year}-{sequence:04d}",
        number_year=year,
        number_sequence=sequence,
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        received_at=payment.received_at or now,
        amount_due_after=max(invoice.amount_due, Decimal(0)),
        issued_at=now,
        email=email,
    )
    receipt_id = receipt.pk
    transaction.on_commit(lambda: _print_later(receipt_id))
    return receipt


def _print_later(receipt_id: int) -> None:
    tasks.receipt_render_pdf.enqueue(receipt_id)


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

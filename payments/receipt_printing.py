"""A receipt's PDF: what it says (in the client's language) and its file,
printed once off the request path (`payments.tasks`) or by its e-mail."""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone, translation

from companies.money import format_day, format_money
from documents.models import document_storage
from payments.models import Payment, Receipt
from printing.receipt_pdf import ReceiptFacts, receipt_pdf_render
from printing.store import attach_once


def receipt_facts(*, receipt: Receipt) -> ReceiptFacts:
    """What the receipt's PDF says, in the active language."""
    locale = translation.to_locale(translation.get_language())
    invoice = receipt.invoice
    return ReceiptFacts(
        company=receipt.invoice.company,
        number=receipt.number,
        client_name=receipt.client.name,
        client_address=receipt.client.address,
        invoice_number=invoice.number or "",
        invoice_total=format_money(invoice.total, invoice.currency, locale),
        amount=format_money(receipt.amount, receipt.currency, locale),
        method=str(Payment.Method(receipt.method).label),
        received_on=format_day(timezone.localdate(receipt.received_at), locale),
        issued_on=format_day(timezone.localdate(receipt.issued_at), locale),
        issued_at_iso=receipt.issued_at.astimezone(dt.UTC).isoformat(),
        amount_due_after=format_money(
            receipt.amount_due_after, receipt.currency, locale
        ),
        paid_in_full=receipt.amount_due_after <= 0,
        identifier=hashlib.sha256(f"receipt:{receipt.pk}".encode()).hexdigest()[:32],
    )


def receipt_pdf_ensure(*, receipt: Receipt) -> Receipt:
    """The receipt with its PDF stored, printing it now if it is missing (in
    the client's language). Made once: a second call, or a concurrent one,
    keeps the first file."""
    if receipt.pdf_sha256:
        return receipt
    with translation.override(receipt.client.locale):
        data = receipt_pdf_render(facts=receipt_facts(receipt=receipt))
    with transaction.atomic():
        # unscoped: the receipt in hand, re-read under lock
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.pdf_sha256:
            return locked
        return attach_once(
            locked,
            file_field="pdf_file",
            sha_field="pdf_sha256",
            data=data,
            path=lambda sha256: (
                f"receipts/{receipt.company_id}/{receipt.number}-{sha256[:16]}.pdf"
            ),
        )


def receipt_pdf_bytes(*, receipt: Receipt) -> bytes:
    receipt = receipt_pdf_ensure(receipt=receipt)
    with document_storage().open(str(receipt.pdf_file.name), "rb") as stored:
        return stored.read()

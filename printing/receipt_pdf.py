"""A payment's receipt printed to PDF (through `printing.engine`).

Payments decides what a receipt says (`ReceiptFacts`, already in the client's
language); this prints it with the company's brand, the page frame of its
documents, as a PDF/A. The same facts give the same bytes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from companies.models import Company
from printing.engine import html_to_pdf
from printing.page_frame import page_frame_context


@dataclass(frozen=True)
class ReceiptFacts:
    """Who paid, what, how, when, and what is left: words and formatted amounts."""

    company: Company
    number: str
    client_name: str
    client_address: str
    invoice_number: str
    invoice_total: str
    amount: str
    method: str
    received_on: str
    issued_on: str
    issued_at_iso: str
    amount_due_after: str
    paid_in_full: bool
    identifier: str  # the PDF's file identifier (PDF/A wants one)


def receipt_pdf_html(*, facts: ReceiptFacts) -> str:
    """The HTML the receipt is printed from, in the active language."""
    context = page_frame_context(
        company=facts.company,
        created_iso=facts.issued_at_iso,
        issued_on=facts.issued_on,
        client_name=facts.client_name,
        client_address=facts.client_address,
    )
    context["facts"] = facts
    return render_to_string("printing/receipt.html", context)


def receipt_pdf_render(*, facts: ReceiptFacts) -> bytes:
    """The receipt's PDF, printed now (no storage, no database writes).

    :raises RenderTimeout: the render ran out of time.
    """
    return html_to_pdf(
        receipt_pdf_html(facts=facts),
        identifier=facts.identifier.encode("ascii"),
        time_limit=settings.PDF_RENDER_TIME_LIMIT_SECONDS,
    )

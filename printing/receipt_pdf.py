"""A payment's receipt printed to PDF (through `printing.engine`).

Payments decides what a receipt says (`ReceiptFacts`, already in the client's
language); this prints it with the company's brand, the page frame of its
documents, as a PDF/A. The same facts give the same bytes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from branding.selectors import brand_for_company
from companies.models import Company
from printing.engine import html_to_pdf
from printing.pdf import _brand_css, _css_content, _logo_data_uri, _page_counter_css


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
    company = facts.company
    brand = brand_for_company(company=company)
    first_address_line = company.address.splitlines()[0] if company.address else ""
    legal = " · ".join(
        bit for bit in (company.legal_name or company.name, first_address_line) if bit
    )
    context = {
        "language": translation.get_language(),
        "created_iso": facts.issued_at_iso,
        "facts": facts,
        "brand": brand,
        "brand_css": _brand_css(brand),
        "brand_logo_data_uri": _logo_data_uri(brand),
        "page_counter_css": _page_counter_css(),
        "legal_line_css": _css_content(legal),
    }
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

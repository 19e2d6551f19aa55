"""The page frame of the PDFs that are not a document's version (a receipt, a
statement of account): the company's brand, its legal line and the page
counter, and the two parties (`printing/_page.html`)."""

from typing import Any

from django.utils import translation

from branding.selectors import brand_for_company
from companies.models import Company
from printing.pdf import _brand_css, _css_content, _logo_data_uri, _page_counter_css


def page_frame_context(
    *,
    company: Company,
    created_iso: str,
    issued_on: str,
    client_name: str,
    client_address: str,
) -> dict[str, Any]:
    """What `printing/_page.html` needs, in the active language."""
    brand = brand_for_company(company=company)
    first_address_line = company.address.splitlines()[0] if company.address else ""
    legal = " · ".join(
        bit for bit in (company.legal_name or company.name, first_address_line) if bit
    )
    return {
        "language": translation.get_language(),
        "created_iso": created_iso,
        "issued_on": issued_on,
        "client_name": client_name,
        "client_address": client_address,
        "company_address": company.address,
        "brand": brand,
        "brand_css": _brand_css(brand),
        "brand_logo_data_uri": _logo_data_uri(brand),
        "page_counter_css": _page_counter_css(),
        "legal_line_css": _css_content(legal),
    }

"""A client's statement of account printed to PDF (through `printing.engine`).

The portal decides what the statement says (`StatementText`, already formatted
in the client's language); this prints it with the company's brand and the
page frame of its documents. Printed on demand, for the period asked: nothing
is stored.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from companies.models import Company
from printing.engine import html_to_pdf
from printing.page_frame import page_frame_context


@dataclass(frozen=True)
class StatementText:
    """What the statement says, formatted: `currencies` holds, per currency,
    its opening and closing balance, its rows (day, label, number, amount,
    running balance) and its ageing."""

    company: Company
    client_name: str
    client_address: str
    period: str
    issued_on: str
    issued_at_iso: str
    currencies: list[dict]
    identifier: str  # the PDF's file identifier (PDF/A wants one)


def statement_pdf_html(*, text: StatementText) -> str:
    """The HTML the statement is printed from, in the active language."""
    context = page_frame_context(
        company=text.company,
        created_iso=text.issued_at_iso,
        issued_on=text.issued_on,
        client_name=text.client_name,
        client_address=text.client_address,
    )
    context["text"] = text
    return render_to_string("printing/statement.html", context)


def statement_pdf_render(*, text: StatementText) -> bytes:
    """The statement's PDF, printed now (no storage, no database writes).

    :raises RenderTimeout: the render ran out of time.
    """
    return html_to_pdf(
        statement_pdf_html(text=text),
        identifier=text.identifier.encode("ascii"),
        time_limit=settings.PDF_RENDER_TIME_LIMIT_SECONDS,
    )

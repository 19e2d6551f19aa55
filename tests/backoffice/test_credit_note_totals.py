"""A credit note's totals read as what it takes off, never as something to
pay: on its back-office page and in its PDF (issue #21)."""

import io
from decimal import Decimal

import pypdf
import pytest

from documents import services
from payments.services import payment_record
from printing import pdf
from tests.backoffice import sign_in
from tests.factories import NOW, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def _page(client, document) -> str:
    return client.get(
        f"/admin/documents/invoice/{document.pk}/change/"
    ).content.decode()


def test_an_unpaid_invoice_s_credit_note_says_it_takes_off_and_nothing_to_pay(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)  # 120.00
    note = services.invoice_credit_whole(invoice=invoice, actor=None, now=NOW)

    html = _page(client, note)

    assert (
        '<span id="credit-note-total">€120.00 incl. VAT (€20.00 VAT), taken off '
        "invoice INV-2026-0001</span>" in html
    )
    assert (
        '<span id="credit-note-after">nothing to pay or refund: the invoice is '
        "that much less to pay</span>" in html
    )
    assert "Total credited:" in html.replace("</label>", "")
    assert "left to pay" not in html and "Amount due" not in html


def test_a_paid_invoice_s_credit_note_says_what_to_refund(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=invoice, amount=invoice.total, method="transfer", actor=None, now=NOW
    )
    invoice.refresh_from_db()
    note = services.invoice_credit_partly(
        invoice=invoice,
        amount=Decimal("30.00"),
        reason="Commercial gesture",
        actor=None,
        now=NOW,
    )

    html = _page(client, note)

    assert (
        '<span id="credit-note-after">€30.00 owed back to the client, who had '
        "paid: to refund</span>" in html
    )


def test_the_credit_note_s_pdf_reads_total_credited():
    invoice = DocumentFactory(finalised=True)
    note = services.invoice_credit_whole(invoice=invoice, actor=None, now=NOW)

    data = pdf.version_pdf_render(version=note.current_version)
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages
    )
    text = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())

    assert "Total credited incl. VAT €120.00" in text
    assert "This credit note takes €120.00 off invoice INV-2026-0001." in text
    assert "Total incl. VAT" not in text
    assert "to pay" not in text.lower()

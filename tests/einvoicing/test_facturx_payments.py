"""The e-invoice and the money: the RF creditor reference the portal's transfer
details give is the one the PDF prints and the XML carries (BT-83); a
version's XML states what was due at issue (BT-115 = BT-112, nothing paid)
and never changes afterwards, whatever payments, refunds and credit notes
follow."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import storages

from companies.references import (
    grouped,
    invoice_creditor_reference,
    is_valid_creditor_reference,
)
from documents import services
from payments.selectors import transfer_details
from payments.services import payment_record, refund_record
from printing import pdf
from printing.store import version_pdf_ensure
from tests.einvoicing import einvoice
from tests.factories import NOW, DocumentFactory, line
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=3)


def stored_pdf(document) -> bytes:
    version = document.versions.get()
    version_pdf_ensure(version=version)
    version.refresh_from_db()
    with storages["documents"].open(version.pdf_file.name, "rb") as stored:
        return stored.read()


def test_the_pdf_the_xml_and_the_portal_give_one_payment_reference():
    document = DocumentFactory(lines=[line("Audit", "1", "650.00")], finalised=True)
    reference = invoice_creditor_reference(document.number)

    data = pdf.version_pdf_render(version=document.current_version)
    _name, xml = einvoice.xml_of(data)
    text = einvoice.pdf_text(data)

    assert (reference, is_valid_creditor_reference(reference)) == (
        "RF16INV20260001",
        True,
    )
    assert document.current_version.content["payment_reference"] == reference
    assert einvoice.xml_value(xml, "//ram:PaymentReference") == [reference]
    assert f"Please quote {grouped(reference)} with your payment." in text
    assert transfer_details(invoice=document)["creditor_reference"] == grouped(
        reference
    )


def test_quotes_and_credit_notes_carry_no_payment_reference():
    invoice = DocumentFactory(finalised=True)
    quote = DocumentFactory(kind="quote", finalised=True)
    services.document_cancel(document=invoice, actor=None, now=LATER)
    credit_note = invoice.credit_notes.get()

    data = pdf.version_pdf_render(version=credit_note.current_version)
    _name, xml = einvoice.xml_of(data)

    assert quote.current_version.content["payment_reference"] == ""
    assert credit_note.current_version.content["payment_reference"] == ""
    assert einvoice.xml_value(xml, "//ram:PaymentReference") == []
    assert "Please quote" not in einvoice.pdf_text(data)


def test_an_older_version_keeps_the_reference_it_printed():
    """Versions written before the RF reference printed the invoice number:
    they are shown as they were made."""
    from django.template.loader import render_to_string

    document = DocumentFactory(finalised=True)
    content = {**document.current_version.content, "payment_reference": "INV-0042"}

    html = render_to_string(
        "documents/_document_body.html", {"content": content, "show_title": False}
    )

    assert '<dd class="doc__reference">INV-0042</dd>' in html


def test_a_versions_xml_states_what_was_due_at_issue_and_never_changes(client):
    document = DocumentFactory(lines=[line("Audit", "1", "650.00")], finalised=True)
    before = stored_pdf(document)
    _name, xml = einvoice.xml_of(before)
    target = url(
        "document_version_xml", document.client, document_id=document.pk, number=1
    )
    served_before = client.get(target).content

    payment = payment_record(
        invoice=document,
        amount=Decimal("780.00"),
        method="transfer",
        actor=None,
        now=LATER,
    )
    refund_record(payment=payment, amount=Decimal("80.00"), actor=None, now=LATER)
    services.invoice_credit_partly(
        invoice=document, amount=Decimal("50.00"), reason="", actor=None, now=LATER
    )

    assert einvoice.xml_value(xml, "//ram:GrandTotalAmount") == ["780.00"]
    assert einvoice.xml_value(xml, "//ram:DuePayableAmount") == ["780.00"]
    assert einvoice.xml_value(xml, "//ram:TotalPrepaidAmount") in ([], ["0.00"])
    assert stored_pdf(document) == before
    assert client.get(target).content == served_before == xml

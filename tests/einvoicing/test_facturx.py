"""Every kind of invoice rendered as a Factur-X EN 16931 PDF/A-3, then read
back: its XML extracted by the factur-x library and validated (XSD and the
EN 16931 consistency rules), its XMP, its associated file, and its amounts
against the PDF's own text."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from companies.money import format_money
from documents import services
from documents.models import Document
from einvoicing import facturx
from printing import pdf
from printing.store import version_pdf_ensure
from signing import services as signing_services
from tests.einvoicing import einvoice
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=3)


def rendered(document: Document) -> tuple[bytes, dict]:
    document.refresh_from_db()
    version = document.current_version
    return pdf.version_pdf_render(version=version), version.content


def check_einvoice(data: bytes, content: dict, type_code: str) -> bytes:
    """Everything a Factur-X EN 16931 PDF/A-3 must be; returns its XML."""
    name, xml = einvoice.xml_of(data)
    assert name == "factur-x.xml"
    assert einvoice.consistency_errors(xml) == []
    assert einvoice.xml_value(xml, "//rsm:ExchangedDocument/ram:TypeCode") == [
        type_code
    ]
    assert einvoice.xml_value(xml, "//rsm:ExchangedDocument/ram:ID") == [
        content["number"]
    ]
    assert einvoice.xml_value(
        xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ) == ["urn:cen.eu:en16931:2017"]
    # The XMP declares PDF/A-3b and Factur-X, in one RDF packet.
    xmp = einvoice.xmp_of(data).decode()
    assert xmp.count("<rdf:RDF") == 1
    for declared in (
        "<pdfaid:part>3</pdfaid:part>" if "<pdfaid:part>" in xmp else 'pdfaid:part="3"',
        "<fx:DocumentType>INVOICE</fx:DocumentType>",
        "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
        "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        "<fx:Version>1.0</fx:Version>",
        f"<pdfaSchema:namespaceURI>{facturx.XMP_NAMESPACE}</pdfaSchema:namespaceURI>",
    ):
        assert declared in xmp, declared
    assert 'pdfaid:conformance="B"' in xmp
    # The XML is the PDF's associated file, as Data.
    assert einvoice.associated_files(data) == [
        {
            "name": "factur-x.xml",
            "relationship": "/Data",
            "subtype": "/text/xml",
            "has_mod_date": True,
        }
    ]
    # Every amount the XML states is printed on the PDF.
    text = einvoice.pdf_text(data)
    paths = (
        "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/*",
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
        "ram:CalculatedAmount",
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount",
        "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
    )
    amounts = {
        Decimal(value) for path in paths for value in einvoice.xml_value(xml, path)
    }
    missing = [
        amount
        for amount in amounts
        if format_money(abs(amount), content["currency"], "en").replace("\u202f", " ")
        not in text
    ]
    assert missing == []
    return xml


def test_plain_invoice_is_a_factur_x_pdf_a_3_whose_xml_validates():
    document = DocumentFactory(
        lines=[line("Design", "3", "450.00"), line("Hosting", "12", "25.50")],
        finalised=True,
    )

    data, content = rendered(document)

    xml = check_einvoice(data, content, "380")
    seller = "//ram:SellerTradeParty"
    buyer = "//ram:BuyerTradeParty"
    assert einvoice.xml_value(
        xml, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID"
    ) == ["123456782"]
    assert einvoice.xml_value(xml, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID") == [
        "FR11123456782"
    ]
    assert einvoice.xml_value(
        xml, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID"
    ) == [document.client.siren]
    assert einvoice.xml_value(
        xml, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID"
    ) == ["FR7630006000011234567890189"]
    assert einvoice.xml_value(xml, "//ram:PaymentReference") == ["RF16INV20260001"]
    assert einvoice.xml_value(xml, "//ram:DueDateDateTime/udt:DateTimeString") == [
        "20260401"
    ]
    assert einvoice.xml_value(xml, "//ram:GrandTotalAmount") == ["1987.20"]
    # The mentions French invoices carry, as notes with their subject codes.
    assert einvoice.xml_value(xml, "//ram:IncludedNote/ram:SubjectCode") == [
        "PMD",
        "PMT",
        "AAB",
    ]
    text = einvoice.pdf_text(data)
    for mention in (
        "Invoice for: services",
        "Late-payment penalties",
        "Fixed indemnity for recovery costs in case of late payment: €40.00",
        "No discount for early payment.",
        "SIREN",
        document.client.siren,
    ):
        assert mention in text, mention


def test_several_vat_rates_and_a_zero_rate_with_its_reason():
    client = ClientFactory(vat_number="")
    document = DocumentFactory(
        client=client,
        lines=[
            line("Standard", "1", "100.00", "20"),
            line("Intermediate", "3", "33.33", "10"),
            line("Reduced", "7", "12.35", "5.5"),
            line("Sub-contracted works", "1", "500.00", "0"),
        ],
        vat_exemption="reverse_charge",
        finalised=True,
    )

    data, content = rendered(document)

    xml = check_einvoice(data, content, "380")
    categories = einvoice.xml_value(
        xml,
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode",
    )
    assert sorted(categories) == ["AE", "S", "S", "S"]
    assert einvoice.xml_value(xml, "//ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    # VAT per rate on the rate's total: 99.99 x 10 % = 10.00, 86.45 x 5.5 % = 4.75.
    assert einvoice.xml_value(xml, "//ram:TaxTotalAmount") == ["34.75"]
    assert "Reverse charge: VAT due by the customer" in einvoice.pdf_text(data)


def test_partially_credited_invoice_and_its_credit_note():
    invoice = DocumentFactory(
        lines=[line("Workshop", "2", "400.00"), line("Book", "4", "25.00", "5.5")],
        finalised=True,
    )

    credit_note = services.invoice_credit_partly(
        invoice=invoice,
        amount=Decimal("200.00"),
        reason="Shorter workshop",
        actor=None,
        now=LATER,
    )
    data, content = rendered(credit_note)

    invoice.refresh_from_db()
    xml = check_einvoice(data, content, "381")
    assert content["number"] == "CN-2026-0001"
    assert einvoice.xml_value(
        xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    ) == [invoice.number]
    assert einvoice.xml_value(xml, "//ram:GrandTotalAmount") == ["200.00"]
    assert (invoice.amount_credited, invoice.amount_due, invoice.status) == (
        Decimal("200.00"),
        invoice.total - Decimal("200.00"),
        "to_pay",
    )
    text = einvoice.pdf_text(data)
    assert "Credits invoice" in text and invoice.number in text
    assert f"This credit note takes €200.00 off invoice {invoice.number}." in text


def test_deposit_and_final_invoice_deduct_the_deposit_in_pdf_and_xml():
    quote = DocumentFactory(
        kind="quote",
        lines=[line("Fittings", "8", "95.00"), line("Cabling", "35", "18.50", "10")],
        finalised=True,
    )
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    services.document_finalise(document=final, actor=None, now=LATER)

    deposit_pdf, deposit_content = rendered(deposit)
    final_pdf, final_content = rendered(final)

    deposit.refresh_from_db()
    final.refresh_from_db()
    deposit_xml = check_einvoice(deposit_pdf, deposit_content, "386")
    final_xml = check_einvoice(final_pdf, final_content, "380")
    # 30 % of 760.00 at 20 % and of 647.50 at 10 %.
    assert einvoice.xml_value(deposit_xml, "//ram:LineTotalAmount") == [
        "194.25",
        "228.00",
        "422.25",
    ]
    assert deposit.total == Decimal("487.28")  # 422.25 + 45.60 + 19.43
    # The final invoice bills the rest: the deposit taken off at each rate.
    assert einvoice.xml_value(final_xml, "//ram:BilledQuantity") == [
        "8",
        "35",
        "-1",
        "-1",
    ]
    assert einvoice.xml_value(
        final_xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    ) == [deposit.number]
    assert einvoice.xml_value(
        final_xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
    ) == ["S4"]
    # 532.00 + 106.40 at 20 %, 453.25 + 45.33 at 10 %: each invoice rounds
    # its own VAT, so the two come to a cent more than the quote's 1,624.25.
    assert (quote.total, deposit.total, final.total) == (
        Decimal("1624.25"),
        Decimal("487.28"),
        Decimal("1136.98"),
    )
    text = einvoice.pdf_text(final_pdf)
    assert f"Deposit invoice {deposit.number}" in text
    assert "Deposits already invoiced" in text
    assert "Total of the lines above" in text
    assert "−€422.25" not in text and "−€194.25" in text  # per rate, excl. VAT


def test_the_same_version_renders_the_same_bytes():
    document = DocumentFactory(finalised=True)
    version = document.versions.get()

    first = pdf.version_pdf_render(version=version)
    second = pdf.version_pdf_render(version=version)

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert b"D:2026" not in einvoice.xml_of(first)[1]  # no clock in the XML


def test_the_stored_digest_covers_the_factur_x_pdf():
    document = DocumentFactory(finalised=True)

    version = version_pdf_ensure(version=document.versions.get())

    from django.core.files.storage import storages

    with storages["documents"].open(version.pdf_file.name, "rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    assert einvoice.xml_of(data)[0] == "factur-x.xml"


def test_quotes_carry_no_xml():
    quote = DocumentFactory(kind="quote", finalised=True)

    data, _content = rendered(quote)

    assert einvoice.associated_files(data) == []


def test_a_company_outside_france_prints_no_french_mentions():
    company = CompanyFactory(
        country="GB", registration_number="09876543", vat_number="GB123456789"
    )
    client = ClientFactory(company=company, country="GB", siren="")
    document = DocumentFactory(client=client, finalised=True)

    data, content = rendered(document)

    xml = check_einvoice(data, content, "380")
    assert einvoice.xml_value(xml, "//ram:IncludedNote/ram:SubjectCode") == []
    assert "Late-payment penalties" not in einvoice.pdf_text(data)

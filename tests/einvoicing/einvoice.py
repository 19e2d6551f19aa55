"""Reading a rendered e-invoice back: its Factur-X XML (through the factur-x
library), the EN 16931 consistency rules, its XMP and its associated file."""

import io
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pypdf
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
CENT = Decimal("0.01")


def xml_of(pdf: bytes) -> tuple[str, bytes]:
    """The embedded XML, extracted by the factur-x library and XSD-checked."""
    name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert xml, "no valid Factur-X XML in the PDF"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    return name, xml


def _amounts(node, path: str) -> list[Decimal]:
    return [Decimal(text) for text in node.xpath(path + "/text()", namespaces=NS)]


def _one(node, path: str) -> Decimal:
    (value,) = _amounts(node, path)
    return value


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def consistency_errors(xml: bytes) -> list[str]:
    """The EN 16931 business rules that matter for our invoices, as the CEN
    rules name them: sums, VAT per category and rate, totals, rounding."""
    root = etree.fromstring(xml)
    errors = []
    settlement = root.find(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement", NS
    )
    totals = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    lines = root.findall(
        "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", NS
    )
    if not lines:
        errors.append("BR-16: at least one line")
    by_category: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        net = _one(
            line,
            "ram:SpecifiedLineTradeSettlement/"
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
        )
        quantity = _one(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
        price = _one(
            line,
            "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
            "ram:ChargeAmount",
        )
        if price < 0:
            errors.append("BR-27: a net price is never negative")
        if _round(quantity * price) != net:
            errors.append(f"line net {net} != quantity {quantity} x price {price}")
        tax = line.find("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax", NS)
        key = (
            tax.findtext("ram:CategoryCode", namespaces=NS),
            Decimal(tax.findtext("ram:RateApplicablePercent", namespaces=NS)),
        )
        by_category[key] = by_category.get(key, Decimal(0)) + net
    line_total = _one(totals, "ram:LineTotalAmount")
    if sum(by_category.values(), Decimal(0)) != line_total:
        errors.append("BR-CO-10: sum of line net amounts != line total")
    basis = _one(totals, "ram:TaxBasisTotalAmount")
    if basis != line_total:  # no document-level allowances nor charges
        errors.append("BR-CO-13: tax basis != line total")
    breakdown = settlement.findall("ram:ApplicableTradeTax", NS)
    seen = {}
    for tax in breakdown:
        category = tax.findtext("ram:CategoryCode", namespaces=NS)
        rate = Decimal(tax.findtext("ram:RateApplicablePercent", namespaces=NS))
        taxable = _one(tax, "ram:BasisAmount")
        calculated = _one(tax, "ram:CalculatedAmount")
        seen[(category, rate)] = calculated
        if by_category.get((category, rate)) != taxable:
            errors.append(f"BR-{category}-08: basis of {category} {rate} != its lines")
        if _round(taxable * rate / 100) != calculated:
            errors.append(f"BR-CO-17: VAT of {category} {rate} is not basis x rate")
        if category != "S":
            if rate != 0 or calculated != 0:
                errors.append(f"BR-{category}-05/09: {category} has no VAT")
            reason = tax.findtext("ram:ExemptionReason", namespaces=NS)
            code = tax.findtext("ram:ExemptionReasonCode", namespaces=NS)
            if not (reason or code):
                errors.append(f"BR-{category}-10: exemption reason missing")
        elif rate <= 0:
            errors.append("BR-S-05: standard rate above zero")
    if set(seen) != set(by_category):
        errors.append("BR-CO-18: one VAT breakdown per category and rate")
    tax_total = _one(totals, "ram:TaxTotalAmount")
    if sum(seen.values(), Decimal(0)) != tax_total:
        errors.append("BR-CO-14: VAT total != sum of the breakdown")
    grand = _one(totals, "ram:GrandTotalAmount")
    if basis + tax_total != grand:
        errors.append("BR-CO-15: grand total != basis + VAT")
    prepaid = sum(_amounts(totals, "ram:TotalPrepaidAmount"), Decimal(0))
    due = _one(totals, "ram:DuePayableAmount")
    if grand - prepaid != due:
        errors.append("BR-CO-16: amount due != grand total - prepaid")
    if due > 0 and not (
        settlement.find("ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", NS)
        is not None
        or settlement.findtext(
            "ram:SpecifiedTradePaymentTerms/ram:Description", namespaces=NS
        )
    ):
        errors.append("BR-CO-25: a positive amount due needs a due date or terms")
    for party in ("ram:SellerTradeParty", "ram:BuyerTradeParty"):
        node = root.find(
            f"rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/{party}",
            NS,
        )
        if not node.findtext("ram:PostalTradeAddress/ram:CountryID", namespaces=NS):
            errors.append(f"BR-09/11: {party} country missing")
    return errors


def xml_value(xml: bytes, path: str) -> list[str]:
    return etree.fromstring(xml).xpath(path + "/text()", namespaces=NS)


def xmp_of(pdf: bytes) -> bytes:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def associated_files(pdf: bytes) -> list[dict]:
    """The catalog's /AF entries: name, relationship, MIME subtype."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []
    for reference in reader.trailer["/Root"].get("/AF", []):
        spec = reference.get_object()
        stream = spec["/EF"]["/F"].get_object()
        found.append(
            {
                "name": str(spec["/F"]),
                "relationship": str(spec["/AFRelationship"]),
                "subtype": str(stream.get("/Subtype")),
                "has_mod_date": "/ModDate" in stream.get("/Params", {}),
            }
        )
    return found


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, by poppler where there is one, else by pypdf; spaces
    normalised (readers differ on narrow no-break spaces)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
    else:
        text = " ".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        )
    return " ".join(re.sub("[\u202f\xa0]", " ", text).split())

"""Factur-X (EN 16931): the only module that imports the factur-x library.

An invoice or credit note version's CII XML is generated from its frozen
content (`DocumentVersion.content`) by the library's `generate_xml` and checked
against the Factur-X EN 16931 XSD; `printing.pdf` embeds it in the PDF/A-3
with the XMP properties below. The XML holds no clock time: the same version
gives the same bytes.
"""

import logging
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from facturx import generate_xml, get_facturx_xml_from_pdf, xml_check_xsd

from companies import identifiers
from documents.models import Document
from einvoicing import mentions

# The library logs every successful check at INFO: that is noise in our logs.
logging.getLogger("factur-x").setLevel(logging.WARNING)

FILENAME = "factur-x.xml"
LEVEL = "en16931"
CONFORMANCE_LEVEL = "EN 16931"  # as the XMP names it
XMP_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIREN

# UNTDID 1001 document type codes.
COMMERCIAL_INVOICE = "380"
CREDIT_NOTE = "381"
PREPAYMENT_INVOICE = "386"
# UNTDID 4461: SEPA credit transfer.
SEPA_CREDIT_TRANSFER = "58"
ONE_UNIT = "C62"  # UN/ECE rec. 20: "one", lines carry no unit of their own
STANDARD_RATE = "S"
# The French "cadre de facturation" (BT-23): goods, services or both, and the
# final invoice that follows deposits.
BUSINESS_PROCESS = {
    Document.OperationCategory.GOODS: ("B1", "B4"),
    Document.OperationCategory.SERVICES: ("S1", "S4"),
    Document.OperationCategory.MIXED: ("M1", "M4"),
}
SEPA_COUNTRIES = frozenset(
    "AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV "
    "MC MT NL NO PL PT RO SE SI SK SM VA".split()
)
EMPTY_DELIVERY_NIL = b'<ram:ApplicableHeaderTradeDelivery xsi:nil="true"/>'
EMPTY_DELIVERY = b"<ram:ApplicableHeaderTradeDelivery/>"
POSTCODE_CITY = re.compile(r"^(?P<postcode>[0-9]{4,5})\s+(?P<city>\S.*)$")
CITY_POSTCODE = re.compile(
    r"^(?P<city>\S.*?)\s+(?P<postcode>[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2})$"
)


class FacturXError(ValueError):
    """The content cannot be a valid e-invoice; the message is for people."""


def applies_to(content: dict) -> bool:
    """Invoices and credit notes are e-invoices; quotes are not."""
    return content["kind"] in (Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE)


def _plain(value: str) -> str:
    """A number as XML Schema decimals want it (versions may hold "2E+1")."""
    return format(Decimal(value).normalize(), "f")


def type_code(content: dict) -> str:
    if content["kind"] == Document.Kind.CREDIT_NOTE:
        return CREDIT_NOTE
    if content.get("is_deposit"):
        return PREPAYMENT_INVOICE
    return COMMERCIAL_INVOICE


def _has_vat(content: dict) -> bool:
    return any(Decimal(rate["rate"]) > 0 for rate in content["vat_breakdown"])


def problems(content: dict) -> list[str]:
    """What the content lacks to be a valid French e-invoice, as messages
    naming the missing field; empty when nothing is missing."""
    if not applies_to(content):
        return []
    seller, client = content["seller"], content["client"]
    found = []
    if seller.get("country") in identifiers.SIREN_COUNTRIES:
        try:
            identifiers.siren_clean(seller.get("registration_number", ""))
        except identifiers.InvalidIdentifier:
            found.append(
                _(
                    "Your company's SIREN is missing or invalid (company settings, "
                    "registration number): French e-invoices must carry it."
                )
            )
    if (_has_vat(content) or mentions.vat_exemption(content)) and not seller.get(
        "vat_number"
    ):
        found.append(
            _(
                "Your company has no VAT number (company settings): an invoice "
                "with VAT must carry it."
            )
        )
    if client.get("is_business", True) and client.get("country") in (
        identifiers.SIREN_COUNTRIES
    ):
        if not client.get("siren"):
            found.append(
                _(
                    "The client %(client)s has no SIREN: French e-invoices to a "
                    "business must carry it."
                )
                % {"client": client["name"]}
            )
    zero_rated = any(Decimal(rate["rate"]) == 0 for rate in content["vat_breakdown"])
    if zero_rated and not mentions.vat_exemption(content):
        found.append(
            _("A line carries 0 % VAT: choose the reason for 0 % VAT on the document.")
        )
    exemption = mentions.vat_exemption(content)
    if (
        exemption
        and exemption[0] == "AE"
        and not (client.get("vat_number") or client.get("siren"))
    ):
        found.append(
            _("Reverse charge needs the client's VAT number: %(client)s has none.")
            % {"client": client["name"]}
        )
    return found


def _address(text: str, country: str) -> dict[str, str]:
    """A typed address as EN 16931 wants it: up to three lines, postcode, city
    and country. The country's own name on a last line is left out."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    found: dict[str, str] = {"country_code": country}
    for index, line in enumerate(lines):
        match = POSTCODE_CITY.match(line) or CITY_POSTCODE.match(line)
        if match:
            found["postcode"], found["city"] = match["postcode"], match["city"]
            rest = lines[index + 1 :]
            if len(rest) == 1 and re.fullmatch(r"[^\W\d_][\w\s'-]*", rest[0]):
                rest = []  # "France", "United Kingdom"
            lines = lines[:index] + rest
            break
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    for key, line in zip(("addr_l1", "addr_l2", "addr_l3"), lines, strict=False):
        found[key] = line
    return found


def _seller(content: dict) -> dict:
    seller = content["seller"]
    country = seller.get("country") or identifiers.FRANCE
    party = {
        "name": seller.get("legal_name") or seller["name"],
        **_address(seller.get("address", ""), country),
    }
    if seller.get("name") and seller["name"] != party["name"]:
        party["biz_name"] = seller["name"]
    registration = seller.get("registration_number")
    if registration:
        party["legal_identifier"] = registration
        if country in identifiers.SIREN_COUNTRIES:
            party["legal_identifier_schemeid"] = SIREN_SCHEME
    if seller.get("vat_number"):
        party["vat_identifier"] = seller["vat_number"]
    if seller.get("email"):
        party["contacts"] = [{"email": seller["email"]}]
    return party


def _buyer(content: dict) -> dict:
    client = content["client"]
    country = client.get("country") or identifiers.FRANCE
    party = {"name": client["name"], **_address(client.get("address", ""), country)}
    if client.get("siren"):
        party["legal_identifier"] = client["siren"]
        party["legal_identifier_schemeid"] = SIREN_SCHEME
    if client.get("vat_number"):
        party["vat_identifier"] = client["vat_number"]
    if client.get("email"):
        party["contacts"] = [{"email": client["email"]}]
    return party


def _category(content: dict, rate: Decimal) -> tuple[str, str, str]:
    """(VAT category, exemption code, exemption text) of lines at `rate`."""
    if rate > 0:
        return STANDARD_RATE, "", ""
    exemption = mentions.vat_exemption(content)
    if exemption is None:
        raise FacturXError(
            _("A line carries 0 % VAT: choose the reason for 0 % VAT on the document.")
        )
    return exemption


def _lines(content: dict) -> list[dict]:
    rows = []
    for position, line in enumerate(content["lines"], start=1):
        rate = Decimal(line["vat_rate"])
        rows.append(
            {
                "BT-126": str(position),
                "BT-129": _plain(line["quantity"]),
                "BT-130": ONE_UNIT,
                "BT-131": line["total_excl_tax"],
                "BT-146": line["unit_price"],
                "BT-151": _category(content, rate)[0],
                "BT-152": _plain(line["vat_rate"]),
                "BT-153": line["description"][:500],
            }
        )
    # A final invoice takes each deposit off at its VAT rate: a line of
    # quantity -1, so the VAT breakdown holds only what is left to invoice.
    for deduction in content.get("deductions") or []:
        for part in deduction["lines"]:
            rate = Decimal(part["vat_rate"])
            rows.append(
                {
                    "BT-126": str(len(rows) + 1),
                    "BT-129": "-1",
                    "BT-130": ONE_UNIT,
                    "BT-131": str(-Decimal(part["total_excl_tax"])),
                    "BT-146": part["total_excl_tax"],
                    "BT-151": _category(content, rate)[0],
                    "BT-152": _plain(part["vat_rate"]),
                    "BT-153": _("Deposit invoice %(number)s")
                    % {"number": deduction["number"]},
                }
            )
    return rows


def _breakdown(content: dict) -> list[dict]:
    rows = []
    for rate in content["vat_breakdown"]:
        category, code, text = _category(content, Decimal(rate["rate"]))
        row = {
            "BT-116": rate["base"],
            "BT-117": rate["tax"],
            "BT-118": category,
            "BT-119": _plain(rate["rate"]),
        }
        if code:
            row["BT-120"], row["BT-121"] = text, code
        rows.append(row)
    return rows


def _payment(content: dict) -> dict:
    """Due date, terms and the bank account to pay by transfer (invoices)."""
    seller = content["seller"]
    if content["kind"] == Document.Kind.CREDIT_NOTE:
        credited = content.get("credited_invoice") or {}
        return {
            "BT-20": _("Credited against invoice %(number)s.")
            % {"number": credited.get("number", "")}
        }
    payment: dict[str, str] = {}
    if content.get("due_date"):
        payment["BT-9"] = content["due_date"]
    else:
        payment["BT-20"] = _("Payable on receipt.")
    iban = identifiers.compact(seller.get("iban", ""))
    if iban:
        payment["BT-81"] = SEPA_CREDIT_TRANSFER if iban[:2] in SEPA_COUNTRIES else "30"
        payment["BT-84"] = iban
        if seller.get("bic"):
            payment["BT-86"] = seller["bic"]
    if content.get("payment_reference"):
        payment["BT-83"] = content["payment_reference"]
    return payment


def _references(content: dict) -> dict:
    references: dict = {}
    credited = content.get("credited_invoice")
    if credited:
        references["BG-3"] = [
            {"BT-25": credited["number"], "BT-26": credited["issue_date"]}
        ]
    deductions = content.get("deductions") or []
    if deductions:
        # EN 16931's CII carries one preceding invoice: the latest deposit.
        latest = deductions[-1]
        references["BG-3"] = [
            {"BT-25": latest["number"], "BT-26": latest["issue_date"]}
        ]
    quote = content.get("quote")
    if quote:
        references["BT-12"] = quote["number"]
    return references


def _business_process(content: dict) -> str:
    category = str(content.get("operation_category") or "services")
    codes: dict[str, tuple[str, str]] = {
        str(key): value for key, value in BUSINESS_PROCESS.items()
    }
    first, after_deposits = codes.get(category, codes["services"])
    return after_deposits if content.get("deductions") else first


def data(content: dict) -> dict:
    """The version's content as the factur-x library's EN 16931 fields (BT-…)."""
    totals = content["totals"]
    notes = [
        {"BT-21": mention["code"], "BT-22": mention["text"]}
        for mention in mentions.legal_mentions(content)
    ]
    if content.get("notes"):
        notes.insert(0, {"BT-22": content["notes"]})
    fields = {
        "BT-1": content["number"],
        "BT-2": content["issue_date"],
        "BT-3": type_code(content),
        "BT-5": content["currency"],
        "BT-23": _business_process(content),
        "BG-1": notes,
        "BG-4": _seller(content),
        "BG-7": _buyer(content),
        "BG-23": _breakdown(content),
        "BG-25": _lines(content),
        "BT-106": str(
            sum((Decimal(row["BT-131"]) for row in _lines(content)), Decimal(0))
        ),
        "BT-109": totals["excl_tax"],
        "BT-110": totals["tax"],
        "BT-112": totals["total"],
        # Amount due for payment = total - paid (BT-113) (BR-CO-16), as at
        # issue: a version is written when the invoice is finalised, or
        # republished while nothing was paid, processing or credited
        # (status.is_editable), so nothing was paid at issue and BT-113 is left
        # out. Deposits are deducted as lines, not as a paid amount. Payments,
        # refunds and credit notes after issue never change a version's XML,
        # frozen with its PDF; the portal shows the live balance.
        "BT-115": totals["total"],
        **_payment(content),
        **_references(content),
    }
    client = content["client"]
    if client.get("delivery_address"):
        fields["BG-13"] = {
            "name": client["name"],
            **_address(client["delivery_address"], client.get("country") or "FR"),
        }
    if (
        content["seller"].get("vat_on_debits")
        and content.get("operation_category") != Document.OperationCategory.GOODS
        and content["kind"] == Document.Kind.INVOICE
    ):
        fields["BT-8"] = "invoice"  # VAT due when invoiced: the debits option
    return fields


def invoice_xml(content: dict) -> bytes:
    """The version's Factur-X EN 16931 CII XML, checked against the XSD.

    :raises FacturXError: something missing (`problems`), or XML the XSD
        refuses (a bug: the message says what the XSD said).
    """
    missing = problems(content)
    if missing:
        raise FacturXError(" ".join(missing))
    try:
        xml = generate_xml(
            data(content),
            flavor="factur-x",
            level=LEVEL,
            check_xsd=False,
            check_schematron=False,
        )
        # The library marks the header's delivery element nil when nothing is
        # delivered elsewhere; the XSD wants it present and empty.
        xml = xml.replace(EMPTY_DELIVERY_NIL, EMPTY_DELIVERY)
        xml_check_xsd(xml, flavor="factur-x", level=LEVEL)
    except FacturXError:
        raise
    except Exception as exc:  # the library raises bare Exceptions
        raise FacturXError(
            _("This document cannot be made a valid e-invoice: %(error)s")
            % {"error": exc}
        ) from exc
    return xml


def xml_check(xml: bytes) -> None:
    """:raises FacturXError: the XML is not valid Factur-X EN 16931 by the XSD."""
    try:
        xml_check_xsd(xml, flavor="factur-x", level=LEVEL)
    except Exception as exc:
        raise FacturXError(str(exc)) from exc


def xml_from_pdf(pdf: bytes) -> bytes | None:
    """The Factur-X XML embedded in a PDF, or None."""
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    return xml or None


def xmp_descriptions() -> bytes:
    """The XMP `rdf:Description`s a Factur-X PDF/A-3 carries: the PDF/A
    extension schema that declares the fx: properties, then their values."""
    properties = (
        ("DocumentFileName", "The name of the embedded XML document"),
        ("DocumentType", "The type of the hybrid document in capital letters"),
        ("Version", "The actual version of the standard applying to the XML"),
        ("ConformanceLevel", "The conformance level of the embedded XML document"),
    )
    declared = "".join(
        f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}'
        f"</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description>"
        f"</rdf:li>"
        for name, description in properties
    )
    return (
        '<rdf:Description rdf:about="" '
        'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{XMP_NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{declared}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
        f'<rdf:Description rdf:about="" xmlns:fx="{XMP_NAMESPACE}">'
        "<fx:DocumentType>INVOICE</fx:DocumentType>"
        f"<fx:DocumentFileName>{FILENAME}</fx:DocumentFileName>"
        "<fx:Version>1.0</fx:Version>"
        f"<fx:ConformanceLevel>{CONFORMANCE_LEVEL}</fx:ConformanceLevel>"
        "</rdf:Description>"
    ).encode()

"""Lifecycle statuses as CDAR messages (UN/CEFACT Cross Domain
Acknowledgement and Response, D22B, as XP Z12-012 and the DGFiP's external
specifications use it): read what a platform sends, write our 212.

Paths (DGFiP annex 2, "CDV FE", and the FNFE CDAR schematron V1.4.0):
`rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument` names the
invoice (`IssuerAssignedID` MDT-87, `FormattedIssueDateTime` MDT-100, the
seller's `IssuerTradeParty/GlobalID` MDT-129 with scheme 0002 = SIREN) and
carries the status (`ProcessConditionCode` MDT-105), its reason
(`SpecifiedDocumentStatus/ReasonCode`, `Reason`) and amounts
(`SpecifiedDocumentCharacteristic`: `TypeCode` MEN, `ValueAmount`,
`ValuePercent`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

# The profile (MDT-3) and the reference type of a lifecycle on an invoice
# (MDT-97, rule G7.14) the DGFiP's specifications name.
PROFILE = "urn.cpro.gouv.fr:1p0:CDV:einvoicingF2"
AMOUNT_PAID = "MEN"  # MDT-207: amount cashed, VAT included (G7.12)
SIREN_SCHEME = "0002"

# Files are small; a larger one is not a status.
MAX_BYTES = 1_000_000


class CdarUnreadable(Exception):
    """Not a CDAR this module can read; the message says what is missing."""


@dataclass(frozen=True)
class CdarStatus:
    """What one CDAR says about one invoice."""

    invoice_number: str
    invoice_issue_date: dt.date | None
    seller_siren: str
    code: str
    reason_code: str = ""
    reason: str = ""
    issued_at: dt.datetime | None = None
    # (amount, VAT rate or None), one per characteristic.
    amounts: list[tuple[Decimal, Decimal | None]] = field(default_factory=list)

    @property
    def amount(self) -> Decimal | None:
        if not self.amounts:
            return None
        return sum((amount for amount, _rate in self.amounts), Decimal(0))

    @property
    def vat_rate(self) -> Decimal | None:
        rates = {rate for _amount, rate in self.amounts}
        return rates.pop() if len(rates) == 1 else None


def _parse_204(text: str) -> dt.datetime | None:
    """YYYYMMDDHHMMSS (UNTDID 2379 code 204), taken as UTC."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _parse_date(text: str) -> dt.date | None:
    digits = text.strip()[:8]
    try:
        return dt.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def cdar_read(data: bytes) -> CdarStatus:
    """The status a CDAR carries.

    :raises CdarUnreadable: not XML, not a CDAR, or no invoice or status in it.
    """
    if len(data) > MAX_BYTES:
        raise CdarUnreadable("The file is too large for a status.")
    # No entities, no network, no huge trees: the file comes from outside.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CdarUnreadable(f"Not XML: {exc}") from exc
    if root.tag != f"{{{RSM}}}CrossDomainAcknowledgementAndResponse":
        raise CdarUnreadable("Not a CrossDomainAcknowledgementAndResponse.")
    reference = root.find(
        "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument", NS
    )
    if reference is None:
        raise CdarUnreadable("No ReferenceReferencedDocument.")
    number = _text(reference, "ram:IssuerAssignedID")
    code = _text(reference, "ram:ProcessConditionCode")
    if not number or not code:
        raise CdarUnreadable("No invoice number or no ProcessConditionCode.")
    status = reference.find("ram:SpecifiedDocumentStatus", NS)
    amounts: list[tuple[Decimal, Decimal | None]] = []
    reason_code = reason = ""
    if status is not None:
        reason_code = _text(status, "ram:ReasonCode")
        reason = _text(status, "ram:Reason")
        for characteristic in status.findall("ram:SpecifiedDocumentCharacteristic", NS):
            try:
                amount = Decimal(_text(characteristic, "ram:ValueAmount"))
                percent = _text(characteristic, "ram:ValuePercent")
                rate = Decimal(percent) if percent else None
            except InvalidOperation as exc:
                raise CdarUnreadable("An amount is not a number.") from exc
            amounts.append((amount, rate))
    issued = _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    return CdarStatus(
        invoice_number=number,
        invoice_issue_date=_parse_date(
            _text(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString")
        ),
        seller_siren=_text(reference, "ram:IssuerTradeParty/ram:GlobalID"),
        code=code,
        reason_code=reason_code,
        reason=reason,
        issued_at=_parse_204(issued) if issued else None,
        amounts=amounts,
    )


def _party(tag: str, *, identifier: str, scheme: str, name: str, role: str) -> str:
    name_xml = f"<ram:Name>{escape(name)}</ram:Name>" if name else ""
    return (
        f'<ram:{tag}><ram:GlobalID schemeID="{scheme}">{escape(identifier)}'
        f"</ram:GlobalID>{name_xml}<ram:RoleCode>{role}</ram:RoleCode></ram:{tag}>"
    )


def cdar_write(
    *,
    message_id: str,
    at: dt.datetime,
    invoice_number: str,
    invoice_issue_date: dt.date,
    invoice_type_code: str,
    seller_siren: str,
    seller_name: str,
    code: str,
    label: str,
    buyer_siren: str = "",
    buyer_name: str = "",
    reason_code: str = "",
    reason: str = "",
    amounts: list[tuple[Decimal, Decimal]] = (),  # type: ignore[assignment]
    status_date: dt.date | None = None,
) -> bytes:
    """A CDAR saying `code` about an invoice (our 212, or the stand-in's)."""
    stamp = at.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")
    issue = invoice_issue_date.strftime("%Y%m%d") + "000000"
    recipients = (
        _party(
            "RecipientTradeParty",
            identifier=buyer_siren,
            scheme=SIREN_SCHEME,
            name=buyer_name,
            role="BY",
        )
        if buyer_siren
        else ""
    )
    details = []
    if status_date is not None:
        details.append(
            '<ram:ReferenceDateTime><udt:DateTimeString format="204">'
            f"{status_date.strftime('%Y%m%d')}000000</udt:DateTimeString>"
            "</ram:ReferenceDateTime>"
        )
    if reason_code:
        details.append(f"<ram:ReasonCode>{escape(reason_code)}</ram:ReasonCode>")
    if reason:
        details.append(f"<ram:Reason>{escape(reason)}</ram:Reason>")
    details.append("<ram:SequenceNumeric>1</ram:SequenceNumeric>")
    for amount, rate in amounts:
        details.append(
            "<ram:SpecifiedDocumentCharacteristic>"
            f"<ram:TypeCode>{AMOUNT_PAID}</ram:TypeCode>"
            f'<ram:ValueAmount currencyID="EUR">{amount:.2f}</ram:ValueAmount>'
            f"<ram:ValuePercent>{rate:.2f}</ram:ValuePercent>"
            "</ram:SpecifiedDocumentCharacteristic>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{RSM}" '
        f'xmlns:ram="{RAM}" xmlns:udt="{UDT}" xmlns:qdt="{QDT}">'
        "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>"
        f"<ram:ID>{PROFILE}</ram:ID>"
        "</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        "<rsm:ExchangedDocument>"
        f"<ram:ID>{escape(message_id)}</ram:ID>"
        f"<ram:Name>{escape(label)} {escape(invoice_number)}</ram:Name>"
        f'<ram:IssueDateTime><udt:DateTimeString format="204">{stamp}'
        "</udt:DateTimeString></ram:IssueDateTime>"
        + _party(
            "SenderTradeParty",
            identifier=seller_siren,
            scheme=SIREN_SCHEME,
            name=seller_name,
            role="SE",
        )
        + recipients
        + "</rsm:ExchangedDocument><rsm:AcknowledgementDocument>"
        "<ram:MultipleReferencesIndicator><udt:Indicator>false</udt:Indicator>"
        "</ram:MultipleReferencesIndicator>"
        f'<ram:IssueDateTime><udt:DateTimeString format="204">{stamp}'
        "</udt:DateTimeString></ram:IssueDateTime>"
        "<ram:ReferenceReferencedDocument>"
        f"<ram:IssuerAssignedID>{escape(invoice_number)}</ram:IssuerAssignedID>"
        f"<ram:TypeCode>{invoice_type_code}</ram:TypeCode>"
        f"<ram:ReferenceTypeCode>{PROFILE}</ram:ReferenceTypeCode>"
        f'<ram:FormattedIssueDateTime><qdt:DateTimeString format="204">{issue}'
        "</qdt:DateTimeString></ram:FormattedIssueDateTime>"
        f"<ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>"
        f"<ram:ProcessCondition>{escape(label)}</ram:ProcessCondition>"
        f'<ram:IssuerTradeParty><ram:GlobalID schemeID="{SIREN_SCHEME}">'
        f"{escape(seller_siren)}</ram:GlobalID></ram:IssuerTradeParty>"
        "<ram:SpecifiedDocumentStatus>"
        + "".join(details)
        + "</ram:SpecifiedDocumentStatus>"
        "</ram:ReferenceReferencedDocument></rsm:AcknowledgementDocument>"
        "</rsm:CrossDomainAcknowledgementAndResponse>\n"
    )
    return xml.encode()

"""A version's frozen content as the factur-x library's EN 16931 fields
(BT-…, BG-…): lines, VAT breakdown, payment, references and delivery."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from companies import identifiers
from documents.models import Document
from einvoicing import mentions
from einvoicing.facturx import parties
from einvoicing.facturx.problems import FacturXError

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


def _plain(value: str) -> str:
    """A number as XML Schema decimals want it (versions may hold "2E+1")."""
    return format(Decimal(value).normalize(), "f")


def type_code(content: dict) -> str:
    if content["kind"] == Document.Kind.CREDIT_NOTE:
        return CREDIT_NOTE
    if content.get("is_deposit"):
        return PREPAYMENT_INVOICE
    return COMMERCIAL_INVOICE


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
        category = _category(content, rate)[0]
        row = {
            "BT-126": str(position),
            "BT-129": _plain(line["quantity"]),
            "BT-130": ONE_UNIT,
            "BT-131": line["total_excl_tax"],
            "BT-146": line["unit_price"],
            "BT-151": category,
            "BT-152": _plain(line["vat_rate"]),
            "BT-153": line["description"][:500],
        }
        if category == mentions.NOT_SUBJECT:
            del row["BT-152"]  # no rate where no VAT applies (BR-O-05)
        rows.append(row)
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
        if category == mentions.NOT_SUBJECT:
            del row["BT-119"]  # as on its lines: no rate where no VAT applies
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
    # An invoice of late fees names the overdue invoice they are on.
    overdue = content.get("late_fees_of")
    if overdue:
        references["BG-3"] = [
            {"BT-25": overdue["number"], "BT-26": overdue["issue_date"]}
        ]
    replaced = content.get("corrected_invoice")
    if replaced and "BG-3" not in references:
        references["BG-3"] = [
            {"BT-25": replaced["number"], "BT-26": replaced["issue_date"]}
        ]
    quote = content.get("quote")
    if quote:
        references["BT-12"] = quote["number"]
    if content.get("purchase_order"):
        references["BT-13"] = content["purchase_order"]
    # A public buyer's service code travels as BuyerReference (BT-10): Chorus
    # Pro and the directory's B2G lines route on it.
    service_code = (content.get("client") or {}).get("service_code")
    if service_code:
        references["BT-10"] = service_code
    return references


def _delivery(content: dict) -> dict:
    """When and where the goods or services were delivered: a day (BT-72),
    or a period (BG-14) ending on its last day; the issue date when none was
    given (French law dates the supply by the invoice then). The delivery
    block is then never empty (PEPPOL-EN16931-R008)."""
    fields: dict = {}
    start, end = content.get("delivery_date"), content.get("delivery_end_date")
    if start and end:
        fields["BT-73"], fields["BT-74"] = start, end
    fields["BT-72"] = end or start or content["issue_date"]
    ship_to = parties.ship_to(content)
    if ship_to:
        fields["BG-13"] = ship_to
    return fields


def vat_in_euros(content: dict) -> Decimal | None:
    """The VAT total in euros of an invoice in another currency (BT-111)."""
    if content["currency"] == "EUR" or not content.get("euro_rate"):
        return None
    tax = Decimal(content["totals"]["tax"]) * Decimal(content["euro_rate"])
    return tax.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _vat_in_euros(content: dict) -> dict:
    euros = vat_in_euros(content)
    return {} if euros is None else {"BT-6": "EUR", "BT-111": str(euros)}


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
        "BG-4": parties.seller(content),
        "BG-7": parties.buyer(content),
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
        **_delivery(content),
        **_vat_in_euros(content),
    }
    if (
        content["seller"].get("vat_on_debits")
        and content.get("operation_category") != Document.OperationCategory.GOODS
        and content["kind"] == Document.Kind.INVOICE
    ):
        fields["BT-8"] = "invoice"  # VAT due when invoiced: the debits option
    return fields

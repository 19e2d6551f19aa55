"""The legal mentions a French invoice carries, from a version's frozen content.

Printed by the document partial (portal page and PDF) and written into the
Factur-X XML as notes with their UNTDID 4451 subject codes, in the language
active when called: the PDF and its XML say the same thing.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.money import format_money, format_rate
from documents.models import Document

FRANCE = "FR"
RECOVERY_INDEMNITY = Decimal("40")

OPERATION_LABELS = {
    Document.OperationCategory.GOODS: gettext_lazy("Invoice for: goods"),
    Document.OperationCategory.SERVICES: gettext_lazy("Invoice for: services"),
    Document.OperationCategory.MIXED: gettext_lazy("Invoice for: goods and services"),
}

# Each exemption: its EN 16931 VAT category, its VATEX reason code, its mention.
VAT_EXEMPTIONS = {
    Document.VatExemption.FRANCHISE: (
        "E",
        "VATEX-FR-FRANCHISE",
        gettext_lazy("VAT not applicable, art. 293 B of the French tax code"),
    ),
    Document.VatExemption.REVERSE_CHARGE: (
        "AE",
        "VATEX-EU-AE",
        gettext_lazy("Reverse charge: VAT due by the customer"),
    ),
    Document.VatExemption.EXPORT: (
        "G",
        "VATEX-EU-G",
        gettext_lazy(
            "VAT exempt: export outside the EU, art. 262 I of the French tax code"
        ),
    ),
}


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def follows_french_rules(content: dict) -> bool:
    """French law's mentions apply to invoices a French company issues."""
    return (
        content["kind"] == Document.Kind.INVOICE
        and content["seller"].get("country", FRANCE) == FRANCE
    )


def operation_label(content: dict) -> str:
    category = content.get("operation_category")
    return str(OPERATION_LABELS[category]) if category in OPERATION_LABELS else ""


def vat_exemption(content: dict) -> tuple[str, str, str] | None:
    """(category, reason code, mention) of the content's 0 % lines, if any."""
    if not any(Decimal(rate["rate"]) == 0 for rate in content["vat_breakdown"]):
        return None
    exemption = VAT_EXEMPTIONS.get(content.get("vat_exemption", ""))
    if exemption is None:
        return None
    category, code, mention = exemption
    return category, code, str(mention)


def legal_mentions(content: dict) -> list[dict[str, str]]:
    """The payment and VAT mentions, as {"code", "text"}, in print order."""
    if not follows_french_rules(content):
        return []
    seller, client = content["seller"], content["client"]
    mentions = []
    if seller.get("vat_on_debits") and content.get("operation_category") != "goods":
        mentions.append(
            {"code": "TXD", "text": _("Option for payment of VAT on debits.")}
        )
    rate = seller.get("late_payment_rate")
    if rate:
        penalties = _(
            "Late-payment penalties: %(rate)s a year from the day after the due date."
        ) % {"rate": format_rate(Decimal(rate), _locale())}
    else:
        penalties = _(
            "Late-payment penalties: the European Central Bank's refinancing rate "
            "plus 10 points, from the day after the due date."
        )
    mentions.append({"code": "PMD", "text": penalties})
    if client.get("is_business", True):
        mentions.append(
            {
                "code": "PMT",
                "text": _(
                    "Fixed indemnity for recovery costs in case of late payment: "
                    "%(amount)s (art. L441-10 and D441-5 of the French commercial "
                    "code)."
                )
                % {"amount": format_money(RECOVERY_INDEMNITY, "EUR", _locale())},
            }
        )
    discount = seller.get("early_payment_discount")
    mentions.append(
        {
            "code": "AAB",
            "text": _("Early-payment discount: %(terms)s") % {"terms": discount}
            if discount
            else _("No discount for early payment."),
        }
    )
    return mentions

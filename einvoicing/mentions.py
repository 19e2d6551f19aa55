"""The legal mentions a French invoice carries, from a version's frozen content.

Printed by the document partial (portal page and PDF) and written into the
Factur-X XML as notes with their UNTDID 4451 subject codes: the PDF and its
XML say the same thing. They are written once, in the document's language,
when a version is frozen (`printed`, registered on `documents.hooks`) and
read back as stored; a version frozen before that computes them in the
active language.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import LegalForm
from companies.money import format_money, format_rate
from documents.models import Document

FRANCE = "FR"
# As the form is written on an invoice (capital letters, not translated).
LEGAL_FORM_LABELS: dict[str, str] = {
    LegalForm.EURL: "EURL",
    LegalForm.SARL: "SARL",
    LegalForm.SASU: "SASU",
    LegalForm.SAS: "SAS",
    LegalForm.SA: "SA",
    LegalForm.SNC: "SNC",
}
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
    # Late-payment interest and the recovery indemnity compensate a delay:
    # they are not the consideration for a supply of goods or services (what
    # art. 256 I of the French tax code taxes), so they are outside the scope
    # of VAT. EN 16931 calls that category O, "not subject to VAT" (see
    # `not_subject_to_vat` for what it changes in the e-invoice).
    Document.VatExemption.NOT_SUBJECT: (
        "O",
        "VATEX-EU-O",
        gettext_lazy(
            "Not subject to VAT: late-payment interest and recovery indemnity, "
            "which pay for no supply"
        ),
    ),
}
NOT_SUBJECT = "O"


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def follows_french_rules(content: dict) -> bool:
    """French law's mentions apply to the invoices and credit notes a French
    company issues."""
    return (
        content["kind"] in (Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE)
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


def not_subject_to_vat(content: dict) -> bool:
    """Whether the content's 0 % lines are outside the scope of VAT (an
    invoice of late fees): EN 16931 category O, whose e-invoice carries no
    VAT rate on its lines (BR-O-05), no VAT number of either party (BR-O-02)
    and no line of another category (BR-O-11, BR-O-12)."""
    exemption = vat_exemption(content)
    return exemption is not None and exemption[0] == NOT_SUBJECT


def legal_mentions(content: dict) -> list[dict[str, str]]:
    """The payment and VAT mentions, as {"code", "text"}, in print order: as
    stored when the version was frozen."""
    if "mentions" in content:
        return list(content["mentions"])
    return _legal_mentions(content)


def printed(content: dict) -> dict:
    """What a version stores of its mentions, written in its language."""
    with translation.override(content.get("language") or None):
        return {"mentions": _legal_mentions(content)}


def _legal_mentions(content: dict) -> list[dict[str, str]]:
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
    if not client.get("is_business", True):
        mentions.append(
            {
                "code": "PMT",
                "text": _(
                    "No fixed indemnity for recovery costs: the client is a consumer."
                ),
            }
        )
    else:
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


def seller_identity(content: dict) -> list[str]:
    """How the seller is identified at the foot of its documents: SIREN (so
    labelled in France), RCS city, legal form with its share capital."""
    seller = content["seller"]
    french = seller.get("country", FRANCE) == FRANCE
    found = []
    number = seller.get("registration_number")
    if number:
        found.append(
            (_("SIREN %(number)s") if french else _("Reg. %(number)s"))
            % {"number": number}
        )
    if french and seller.get("rcs_city"):
        found.append(_("RCS %(city)s") % {"city": seller["rcs_city"]})
    capital = share_capital(content)
    if capital:
        found.append(capital)
    return found


def share_capital(content: dict) -> str:
    """ "SAS with a share capital of €10,000.00", for a company that has one."""
    seller = content["seller"]
    form = LEGAL_FORM_LABELS.get(seller.get("legal_form") or "")
    capital = seller.get("share_capital")
    if not (form and capital):
        return ""
    return _("%(form)s with a share capital of %(amount)s") % {
        "form": form,
        "amount": format_money(
            Decimal(capital), seller.get("capital_currency", "EUR"), _locale()
        ),
    }

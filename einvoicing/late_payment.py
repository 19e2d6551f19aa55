"""The late-payment terms a French B2B invoice freezes when issued: the
penalty rate in force that day (the company's agreed rate, never under the
legal floor, else the ECB's rate plus 10 points) and the €40 indemnity."""

import datetime as dt
from decimal import Decimal
from typing import Any

from companies import late_payment
from documents.models import Document
from einvoicing.mentions import follows_french_rules


def late_payment_terms(content: dict[str, Any]) -> dict[str, Any]:
    """{"late_payment": {"rate", "indemnity"}} for an invoice of a French
    seller to a business; nothing for a consumer, a quote, a credit note, or
    an invoice of late fees (no interest on interest: capitalised interest is
    only due under art. 1343-2 of the civil code's conditions)."""
    if content["kind"] != Document.Kind.INVOICE or not follows_french_rules(content):
        return {}
    if content.get("late_fees_of"):
        return {}
    if not content["client"].get("is_business", True):
        return {}
    agreed = content["seller"].get("late_payment_rate")
    issued = dt.date.fromisoformat(content["issue_date"])
    rate = late_payment.penalty_rate(Decimal(agreed) if agreed else None, issued)
    return {
        "late_payment": {
            "rate": str(rate),
            "indemnity": str(late_payment.RECOVERY_INDEMNITY),
        }
    }

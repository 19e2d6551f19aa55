"""What an overdue invoice owes under French late-payment law, to date: the
interest at the rate its version froze when issued, and the €40 indemnity,
less what the owner waived. One rule, read by the back office, the portal and
the reminders.

Once the owner bills them ("Add late fees": `invoice_late_fees_bill`), the
invoice of late fees claims them, and the overdue invoice claims nothing
more: its interest was billed up to the day that invoice was made, and no
further interest is claimed on it afterwards (one bill of late fees per
invoice; deleting that draft lets them run again). An invoice of late fees
carries no late-payment terms of its own: no interest on interest."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from companies import late_payment
from documents import status
from documents.models import Document


@dataclass(frozen=True)
class LateFees:
    days: int
    rate: Decimal  # % a year, as frozen at issue
    interest: Decimal  # in the invoice's currency; 0 when waived
    indemnity: Decimal  # in euros; 0 when waived
    currency: str
    interest_waived: bool
    indemnity_waived: bool

    @property
    def claimed(self) -> bool:
        return bool(self.interest or self.indemnity)


def late_fees_billed(document: Document) -> Document | None:
    """The invoice (draft or issued) that bills `document`'s late fees."""
    if document.late_fees_invoice_id is None:  # no query for the usual case
        return None
    return document.late_fees_invoice


def late_fees(document: Document, today: dt.date) -> LateFees | None:
    """The late fees of an overdue invoice whose version carries late-payment
    terms (a French seller's B2B invoice); None otherwise."""
    if not status.is_overdue(document, today) or document.due_date is None:
        return None
    version = document.current_version
    terms = version.content.get("late_payment") if version is not None else None
    if not terms or document.late_fees_invoice_id is not None:
        return None
    rate = Decimal(terms["rate"])
    interest = late_payment.late_interest(
        max(document.amount_due, Decimal(0)), rate, document.due_date, today
    )
    return LateFees(
        days=late_payment.late_days(document.due_date, today),
        rate=rate,
        interest=Decimal("0.00") if document.late_interest_waived else interest,
        indemnity=Decimal("0.00")
        if document.recovery_indemnity_waived
        else Decimal(terms["indemnity"]),
        currency=document.currency,
        interest_waived=document.late_interest_waived,
        indemnity_waived=document.recovery_indemnity_waived,
    )

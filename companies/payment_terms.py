"""Payment terms: how long a client has to pay an invoice.

A company sets its default terms ("30 days", "45 days end of month") and a
client may have its own; a new invoice's due date is computed from them.
Pure functions: no query, so the rules are tested on their own.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# A year is the longest term any invoice needs; France caps most at 60 days.
MAX_TERM_DAYS = 365

TERM_DAYS_VALIDATORS = [
    MinValueValidator(
        0,
        message=gettext_lazy(
            "Payment terms cannot be negative: enter 0 for payment on receipt."
        ),
    ),
    MaxValueValidator(
        MAX_TERM_DAYS,
        message=gettext_lazy("Payment terms are at most %(limit_value)s days."),
    ),
]


@dataclass(frozen=True)
class PaymentTerms:
    """N days after the issue date, then (end of month) the last day of
    that month: the French "30 jours fin de mois" as most businesses read it."""

    days: int
    end_of_month: bool = False

    def due_date(self, issue_date: dt.date) -> dt.date:
        due = issue_date + dt.timedelta(days=self.days)
        if self.end_of_month:
            last_day = calendar.monthrange(due.year, due.month)[1]
            due = due.replace(day=last_day)
        return due

    def __str__(self) -> str:
        if self.days == 0 and not self.end_of_month:
            return _("on receipt")
        text = ngettext("%(days)s day", "%(days)s days", self.days) % {
            "days": self.days
        }
        if self.end_of_month:
            return _("%(days)s end of month") % {"days": text}
        return text


def payment_terms_for(company: Any, client: Any = None) -> PaymentTerms:
    """The client's own terms when it has some, else its company's."""
    if client is not None and client.payment_terms_days is not None:
        return PaymentTerms(
            client.payment_terms_days, bool(client.payment_terms_end_of_month)
        )
    return PaymentTerms(
        company.payment_terms_days, bool(company.payment_terms_end_of_month)
    )

"""French late-payment law (Code de commerce L441-10, D441-5): the penalty
rate, its legal floor, the fixed recovery indemnity, and interest to the cent.

Pure rules over dates and amounts: the rates in force are kept here, by
half-year, and a version freezes the rate that applied when it was issued.

- The default penalty rate is the European Central Bank's rate for its most
  recent main refinancing operation in force on 1 January (for invoices issued
  January to June) or 1 July (July to December), plus 10 points.
- A rate agreed in the terms may not be under three times the legal interest
  rate (taux de l'intérêt légal, "other cases": professionals), also set per
  half-year.
- Each late B2B invoice owes a fixed indemnity of €40 for recovery costs.
- Interest runs from the day after the due date, on the amount still due,
  by days: each day counts 1/365 of the yearly rate, or 1/366 in a leap year.

Sources, to update the two tables each half-year (add a row for the new
half-year; past rows stay, the law of their half-year; issued invoices keep
the rate their version froze either way):

- ECB main refinancing operations rate: the European Central Bank's "Key ECB
  interest rates" page and its monetary policy decisions; the rate in force
  on 1 January and 1 July is the one applying to that half-year (L441-10).
  The Banque de France also restates it each half-year.
- Legal interest rate, "other cases" (creditors who are not individuals
  acting outside a business): set each half-year by an arrêté of the
  Minister of the Economy published in the Journal officiel (Code monétaire
  et financier, art. L313-2), also published by the Banque de France.

A day after the last row uses the last row (see `_in_force`): until someone
adds the next half-year, invoices carry the last rate known here.
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

RECOVERY_INDEMNITY = Decimal("40.00")  # euros, per invoice (D441-5)
PENALTY_POINTS = Decimal("10")

# The ECB main refinancing rate in force on the first day of each half-year.
ECB_REFINANCING_RATES: list[tuple[dt.date, Decimal]] = [
    (dt.date(2024, 1, 1), Decimal("4.50")),
    (dt.date(2024, 7, 1), Decimal("4.25")),
    (dt.date(2025, 1, 1), Decimal("3.15")),
    (dt.date(2025, 7, 1), Decimal("2.15")),
    (dt.date(2026, 1, 1), Decimal("2.15")),
    (dt.date(2026, 7, 1), Decimal("2.15")),
]
# The legal interest rate for professional creditors, per half-year.
LEGAL_INTEREST_RATES: list[tuple[dt.date, Decimal]] = [
    (dt.date(2024, 1, 1), Decimal("5.07")),
    (dt.date(2024, 7, 1), Decimal("4.92")),
    (dt.date(2025, 1, 1), Decimal("3.71")),
    (dt.date(2025, 7, 1), Decimal("2.76")),
    (dt.date(2026, 1, 1), Decimal("2.76")),
    (dt.date(2026, 7, 1), Decimal("2.76")),
]

CENT = Decimal("0.01")


def _in_force(table: list[tuple[dt.date, Decimal]], day: dt.date) -> Decimal:
    """The rate of the last row starting on or before `day`.

    Past the last row, the last known rate: no figure is made up for a
    half-year nobody has entered yet, and issuing is never blocked for it
    (the table is to be updated; see the module's sources). Before the first
    row, the first one: the product issues no invoices dated earlier.
    """
    found = table[0][1]
    for start, rate in table:  # in date order, oldest first
        if start <= day:
            found = rate
    return found


def legal_penalty_rate(day: dt.date) -> Decimal:
    """The default penalty rate (% a year) for an invoice issued on `day`."""
    return _in_force(ECB_REFINANCING_RATES, day) + PENALTY_POINTS


def penalty_rate_floor(day: dt.date) -> Decimal:
    """The lowest rate (% a year) terms may set on `day`: three times the
    legal interest rate."""
    return _in_force(LEGAL_INTEREST_RATES, day) * 3


def penalty_rate(agreed: Decimal | None, day: dt.date) -> Decimal:
    """The rate an invoice issued on `day` carries: the company's agreed rate,
    never under the floor; the legal default when it agreed none."""
    if agreed is None:
        return legal_penalty_rate(day)
    return max(agreed, penalty_rate_floor(day))


def late_days(due_date: dt.date, today: dt.date) -> int:
    """Days of delay: from the day after the due date to today, included."""
    return max((today - due_date).days, 0)


def late_interest(
    amount: Decimal, rate: Decimal, due_date: dt.date, today: dt.date
) -> Decimal:
    """Interest on `amount` at `rate` % a year from the day after `due_date`
    to `today` included, each day at 1/365 (1/366 in a leap year) of the
    rate, rounded half-up to the cent once, at the end."""
    if amount <= 0 or today <= due_date:
        return Decimal("0.00")
    total = Decimal(0)
    day = due_date + dt.timedelta(days=1)
    while day <= today:
        year_end = dt.date(day.year, 12, 31)
        last = min(year_end, today)
        days = (last - day).days + 1
        year_days = 366 if calendar.isleap(day.year) else 365
        total += amount * rate / 100 * days / year_days
        day = last + dt.timedelta(days=1)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)

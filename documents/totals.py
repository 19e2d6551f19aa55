"""A document's lines and totals, computed on the server in Decimal."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from companies.money import round_money
from documents.models import VAT_RATES

HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("999999999999.99")  # fits the 14-digit columns


class InvalidLine(ValueError):
    """A line a document cannot carry; the message is for people."""


@dataclass(frozen=True)
class LineInput:
    """A line as the services take it; `line_check` says whether it may be used."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal


def line_check(line: LineInput) -> None:
    """:raises InvalidLine: a blank description, a quantity not above zero, a
    negative price or an unknown VAT rate."""
    if not line.description.strip():
        raise InvalidLine(_("Every line needs a description."))
    if line.quantity <= 0:
        raise InvalidLine(_("A quantity must be greater than zero."))
    if line.unit_price < 0:
        raise InvalidLine(_("A unit price cannot be negative."))
    if line.vat_rate not in VAT_RATES:
        raise InvalidLine(
            _("%(rate)s %% is not an allowed VAT rate.") % {"rate": line.vat_rate}
        )


@dataclass(frozen=True)
class Totals:
    lines: list[dict[str, str]]
    vat_breakdown: list[dict[str, str]]
    total_excl_tax: Decimal
    total_tax: Decimal
    total: Decimal


def compute_totals(lines: Iterable[LineInput], currency: str) -> Totals:
    """Each line rounded half-up to the currency's unit, then summed.

    :raises InvalidLine: a line `line_check` refuses, or a total too large to
        store.
    """
    computed: list[dict[str, str]] = []
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        line_check(line)
        excl = round_money(line.quantity * line.unit_price, currency)
        tax = round_money(excl * line.vat_rate / HUNDRED, currency)
        computed.append(
            {
                "description": line.description.strip(),
                "quantity": str(line.quantity.normalize()),
                "unit_price": str(line.unit_price),
                "vat_rate": str(line.vat_rate.normalize()),
                "total_excl_tax": str(excl),
                "tax": str(tax),
            }
        )
        base_sum, tax_sum = by_rate.get(line.vat_rate, (Decimal(0), Decimal(0)))
        by_rate[line.vat_rate] = (base_sum + excl, tax_sum + tax)
    total_excl_tax = sum(
        (Decimal(line["total_excl_tax"]) for line in computed), Decimal(0)
    )
    total_tax = sum((Decimal(line["tax"]) for line in computed), Decimal(0))
    total = total_excl_tax + total_tax
    if total > MAX_AMOUNT:
        raise InvalidLine(_("The document's total is too large."))
    breakdown = [
        {"rate": str(rate.normalize()), "base": str(base), "tax": str(tax)}
        for rate, (base, tax) in sorted(by_rate.items())
    ]
    return Totals(computed, breakdown, total_excl_tax, total_tax, total)

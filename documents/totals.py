"""A document's lines and totals, computed on the server in Decimal."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from companies.money import round_money
from companies.validators import is_single_line
from documents.models import VAT_RATES, DocumentLine

HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("999999999999.99")  # fits the 14-digit columns
# A document's lines: enough for any invoice a person reads, few enough that
# printing it stays a matter of seconds (the README lists the limits).
MAX_LINES = 200
DESCRIPTION_MAX_LENGTH: int = (
    DocumentLine._meta.get_field("description").max_length or 0
)


class InvalidLine(ValueError):
    """A line a document cannot carry; the message is for people."""


def plain(number: Decimal) -> str:
    """A number without trailing zeros nor exponent: 20, 5.5, 1.25 (not 2E+1)."""
    text = format(number.normalize(), "f")
    return text


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
    if len(line.description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidLine(
            _("A line's description has at most %(limit)s characters.")
            % {"limit": DESCRIPTION_MAX_LENGTH}
        )
    if not is_single_line(line.description):
        raise InvalidLine(
            _("A line's description is one line, without line breaks or tabs.")
        )
    if line.quantity <= 0:
        raise InvalidLine(_("A quantity must be greater than zero."))
    if line.unit_price < 0:
        raise InvalidLine(_("A unit price cannot be negative."))
    if line.vat_rate not in VAT_RATES:
        raise InvalidLine(
            _("%(rate)s %% is not an allowed VAT rate.") % {"rate": line.vat_rate}
        )


@dataclass(frozen=True)
class Deduction:
    """A deposit invoice the final invoice of the same quote takes off: its
    amounts excluding VAT, per VAT rate, as it invoiced them."""

    number: str
    issue_date: str
    bases: dict[Decimal, Decimal]


@dataclass(frozen=True)
class Totals:
    lines: list[dict[str, str]]
    vat_breakdown: list[dict[str, str]]
    total_excl_tax: Decimal
    total_tax: Decimal
    total: Decimal
    # The lines' own total excluding VAT, before deposits are taken off, and
    # the deposits taken off (a final invoice only).
    lines_excl_tax: Decimal = Decimal(0)
    deductions: list[dict] = field(default_factory=list)


def compute_totals(
    lines: Iterable[LineInput], currency: str, deductions: Iterable[Deduction] = ()
) -> Totals:
    """Each line's amount rounded half-up to the currency's unit; the VAT of
    each rate computed once on the sum of its lines (as EN 16931 requires:
    tax = base × rate, rounded), less any deposits already invoiced.

    :raises InvalidLine: a line `line_check` refuses, deposits larger than the
        lines at some rate, or a total too large to store.
    """
    lines = list(lines)
    if len(lines) > MAX_LINES:
        raise InvalidLine(
            _("A document has at most %(limit)s lines.") % {"limit": MAX_LINES}
        )
    computed: list[dict[str, str]] = []
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        line_check(line)
        excl = round_money(line.quantity * line.unit_price, currency)
        computed.append(
            {
                "description": line.description.strip(),
                "quantity": plain(line.quantity),
                "unit_price": str(line.unit_price),
                "vat_rate": plain(line.vat_rate),
                "total_excl_tax": str(excl),
            }
        )
        bases[line.vat_rate] = bases.get(line.vat_rate, Decimal(0)) + excl
    lines_excl_tax = sum(bases.values(), Decimal(0))
    taken_off = []
    for deduction in deductions:
        for rate, base in deduction.bases.items():
            bases[rate] = bases.get(rate, Decimal(0)) - base
        taken_off.append(
            {
                "number": deduction.number,
                "issue_date": deduction.issue_date,
                "lines": [
                    {"vat_rate": plain(rate), "total_excl_tax": str(base)}
                    for rate, base in sorted(deduction.bases.items())
                ],
                "total_excl_tax": str(sum(deduction.bases.values(), Decimal(0))),
            }
        )
    if any(base < 0 for base in bases.values()):
        raise InvalidLine(_("The deposits already invoiced exceed this invoice."))
    breakdown = []
    for rate, base in sorted(bases.items()):
        tax = round_money(base * rate / HUNDRED, currency)
        breakdown.append({"rate": plain(rate), "base": str(base), "tax": str(tax)})
    total_excl_tax = sum(bases.values(), Decimal(0))
    total_tax = sum((Decimal(rate["tax"]) for rate in breakdown), Decimal(0))
    total = total_excl_tax + total_tax
    if total > MAX_AMOUNT:
        raise InvalidLine(_("The document's total is too large."))
    return Totals(
        computed,
        breakdown,
        total_excl_tax,
        total_tax,
        total,
        lines_excl_tax=lines_excl_tax,
        deductions=taken_off,
    )

"""Amounts split by VAT rate: what deposits and credit notes take, rate by rate.

A deposit invoice bills part of a quote and a credit note takes part of an
invoice back; each is made of one line per VAT rate of what it follows, so
the final invoice can deduct a deposit, and an invoice be credited, rate by
rate with the VAT each rate carried.
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from companies.money import round_money
from documents.models import Document, DocumentVersion
from documents.totals import LineInput, plain

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def current_content(document: Document) -> dict[str, Any]:
    """A finalised document's current version's content."""
    version = document.current_version
    if version is None:
        raise ValueError(f"{document} has no version yet")
    return version.content  # type: ignore[no-any-return]


def version_bases(version: DocumentVersion | None) -> dict[Decimal, Decimal]:
    """The amounts excluding VAT a version carries, per VAT rate."""
    if version is None:
        return {}
    return {
        Decimal(rate["rate"]): Decimal(rate["base"])
        for rate in version.content["vat_breakdown"]
    }


def bases_sum(*parts: dict[Decimal, Decimal], sign: int = 1) -> dict[Decimal, Decimal]:
    total: dict[Decimal, Decimal] = {}
    for index, part in enumerate(parts):
        factor = 1 if index == 0 else sign
        for rate, base in part.items():
            total[rate] = total.get(rate, Decimal(0)) + factor * base
    return total


def incl_vat(bases: dict[Decimal, Decimal], currency: str) -> Decimal:
    """What `bases` come to with their VAT, computed as an invoice would."""
    return sum(
        (
            base + round_money(base * rate / HUNDRED, currency)
            for rate, base in bases.items()
        ),
        Decimal(0),
    )


def bases_of_share(
    bases: dict[Decimal, Decimal], percent: Decimal, currency: str
) -> dict[Decimal, Decimal]:
    """`percent` of each rate's amount."""
    return {
        rate: round_money(base * percent / HUNDRED, currency)
        for rate, base in bases.items()
        if base > 0
    }


def bases_for_amount(
    caps: dict[Decimal, Decimal], amount: Decimal, currency: str
) -> dict[Decimal, Decimal]:
    """Amounts per rate, each within its cap, whose total with VAT is `amount`
    (or the closest below it a cent's rounding allows), split in proportion
    to the caps.

    The caller checked that `amount` does not exceed what the caps come to.
    """
    caps = {rate: base for rate, base in caps.items() if base > 0}
    available = incl_vat(caps, currency)
    if amount >= available:
        return dict(caps)
    share = amount / available
    bases = {rate: round_money(base * share, currency) for rate, base in caps.items()}
    # Rounding each rate can miss the amount by a few cents: move one rate's
    # amount a cent at a time towards it, never past its cap. Some amounts
    # cannot be reached exactly (at 20 %, 1 cent excluding VAT is 1.2 cents):
    # then the closest below.
    candidates = []
    for rate in caps:
        for step in range(-5, 6):
            candidate = {**bases, rate: bases[rate] + step * CENT}
            if Decimal(0) <= candidate[rate] <= caps[rate]:
                candidates.append((incl_vat(candidate, currency), candidate))
    below = [item for item in candidates if item[0] <= amount]
    if below:
        return max(below, key=lambda item: item[0])[1]
    return min(candidates, key=lambda item: item[0])[1]


def credited_bases(invoice: Document) -> dict[Decimal, Decimal]:
    """What the invoice's credit notes already took off it, per rate."""
    total: dict[Decimal, Decimal] = {}
    for credit_note in invoice.credit_notes.select_related("current_version"):
        total = bases_sum(total, version_bases(credit_note.current_version))
    return total


def rate_lines(bases: dict[Decimal, Decimal], label: str) -> list[LineInput]:
    """One line per VAT rate for what a deposit or a credit note takes at that
    rate, the rate named when there are several."""
    several = len(bases) > 1
    return [
        LineInput(
            description=(
                _("%(label)s (VAT %(rate)s %%)") % {"label": label, "rate": plain(rate)}
                if several
                else label
            ),
            quantity=Decimal(1),
            unit_price=base,
            vat_rate=rate,
        )
        for rate, base in sorted(bases.items())
        if base > 0
    ]

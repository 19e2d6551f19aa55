"""The totals box under a document's lines, which admin_extra/live_totals.js
keeps up to date as lines are typed. The server stays the authority: it
computes the totals again when the document is saved."""

import json
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from backoffice.documents.inlines import money_display
from companies.models import Company
from documents.models import CatalogueItem, Document
from documents.services.deductions import deductions_for
from documents.services.drafts import document_lines
from documents.totals import InvalidLine, compute_totals, plain


def live_totals(document: Document | None) -> dict[str, Any]:
    """The saved lines' totals (none on a new document), and what deposits a
    final invoice takes off, per VAT rate, for the script to take off too."""
    # The label of each rate's row, "{rate}" filled in by the script.
    labels = {"vat_label": _("VAT %(rate)s %%") % {"rate": "{rate}"}}
    if document is None:
        return {"rows": [], "deductions": "{}", **labels}
    deductions = deductions_for(document)
    taken_off: dict[str, Decimal] = {}
    for deduction in deductions:
        for rate, base in deduction.bases.items():
            key = format(rate.normalize(), "f")
            taken_off[key] = taken_off.get(key, Decimal(0)) + base
    try:
        totals = compute_totals(document_lines(document), document.currency, deductions)
    except InvalidLine:
        rows = []
    else:
        rows = [
            (
                formats.number_format(Decimal(rate["rate"])),
                money_display(Decimal(rate["tax"]), document.currency),
            )
            for rate in totals.vat_breakdown
        ]
    return {
        "rows": rows,
        "excl": money_display(document.total_excl_tax, document.currency),
        "total": money_display(document.total, document.currency),
        "deductions": json.dumps({rate: str(base) for rate, base in taken_off.items()}),
        **labels,
    }


# The most catalogue items a line's picker offers (the first by name).
CATALOGUE_CHOICES = 500


def catalogue_choices(company: Company) -> list[dict[str, str]]:
    """The company's catalogue as a line's picker lists it: name, unit,
    unit price and VAT rate as the line's inputs take them."""
    items = CatalogueItem.objects.for_company(company).order_by("name", "pk")
    return [
        {
            "name": item.name,
            "unit": item.unit,
            "unit_price": str(item.unit_price),
            "vat_rate": plain(item.vat_rate),
        }
        for item in items[:CATALOGUE_CHOICES]
    ]

"""Columns and read-only fields for back-office pages: amounts and moments in
the member's language (as the portal shows them), whatever page shows them.

    amount_shown = money_column("amount", description=_("amount"))
    owed = money_column("amount_due", currency="invoice__currency",
                        description=_("owes"), blank_when_zero=True)
    received = moment_column("received_at", description=_("received at"))

Each returns a method for a ModelAdmin (list_display, readonly_fields), sorted
by its own field.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.utils import timezone

from companies import money

EMPTY = "—"


def _value(obj: Any, path: str) -> Any:
    for name in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount in the active language, or a dash when there is none."""
    if amount is None or not currency:
        return EMPTY
    return money.format_money_active(amount, currency)


def moment_text(moment: dt.datetime | None) -> str:
    """27 nov. 2026, 14:05 / Nov 27, 2026, 2:05 PM, in the current time zone."""
    if moment is None:
        return EMPTY
    return money.format_moment(
        moment, money.active_locale(), timezone.get_current_timezone()
    )


def day_text(day: dt.date | None) -> str:
    """27 nov. 2026 / Nov 27, 2026."""
    if day is None:
        return EMPTY
    return money.format_day(day, money.active_locale())


def money_column(
    field: str,
    *,
    description: Any,
    currency: str = "currency",
    blank_when_zero: bool = False,
    ordering: str | None = None,
) -> Callable[[Any, Any], str]:
    """A column showing `field` (a path with `__`) in the row's `currency`."""

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin: Any, obj: Any) -> str:
        amount = _value(obj, field)
        if blank_when_zero and not amount:
            return EMPTY
        return money_text(amount, _value(obj, currency))

    return column


def moment_column(
    field: str, *, description: Any, ordering: str | None = None
) -> Callable[[Any, Any], str]:
    """A column showing a date and time, to the minute."""

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin: Any, obj: Any) -> str:
        return moment_text(_value(obj, field))

    return column


def day_column(
    field: str, *, description: Any, ordering: str | None = None
) -> Callable[[Any, Any], str]:
    """A column showing a date."""

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin: Any, obj: Any) -> str:
        return day_text(_value(obj, field))

    return column

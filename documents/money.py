"""Money: currencies, rounding and formatting, all through Babel (CLDR data)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale as BabelLocale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, get_currency_precision, list_currencies

KNOWN_CURRENCIES = frozenset(list_currencies())


def is_known_currency(code: str) -> bool:
    return code in KNOWN_CURRENCIES


def currency_choices(locale: str = "en") -> list[tuple[str, str]]:
    names = BabelLocale.parse(locale).currencies
    return sorted(
        ((code, f"{code} — {names.get(code, code)}") for code in KNOWN_CURRENCIES),
        key=lambda choice: choice[0],
    )


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (2 for EUR, 0 for JPY)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """1 234,56 € in French, €1,234.56 in English."""
    return format_currency(amount, currency, locale=locale)


def format_day(day: dt.date, locale: str) -> str:
    """27 nov. 2026 in French, Nov 27, 2026 in English."""
    return babel_format_date(day, format="medium", locale=locale)

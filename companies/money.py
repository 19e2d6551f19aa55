"""Money: currencies, rounding and formatting, all through Babel (CLDR data)."""

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale as BabelLocale
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_time
from babel.numbers import (
    format_currency,
    format_percent,
    get_currency_precision,
    list_currencies,
)
from babel.numbers import format_decimal as babel_format_decimal
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

KNOWN_CURRENCIES = frozenset(list_currencies())


@functools.lru_cache(maxsize=64)
def _locale(code: str) -> BabelLocale:
    """The parsed locale: Babel re-parses a code string on every call it gets one.

    A handful of codes (the portal's languages, each company's default) ever
    reach here; a Locale is immutable CLDR data, safe to share between threads.
    """
    return BabelLocale.parse(code)


def is_known_currency(code: str) -> bool:
    return code in KNOWN_CURRENCIES


# Amounts are stored with two decimals: a currency with three (KWD, BHD, …)
# would be rounded on the way in, so it is refused rather than half-supported.
STORED_DECIMALS = 2


# Every amount column: up to a trillion in any currency, to the cent.
STORED_DIGITS = 14


class MoneyField(models.DecimalField):
    """An amount of money as the database keeps it (`STORED_DIGITS` digits,
    `STORED_DECIMALS` of them after the point); its currency is a column of
    the same row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", STORED_DIGITS)
        kwargs.setdefault("decimal_places", STORED_DECIMALS)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        # Migrations see the plain DecimalField they always saw: the columns
        # are the same, so none is written for the change of class.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def is_supported_currency(code: str) -> bool:
    return is_known_currency(code) and get_currency_precision(code) <= STORED_DECIMALS


def unsupported_currency_message(code: str) -> str:
    return _(
        "%(code)s has %(decimals)s decimal places; amounts are kept with at most "
        "%(stored)s, so documents cannot use it yet."
    ) % {
        "code": code,
        "decimals": get_currency_precision(code),
        "stored": STORED_DECIMALS,
    }


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (2 for EUR, 0 for JPY)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def currency_exponent(currency: str) -> int:
    """Digits of the currency's minor unit, as CLDR knows them: EUR 2, JPY 0."""
    return get_currency_precision(currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """An amount as a count of the currency's minor unit (12.34 EUR → 1234),
    as payment providers take it; rounded half-up to that unit first."""
    return int(round_money(amount, currency).scaleb(currency_exponent(currency)))


def from_minor_units(count: int, currency: str) -> Decimal:
    """A count of the currency's minor unit as an amount (1234 EUR → 12.34)."""
    exponent = currency_exponent(currency)
    return Decimal(count).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """1 234,56 € in French, €1,234.56 in English."""
    return format_currency(amount, currency, locale=_locale(locale))


def format_day_month(day: dt.date, locale: str) -> str:
    """3 déc. in French, Dec 3 in English: a recent day, without its year."""
    return format_skeleton("MMMd", day, locale=_locale(locale))


def format_day(day: dt.date, locale: str) -> str:
    """27 nov. 2026 in French, Nov 27, 2026 in English."""
    return babel_format_date(day, format="medium", locale=_locale(locale))


def format_moment(moment: dt.datetime, locale: str, tzinfo: dt.tzinfo) -> str:
    """27 nov. 2026, 14:05 in French, Nov 27, 2026, 2:05 PM in English."""
    moment = moment.astimezone(tzinfo)
    parsed = _locale(locale)
    pattern = parsed.datetime_formats["medium"]  # "{1}, {0}"
    date_part = babel_format_date(moment.date(), format="medium", locale=parsed)
    time_part = format_time(moment, format="short", locale=parsed)
    return str(pattern).replace("{1}", date_part).replace("{0}", time_part)


def format_number(value: Decimal, locale: str) -> str:
    """1 234,5 in French, 1,234.5 in English (as many decimals as the value has)."""
    return babel_format_decimal(
        value, locale=_locale(locale), decimal_quantization=False
    )


def format_rate(percent: Decimal, locale: str) -> str:
    """A VAT rate given in percent: 5,5 % in French, 5.5% in English."""
    return format_percent(
        percent / 100, locale=_locale(locale), decimal_quantization=False
    )


def active_locale() -> str:
    """The active language as a Babel locale: the member's in the back office
    (LocaleMiddleware), the client's in the portal, whatever
    `translation.override` says in an e-mail or a PDF."""
    return translation.to_locale(translation.get_language() or "en")


def format_money_active(amount: Decimal, currency: str) -> str:
    """`format_money` in the active language."""
    return format_money(amount, currency, active_locale())


def format_totals(totals: Mapping[str, Decimal]) -> list[str]:
    """Amounts in several currencies, one each, in the active language and in
    the order of the currency codes; zero amounts are left out."""
    return [
        format_money_active(amount, currency)
        for currency, amount in sorted(totals.items())
        if amount
    ]

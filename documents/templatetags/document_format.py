"""Amounts, dates and numbers for the active language, through companies.money.

Used by `documents/_document_body.html`, which the portal page and the PDF
share, and by the portal's own pages: the filters read only the active language
(`translation.override` around a render is enough), never the request.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone, translation

from companies import money
from companies.references import grouped, is_valid_creditor_reference

register = template.Library()


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def money_format(value: object, currency: str) -> str:
    """{{ total|money_format:currency }} → 1 234,56 € / €1,234.56"""
    amount = _decimal(value)
    if amount is None or not currency:
        return ""
    return money.format_money(amount, currency, _locale())


@register.filter
def day_format(value: object) -> str:
    """{{ issue_date|day_format }} → 27 nov. 2026 / Nov 27, 2026 (also ISO strings)"""
    day = _date(value)
    return money.format_day(day, _locale()) if day else ""


@register.filter
def moment_format(value: object) -> str:
    """{{ event.at|moment_format }} → 27 nov. 2026, 14:05, in the current time zone"""
    if not isinstance(value, dt.datetime):
        return ""
    return money.format_moment(value, _locale(), timezone.get_current_timezone())


@register.filter
def moment_zoned(value: object) -> str:
    """{{ event.at|moment_zoned }} → 27 nov. 2026, 14:05 CET: with its zone,
    for a reader who may live in another one (a client abroad)."""
    if not isinstance(value, dt.datetime):
        return ""
    zone = timezone.get_current_timezone()
    moment = money.format_moment(value, _locale(), zone)
    return f"{moment} {value.astimezone(zone).strftime('%Z')}".strip()


@register.filter
def number_format(value: object) -> str:
    """{{ line.quantity|number_format }} → 1 234,5 / 1,234.5"""
    number = _decimal(value)
    return money.format_number(number, _locale()) if number is not None else ""


@register.filter
def rate_format(value: object) -> str:
    """{{ line.vat_rate|rate_format }} (a percent such as "5.5") → 5,5 % / 5.5%"""
    rate = _decimal(value)
    return money.format_rate(rate, _locale()) if rate is not None else ""


@register.filter
def reference_format(value: object) -> str:
    """An RF creditor reference in groups of four, for people to read and type
    (RF16 INV2 0260 001); anything else (an older version's invoice number)
    as it is."""
    text = str(value or "")
    return grouped(text) if is_valid_creditor_reference(text) else text

"""What a Stripe event may bring into our database, and in what shape.

A signed event is Stripe's, but what it carries was typed by people (a
cardholder's name, an address) and may hold what a database refuses:
PostgreSQL stores no NUL character, in text or JSON, and no string may be
longer than its column. An event that fails on its content fails on every
delivery, and Stripe retries it for days while the payment it announces is
never recorded. So every text is cleaned and bounded before it is stored, and
every identifier we look up or store must look like Stripe's before it is
used: anything else is a discrepancy for review, never an error.
"""

import hashlib
import math
import re
import unicodedata
from typing import Any

# Stripe's identifiers: a prefix, an underscore, letters and digits
# (evt_…, cs_…, pi_…, ch_…, acct_…), well under our 255-character columns.
STRIPE_ID = re.compile(r"[A-Za-z0-9_]{1,255}")
# Bounds on what a stored payload keeps of an event.
TEXT_MAX_LENGTH = 2000
DEPTH_MAX = 20
ITEMS_MAX = 500
TRUNCATED = "…"

# A portal path, /p/<token>/…: a Checkout Session opened before its return
# addresses stopped carrying the link still names it in its success_url.
_PORTAL_LINK = re.compile(r"(?P<prefix>/p/)(?!checkout/)[A-Za-z0-9_\-%]{20,}")
PORTAL_LINK_MASK = r"\g<prefix>[link]"


def is_stripe_id(value: object) -> bool:
    """Whether `value` is an identifier as Stripe writes them."""
    return isinstance(value, str) and STRIPE_ID.fullmatch(value) is not None


def clean_text(value: str, max_length: int = TEXT_MAX_LENGTH) -> str:
    """`value` without control characters (NUL included) nor lone surrogates
    (which no UTF-8 column holds), at most `max_length` characters."""
    kept = "".join(
        char for char in value if unicodedata.category(char) not in ("Cc", "Cs")
    )
    if len(kept) > max_length:
        kept = kept[: max_length - 1] + TRUNCATED
    return kept


def clean_payload(value: Any, depth: int = 0) -> Any:
    """The event as we store it: every key and text cleaned and bounded, no
    portal link, nesting and lists bounded."""
    if isinstance(value, str):
        return _PORTAL_LINK.sub(PORTAL_LINK_MASK, clean_text(value))
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are no JSON a database takes
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= DEPTH_MAX:
        return TRUNCATED
    if isinstance(value, dict):
        items = list(value.items())[:ITEMS_MAX]
        return {
            clean_text(str(key), 255): clean_payload(item, depth + 1)
            for key, item in items
        }
    if isinstance(value, list):
        return [clean_payload(item, depth + 1) for item in value[:ITEMS_MAX]]
    return clean_text(str(value))


def stored_event_id(event_id: str) -> str:
    """The id an event is stored under: Stripe's own, or for an id Stripe
    would never send (too long, odd characters) a stand-in made from it, the
    same for every delivery of that event, so it is still stored once."""
    if is_stripe_id(event_id):
        return event_id
    digest = hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"malformed_{digest}"

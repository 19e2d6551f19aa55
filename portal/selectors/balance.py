"""What the client owes, as the invoices tab opens with it.

`documents.selectors.balance` of the invoices the client can see, so the
figures add up with the list and agree with the back office's.
"""

import datetime as dt

from django.core.cache import cache

from clients.models import Client
from documents.selectors import CurrencyBalance, balance
from portal.selectors import REVISION_CACHE_SECONDS, portal_documents, revision_key


def portal_balance(*, client: Client, today: dt.date) -> list[CurrencyBalance]:
    """Per currency (alphabetical), what the client owes on its visible
    invoices, how much of it is overdue, and what it paid that is still
    processing.

    One query, then cached under the client's revision and the day (an invoice
    becomes overdue with the date alone).
    """
    key = revision_key(client, f"balance:{today.isoformat()}")
    lines: list[CurrencyBalance] | None = cache.get(key)
    if lines is None:
        lines = balance(portal_documents(client=client), today=today)
        cache.set(key, lines, REVISION_CACHE_SECONDS)
    return lines

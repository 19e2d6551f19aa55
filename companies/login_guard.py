"""Password guessing on the back office's sign-in, without locking out an office.

Everyone behind an office's shared address signs in from the same address, so
a lockout by address would let one person's typos lock out all the others.
django-axes counts failures in the database (every web process sees them);
this handler decides what they lock:

- the (account, address) pair after `LOGIN_FAILURE_LIMIT` failures: a member
  mistyping locks only themselves, at that address;
- the address alone, whatever the accounts, and the account alone, whatever
  the addresses, only past `LOGIN_FAILURE_CEILING`, much higher: one address
  trying many accounts (credential stuffing), or many addresses trying one
  account.

A sign-in that succeeds clears its own pair only: signing in to one's own
account must not wipe the failures counted against another account.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class OfficeLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, counting as the module says."""

    def get_failures(self, request: HttpRequest, credentials: Any = None) -> int:
        """The pair's failures; the limit itself once the address or the
        account alone passed the ceiling (axes locks at the limit)."""
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        # unscoped: sign-in attempts belong to no company
        recent = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request)
        )
        pair = _failures(recent.filter(username=username, ip_address=address))
        ceiling = settings.LOGIN_FAILURE_CEILING
        if (
            _failures(recent.filter(ip_address=address)) >= ceiling
            or _failures(recent.filter(username=username)) >= ceiling
        ):
            return max(pair, get_failure_limit(request, credentials))
        return pair

"""Connecting a company's own Stripe account to the platform (Stripe Connect).

Stripe calls run outside any transaction; what they answer is then stored in
one. Every change bumps the portal revision of the company's clients, since it
decides whether their invoices offer card payment.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from clients.models import Client
from companies import audit
from companies.models import Actor, Company
from payments import stripe_gateway
from payments.models import StripeAccount

logger = logging.getLogger(__name__)


class StripeConnectFailed(Exception):
    """Connecting could not be done now; the message is for people."""


def stripe_account_of(*, company: Company) -> StripeAccount | None:
    return StripeAccount.objects.for_company(company).first()


def _clients_revision_bump(company: Company) -> None:
    Client.objects.for_company(company).update(portal_revision=F("portal_revision") + 1)


def _country_from_iban(iban: str) -> str:
    code = iban.strip()[:2].upper()
    return code if code.isalpha() and len(code) == 2 else ""


def _not_configured() -> StripeConnectFailed:
    return StripeConnectFailed(_("Card payments are not configured on this platform."))


def _unavailable(exc: Exception) -> StripeConnectFailed:
    logger.warning("Stripe Connect: %s", exc)
    return StripeConnectFailed(
        _("Stripe could not be reached. Nothing was changed; please try again.")
    )


@transaction.atomic
def _account_store(
    company: Company, state: stripe_gateway.AccountState, now: dt.datetime, actor: Actor
) -> StripeAccount:
    account = StripeAccount.objects.for_company(company).select_for_update().first()
    if account is None:
        account = StripeAccount(company=company, account_id=state.account_id)
    elif account.account_id != state.account_id:
        raise ValueError("A company keeps its one Stripe account.")
    newly_connected = account._state.adding or not account.is_connected
    account.is_connected = True
    account.charges_enabled = state.charges_enabled
    account.details_submitted = state.details_submitted
    account.checked_at = now
    account.save()
    if newly_connected:
        audit.stripe_connected(company=company, account=account, actor=actor, at=now)
    _clients_revision_bump(company)
    return account


def stripe_account_ensure(
    *, company: Company, now: dt.datetime, actor: Actor
) -> StripeAccount:
    """The company's connected account, created through the Accounts API when it
    has none (or the one it has, read again): connected from now on.

    :raises StripeConnectFailed: Stripe not configured or not reachable.
    """
    if not stripe_gateway.is_configured():
        raise _not_configured()
    account = stripe_account_of(company=company)
    try:
        if account is None:
            state = stripe_gateway.account_create(
                company_id=company.pk,
                email=company.email,
                country=_country_from_iban(company.iban),
                # A double click, or a retry after our own failure, gets the
                # account the first request made.
                idempotency_key=f"connect-account-{company.pk}",
            )
        else:
            state = stripe_gateway.account_retrieve(account_id=account.account_id)
    except stripe_gateway.StripeUnavailable as exc:
        raise _unavailable(exc) from exc
    return _account_store(company, state, now, actor)


def stripe_connect_start(
    *,
    company: Company,
    now: dt.datetime,
    actor: Actor,
    return_url: str,
    refresh_url: str,
) -> str:
    """Create the company's connected account (or reuse the one it has) and
    return the address of Stripe's onboarding for it.

    :raises StripeConnectFailed: Stripe not configured or not reachable.
    """
    account = stripe_account_ensure(company=company, now=now, actor=actor)
    try:
        return stripe_gateway.account_link_create(
            account_id=account.account_id,
            refresh_url=refresh_url,
            return_url=return_url,
            idempotency_key=f"connect-link-{account.account_id}-{int(now.timestamp())}",
        )
    except stripe_gateway.StripeUnavailable as exc:
        raise _unavailable(exc) from exc


def stripe_connect_refresh(
    *, company: Company, now: dt.datetime, actor: Actor
) -> StripeAccount:
    """Read the connected account back from Stripe (on return from onboarding):
    whether it can take charges now.

    :raises StripeConnectFailed: no account yet, or Stripe not reachable.
    """
    if not stripe_gateway.is_configured():
        raise _not_configured()
    account = stripe_account_of(company=company)
    if account is None:
        raise StripeConnectFailed(_("This company has no Stripe account yet."))
    try:
        state = stripe_gateway.account_retrieve(account_id=account.account_id)
    except stripe_gateway.StripeUnavailable as exc:
        raise _unavailable(exc) from exc
    return _account_store(company, state, now, actor)


@transaction.atomic
def stripe_disconnect(
    *, company: Company, now: dt.datetime, actor: Actor
) -> StripeAccount | None:
    """Stop taking card payments on the company's account. The account is kept,
    so that connecting again reuses it and late events are still recognised."""
    account = StripeAccount.objects.for_company(company).select_for_update().first()
    if account is None or not account.is_connected:
        return account
    account.is_connected = False
    account.checked_at = now
    account.save(update_fields=["is_connected", "checked_at", "updated_at"])
    audit.stripe_disconnected(company=company, account=account, actor=actor, at=now)
    _clients_revision_bump(company)
    return account

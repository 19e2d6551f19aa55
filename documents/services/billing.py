"""Billing an accepted quote: deposit invoices (factures d'acompte); the
invoice the quote then becomes (`conversion`) deducts them, as French practice
requires."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import Actor
from documents import status
from documents.models import Document
from documents.services.amounts import (
    bases_for_amount,
    bases_of_share,
    bases_sum,
    incl_vat,
    rate_lines,
    version_bases,
)
from documents.services.deductions import quote_deposits
from documents.services.drafts import document_create
from documents.services.errors import DocumentError
from documents.services.finalising import document_finalise
from documents.totals import plain

HUNDRED = Decimal(100)


class BillingRefused(DocumentError):
    pass


def _quote_locked(quote: Document) -> Document:
    return (
        # unscoped: re-read under lock, the caller scoped this quote
        Document.objects.select_for_update(of=("self",))
        .select_related("current_version", "company", "client")
        .get(pk=quote.pk)
    )


def _final_invoice(quote: Document) -> Document | None:
    """The invoice the quote became (a draft included), if any."""
    # unscoped: the quote in hand's own invoice
    return Document.objects.filter(source_quote=quote).first()


def _depositable_check(quote: Document) -> None:
    if not status.is_depositable(quote):
        raise BillingRefused(_("Only an accepted quote can be billed."))
    final = _final_invoice(quote)
    if final is not None and not final.is_draft:
        raise BillingRefused(
            _("The final invoice %(number)s of this quote is already issued.")
            % {"number": final.number}
        )


def _number(value: object, message: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise BillingRefused(message) from exc


@transaction.atomic
def deposit_invoice_issue(
    *,
    quote: Document,
    actor: Actor,
    now: dt.datetime,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    due_date: dt.date | None = None,
) -> Document:
    """Issue a deposit invoice for `percent` of an accepted quote, or for
    `amount` (VAT included), one line per VAT rate of the quote; finalised at
    once. Returns it.

    :raises BillingRefused: not an accepted quote, its final invoice issued,
        neither or both of percent and amount, out of range, or more than the
        quote still has to bill.
    """
    quote = _quote_locked(quote)
    _depositable_check(quote)
    if (percent is None) == (amount is None):
        raise BillingRefused(_("Give either a percentage or an amount."))
    billed = bases_sum(
        *(version_bases(deposit.current_version) for deposit in quote_deposits(quote))
    )
    left = bases_sum(version_bases(quote.current_version), billed, sign=-1)
    left_total = incl_vat(left, quote.currency)
    if percent is not None:
        percent = _number(percent, _("Enter a percentage."))
        if not Decimal(0) < percent <= HUNDRED:
            raise BillingRefused(_("A deposit is between 0 and 100 % of the quote."))
        bases = bases_of_share(
            version_bases(quote.current_version), percent, quote.currency
        )
        # Printed on the client's invoice: in the client's language.
        with translation.override(quote.client.locale):
            label = _("Deposit of %(percent)s %% on quote %(number)s") % {
                "percent": plain(percent),
                "number": quote.number,
            }
    else:
        amount = _number(amount, _("Enter an amount."))
        if amount <= 0:
            raise BillingRefused(_("A deposit must be greater than zero."))
        if amount > left_total:
            raise BillingRefused(
                _("The quote has %(amount)s %(currency)s left to bill.")
                % {"amount": left_total, "currency": quote.currency}
            )
        bases = bases_for_amount(left, amount, quote.currency)
        with translation.override(quote.client.locale):
            label = _("Deposit on quote %(number)s") % {"number": quote.number}
    if any(base > left.get(rate, Decimal(0)) for rate, base in bases.items()):
        raise BillingRefused(
            _("The quote has %(amount)s %(currency)s left to bill.")
            % {"amount": left_total, "currency": quote.currency}
        )
    with translation.override(quote.client.locale):
        lines = rate_lines(bases, label)
    if not lines:
        raise BillingRefused(_("This deposit is too small to invoice."))
    issue_date = timezone.localdate(now)
    if due_date is not None and due_date < issue_date:
        raise BillingRefused(_("The due date cannot be before the issue date."))
    deposit = document_create(
        company=quote.company,
        client=quote.client,
        kind=Document.Kind.INVOICE,
        lines=lines,
        actor=actor,
        now=now,
        currency=quote.currency,
        issue_date=issue_date,
        due_date=due_date,
        hidden_from_portal=quote.hidden_from_portal,
        operation_category=quote.operation_category,
        vat_exemption=quote.vat_exemption,
        deposit_quote=quote,
    )
    return document_finalise(document=deposit, actor=actor, now=now)

"""Paying several invoices at once from the invoices tab: the form (one
checkbox per open invoice, those of the first currency ticked). Its POST is
`portal.views.lists.invoices_pay`."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from clients.models import Client
from companies import money
from documents import status
from documents.models import Document
from payments import selectors as payment_selectors
from payments import stripe_gateway
from payments.services.batches import MAX_INVOICES
from portal import selectors
from portal.door import PortalVisit, visit_of


def payable_invoices(client: Client) -> list[Document]:
    """The client's visible invoices that card payment may pay now, by
    currency then due date (at most MAX_INVOICES)."""
    candidates = (
        selectors.portal_documents(client=client)
        .filter(
            kind=Document.Kind.INVOICE,
            status__in=status.OPEN_INVOICE_STATUSES,
            amount_processing=0,
        )
        .select_related("current_version")
        .order_by("currency", "due_date", "pk")[:MAX_INVOICES]
    )
    return [invoice for invoice in candidates if status.is_payable(invoice)]


def pay_several_context(
    request: HttpRequest,
    visit: PortalVisit,
    *,
    chosen: set[int] | None = None,
    error: str = "",
) -> dict[str, Any] | None:
    """The form, when the company takes cards and two invoices or more are
    open; None otherwise. `chosen` keeps what the client ticked (after an
    error); by default every invoice of the first currency is ticked."""
    client = visit.client
    if not (
        stripe_gateway.is_configured()
        and payment_selectors.card_payment_ready(company=client.company)
    ):
        return None
    invoices = payable_invoices(client)
    if len(invoices) < 2:
        return None
    locale = translation.to_locale(translation.get_language())
    first_currency = invoices[0].currency
    if chosen is None:
        chosen = {i.pk for i in invoices if i.currency == first_currency}
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        if invoice.pk in chosen:
            totals[invoice.currency] = (
                totals.get(invoice.currency, Decimal(0)) + invoice.amount_due
            )
    # Its answer sends the browser to Stripe's Checkout.
    visit_of(request).allow_form_target(settings.STRIPE_CHECKOUT_ORIGIN)
    return {
        "url": reverse("portal:invoices_pay", kwargs={"token": visit.token}),
        "error": error,
        "invoices": [
            {
                "id": invoice.pk,
                "number": invoice.number,
                "currency": invoice.currency,
                # For the script adding up the ticks (in minor units: exact).
                "minor": money.to_minor_units(invoice.amount_due, invoice.currency),
                "amount": money.format_money(
                    invoice.amount_due, invoice.currency, locale
                ),
                "due_day": money.format_day(invoice.due_date, locale)
                if invoice.due_date
                else "",
                "checked": invoice.pk in chosen,
            }
            for invoice in invoices
        ],
        "total": " + ".join(
            money.format_money(amount, currency, locale)
            for currency, amount in sorted(totals.items())
        ),
        "several_currencies": len({i.currency for i in invoices}) > 1,
    }

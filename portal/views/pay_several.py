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
from documents.models import Document
from payments import selectors as payment_selectors
from payments import stripe_gateway
from payments.services.batches import MAX_INVOICES
from portal import selectors
from portal.door import PortalVisit, visit_of


def ticked_invoices(
    request: HttpRequest, client: Client
) -> tuple[set[int], list[Document] | None]:
    """The ids the form sent, and the client's visible invoices they name; None
    when there are none, or any is garbled or not the client's to see."""
    values = request.POST.getlist("invoice")
    ids = {int(value) for value in values if value.isdigit() and len(value) < 12}
    chosen = list(
        selectors.portal_documents(client=client)
        .filter(kind=Document.Kind.INVOICE, pk__in=ids)
        .order_by("pk")
    )
    if not ids or len(ids) != len(values) or len(chosen) != len(ids):
        return ids, None
    return ids, chosen


def pay_several_context(
    request: HttpRequest,
    visit: PortalVisit,
    *,
    chosen: set[int] | None = None,
    declared: frozenset[int] = frozenset(),
    error: str = "",
) -> dict[str, Any] | None:
    """The form, when the company takes cards or gives an IBAN and two
    invoices or more are open; None otherwise. `chosen` keeps what the client
    ticked (after an error); by default every invoice of the first currency is
    ticked but those `declared` paid by transfer (awaiting confirmation): paying
    them again would pay them twice."""
    client = visit.client
    card = stripe_gateway.is_configured() and payment_selectors.card_payment_ready(
        company=client.company
    )
    transfer = bool(client.company.iban)
    if not (card or transfer):
        return None
    invoices = selectors.portal_payable_invoices(client=client, limit=MAX_INVOICES)
    if len(invoices) < 2:
        return None
    locale = translation.to_locale(translation.get_language())
    if chosen is None:
        undeclared = [i for i in invoices if i["id"] not in declared]
        first_currency = (undeclared or invoices)[0]["currency"]
        chosen = {i["id"] for i in undeclared if i["currency"] == first_currency}
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        if invoice["id"] in chosen:
            currency = invoice["currency"]
            totals[currency] = totals.get(currency, Decimal(0)) + invoice["amount_due"]
    if card:  # its answer sends the browser to Stripe's Checkout
        visit_of(request).allow_form_target(settings.STRIPE_CHECKOUT_ORIGIN)
    return {
        "card": card,
        "url": reverse("portal:invoices_pay", kwargs={"token": visit.token}),
        "transfer_url": reverse(
            "portal:transfer_batch_open", kwargs={"token": visit.token}
        )
        if transfer
        else "",
        "error": error,
        "invoices": [
            {
                "id": invoice["id"],
                "number": invoice["number"],
                "currency": invoice["currency"],
                # For the script adding up the ticks (in minor units: exact).
                "minor": money.to_minor_units(
                    invoice["amount_due"], invoice["currency"]
                ),
                "amount": money.format_money(
                    invoice["amount_due"], invoice["currency"], locale
                ),
                "due_day": money.format_day(invoice["due_date"], locale)
                if invoice["due_date"]
                else "",
                "checked": invoice["id"] in chosen,
                "declared": invoice["id"] in declared,
            }
            for invoice in invoices
        ],
        "total": " + ".join(
            money.format_money(amount, currency, locale)
            for currency, amount in sorted(totals.items())
        ),
        "several_currencies": len({i["currency"] for i in invoices}) > 1,
    }

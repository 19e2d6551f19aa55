"""Small helpers for the portal tests: documents in a given state, URLs.

Every state is reached through the services, as the product reaches it.
"""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from documents import services
from documents.models import Document
from payments.services import card_payment_settle, invoice_mark_paid, payment_record
from signing import services as signing_services
from tests.factories import NOW, DocumentFactory

TODAY = dt.date(2026, 3, 15)


def _reach(document: Document, status: str) -> Document:
    """Take a finalised document to `status` the way the product does."""
    match status:
        case "partially_paid":
            payment_record(
                invoice=document,
                amount=Decimal("10.00"),
                method="transfer",
                actor=None,
                now=NOW,
            )
        case "paid":
            invoice_mark_paid(invoice=document, actor=None, now=NOW)
        case "canceled":
            services.document_cancel(document=document, actor=None, now=NOW)
        case "processing":  # a bank debit Stripe has not confirmed yet
            card_payment_settle(
                invoice_id=document.pk,
                payment_intent=f"pi_test_{document.pk}",
                amount=document.total,
                checkout_session_id=f"cs_test_{document.pk}",
                paid=False,
                now=NOW,
            )
        case "accepted":
            signing_services.quote_accept(quote=document, actor=None, now=NOW)
        case "declined":
            signing_services.quote_decline(quote=document, actor=None, now=NOW)
        case _:
            raise ValueError(f"No service takes a document to {status!r}")
    document.refresh_from_db()
    return document


def invoice(
    client, *, issue_date=dt.date(2026, 3, 1), due_date=None, status=None, **kwargs
) -> Document:
    document = DocumentFactory(
        client=client,
        kind="invoice",
        finalised=True,
        issue_date=issue_date,
        due_date=due_date,
        **kwargs,
    )
    return _reach(document, status) if status else document


def quote(
    client,
    *,
    issue_date=dt.date(2026, 3, 1),
    expiry_date=None,
    status=None,
    requires_signature=False,
    **kwargs,
) -> Document:
    document = DocumentFactory(
        client=client,
        kind="quote",
        finalised=True,
        issue_date=issue_date,
        expiry_date=expiry_date,
        requires_signature=requires_signature,
        **kwargs,
    )
    return _reach(document, status) if status else document


def hide(document: Document) -> None:
    services.document_hide(document=document, actor=None, now=NOW)


def url(name: str, client, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"token": client.portal_token, **kwargs})

"""Small helpers for the portal tests: documents in a given state, URLs."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from documents import services
from documents.models import Document
from tests.factories import NOW, DocumentFactory

TODAY = dt.date(2026, 3, 15)


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
    if status:
        set_status(document, status)
    return document


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
    if status:
        set_status(document, status)
    return document


def set_status(document: Document, status: str) -> Document:
    """Put a document in a state the later issues' services will reach."""
    amount_paid = Decimal("10.00") if status == "partially_paid" else Decimal("0")
    if status == "paid":
        amount_paid = document.total
    Document.objects.for_company(document.company).filter(pk=document.pk).update(
        status=status, amount_paid=amount_paid, updated_at=NOW
    )
    document.refresh_from_db()
    return document


def hide(document: Document) -> None:
    services.document_hide(document=document, actor=None, now=NOW)


def url(name: str, client, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"token": client.portal_token, **kwargs})

"""Reads for one document's page: what sits beside it, its versions, its
history, a quote's answer and an invoice's payment."""

from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from clients.models import Client
from documents.models import (
    Document,
    DocumentEvent,
    DocumentVersion,
    QuoteDecline,
    QuoteSignature,
)
from payments import selectors as payment_selectors
from portal.selectors import (
    HISTORY_DETAILS,
    QUOTE,
    REVISION_CACHE_SECONDS,
    portal_documents,
    revision_key,
)
from transmission.selectors import lifecycle_of


def portal_related_documents(
    *, client: Client, document: Document
) -> list[dict[str, object]]:
    """What the client may see beside a document: an invoice's credit notes,
    the invoice a credit note credits, an invoice's quote and deposits, the
    invoice billing an overdue invoice's late fees and the reverse; only
    those visible in its portal, oldest first. One query, then cached under
    the client's revision (each of them is written, hidden or shown by a
    service that bumps it)."""
    key = revision_key(client, f"related:{document.pk}")
    related_documents: list[dict[str, object]] | None = cache.get(key)
    if related_documents is None:
        related_documents = _related_documents(client, document)
        cache.set(key, related_documents, REVISION_CACHE_SECONDS)
    return related_documents


def _related_documents(client: Client, document: Document) -> list[dict[str, object]]:
    visible = portal_documents(client=client)
    related = Q(credited_invoice=document.pk) | Q(pk=document.credited_invoice_id)
    # An invoice corrected by another: each names the other.
    related |= Q(corrected_invoice=document.pk) | Q(pk=document.corrected_invoice_id)
    related |= Q(late_fees_invoice=document.pk) | Q(pk=document.late_fees_invoice_id)
    quote_id = document.source_quote_id or document.deposit_quote_id
    if quote_id is not None:
        # The quote, its deposits and the invoice it became.
        related |= Q(pk=quote_id) | Q(deposit_quote=quote_id) | Q(source_quote=quote_id)
    return [
        {
            **{
                key: value
                for key, value in row.items()
                if key not in ("corrected_by", "fees_billed_on")
            },
            "correction": "replaces"
            if row["id"] == document.corrected_invoice_id
            else "replaced_by"
            if row["corrected_by"] == document.pk
            else "",
            "late_fees": "billed_on"
            if row["id"] == document.late_fees_invoice_id
            else "of"
            if row["fees_billed_on"] == document.pk
            else "",
        }
        for row in visible.filter(related)
        .exclude(pk=document.pk)
        .order_by("issue_date", "pk")
        .annotate(
            deposit=ExpressionWrapper(
                Q(deposit_quote__isnull=False), output_field=BooleanField()
            )
        )
        .values(
            "id",
            "kind",
            "number",
            "total",
            "currency",
            "deposit",
            corrected_by=F("corrected_invoice_id"),
            fees_billed_on=F("late_fees_invoice_id"),
        )
    ]


def portal_document_versions(
    *, client: Client, document: Document
) -> list[DocumentVersion]:
    """Every version of the document, newest first, without their content."""
    return list(
        DocumentVersion.objects.for_company(client.company)
        .filter(document=document)
        .only("id", "document_id", "number", "created_at")
        .order_by("-number", "-pk")
    )


def portal_document_version(
    *, client: Client, document: Document, number: int
) -> DocumentVersion:
    """One version of a document the caller already resolved through the client.

    :raises Http404: no such version of this document.
    """
    current = document.current_version
    if current is not None and current.number == number:
        return current
    return get_object_or_404(
        DocumentVersion.objects.for_company(client.company).filter(document=document),
        number=number,
    )


def portal_document_events(
    *, client: Client, document: Document
) -> list[DocumentEvent]:
    """The document's history as its client may see it: oldest first."""
    return list(
        DocumentEvent.objects.for_company(client.company)
        .filter(document=document)
        .exclude(kind__in=DocumentEvent.INTERNAL_KINDS)
        .annotate(version_number=Coalesce(F("version__number"), Value(0)))
        .only("id", "kind", "at", "details", "version_id", "document_id")
        .order_by("at", "pk")
    )


def portal_document_history(
    *, client: Client, document: Document
) -> dict[str, list[dict[str, Any]]]:
    """The document's versions (newest first), its history as the client may
    see it and its e-invoice lifecycle (oldest first), as plain values: three
    queries, then cached.

    Every version and every event a client sees is written by a service that
    bumps the client's portal revision in the same transaction.
    """
    key = revision_key(client, f"history:{document.pk}")
    history: dict[str, list[dict[str, Any]]] | None = cache.get(key)
    if history is None:
        history = {
            "versions": [
                {"number": version.number, "created_at": version.created_at}
                for version in portal_document_versions(
                    client=client, document=document
                )
            ],
            "events": [
                {
                    "kind": event.kind,
                    "at": event.at,
                    "version_number": event.version_number,  # type: ignore[attr-defined]
                    # Only the details the page shows: nothing else is cached.
                    "details": {
                        name: value
                        for name, value in event.details.items()
                        if name in HISTORY_DETAILS
                    },
                }
                for event in portal_document_events(client=client, document=document)
            ],
            # The e-invoicing reform's statuses (none for a quote).
            "lifecycle": [
                {
                    "code": item.code,
                    "at": item.at,
                    "reason": item.reason,
                    "source": item.source,
                }
                for item in lifecycle_of(document, company=client.company)
            ]
            if document.kind != Document.Kind.QUOTE
            else [],
        }
        cache.set(key, history, REVISION_CACHE_SECONDS)
    return history


def portal_quote_signature(
    *, client: Client, document: Document
) -> QuoteSignature | None:
    """The signature of one of the client's quotes, if it was signed or
    accepted from the portal."""
    return (
        QuoteSignature.objects.for_company(client.company)
        .select_related("version")
        .filter(document=document)
        .first()
    )


def portal_quote_answer(
    *, client: Client, document: Document
) -> dict[str, dict[str, Any] | None] | None:
    """How the client answered a quote from its portal, as plain values (cached
    under the portal revision, which every answer bumps), or None."""
    if document.kind != QUOTE or document.status not in (
        Document.Status.ACCEPTED,
        Document.Status.DECLINED,
    ):
        return None
    key = revision_key(client, f"answer:{document.pk}")
    answer: dict[str, dict[str, Any] | None] | None = cache.get(key)
    if answer is None:
        signature = (
            QuoteSignature.objects.for_company(client.company)
            .filter(document=document)
            .values("signer_name", "signed_at", "method")
            .first()
        )
        decline = (
            None
            if signature
            else QuoteDecline.objects.for_company(client.company)
            .filter(document=document)
            .values("declined_at", "reason")
            .first()
        )
        # An answer the business recorded itself has neither: cached as empty.
        answer = {
            "signature": dict(signature) if signature else None,
            "decline": dict(decline) if decline else None,
        }
        cache.set(key, answer, REVISION_CACHE_SECONDS)
    if answer["signature"] is None and answer["decline"] is None:
        return None
    return answer


def portal_invoice_payment(*, client: Client, document: Document) -> dict[str, Any]:
    """Whether card payment is ready for the client's company, and the client's
    unanswered "I have paid by transfer", as plain values: two queries, then
    cached. Connecting, disconnecting and declaring bump the portal revision."""
    key = revision_key(client, f"payment:{document.pk}")
    cached: dict[str, Any] | None = cache.get(key)
    if cached is None:
        declaration = payment_selectors.open_transfer_declaration(
            company=client.company, invoice=document
        )
        cached = {
            "card_ready": payment_selectors.card_payment_ready(company=client.company),
            "declaration": None
            if declaration is None
            else {
                "paid_on_date": declaration.paid_on_date,
                "declared_at": declaration.declared_at,
            },
        }
        cache.set(key, cached, REVISION_CACHE_SECONDS)
    return cached

"""A finalised document's content, frozen into its next immutable version."""

import datetime as dt

from django.db import transaction

from companies.models import Actor
from documents import tasks
from documents.models import Document, DocumentVersion
from documents.totals import Totals


def snapshot(document: Document, totals: Totals) -> dict[str, object]:
    """Everything a version shows, frozen: parties, dates, lines and totals."""
    company, client = document.company, document.client

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "kind": document.kind,
        "number": document.number,
        "currency": document.currency,
        "issue_date": day(document.issue_date),
        "due_date": day(document.due_date),
        "expiry_date": day(document.expiry_date),
        "requires_signature": document.requires_signature,
        "notes": document.notes,
        "payment_reference": document.number,
        "seller": {
            "name": company.name,
            "legal_name": company.legal_name or company.name,
            "address": company.address,
            "vat_number": company.vat_number,
            "registration_number": company.registration_number,
            "email": company.email,
            "iban": company.iban,
            "bic": company.bic,
        },
        "client": {
            "name": client.name,
            "address": client.address,
            "email": client.email,
            "vat_number": client.vat_number,
        },
        "lines": totals.lines,
        "vat_breakdown": totals.vat_breakdown,
        "totals": {
            "excl_tax": str(totals.total_excl_tax),
            "tax": str(totals.total_tax),
            "total": str(totals.total),
        },
    }


def version_write(
    *,
    document: Document,
    content: dict[str, object],
    totals: Totals,
    actor: Actor,
    now: dt.datetime,
) -> DocumentVersion:
    """Append the document's next version and make it the current one; its PDF
    is printed once, off the request path, after commit."""
    last = (
        document.versions.order_by("-number").values_list("number", flat=True).first()
    )
    version = DocumentVersion.objects.create(
        company_id=document.company_id,
        document=document,
        number=(last or 0) + 1,
        content=content,
        total_excl_tax=totals.total_excl_tax,
        total_tax=totals.total_tax,
        total=totals.total,
        created_at=now,
        created_by=actor,
    )
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    transaction.on_commit(lambda: tasks.version_render_pdf.enqueue(version.pk))
    return version

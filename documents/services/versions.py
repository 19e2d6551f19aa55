"""A finalised document's content, frozen into its next immutable version."""

import datetime as dt
from typing import Any

from companies import identifiers
from companies.models import Actor
from companies.references import invoice_creditor_reference
from documents import hooks
from documents.models import Document, DocumentVersion
from documents.totals import Totals


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _references(document: Document) -> dict[str, object]:
    """What a credit note credits, which quote an invoice bills, which
    overdue invoice an invoice of late fees is on."""
    references: dict[str, object] = {}
    invoice = document.credited_invoice
    if invoice is not None:
        references["credited_invoice"] = {
            "number": invoice.number,
            "issue_date": day(invoice.issue_date),
            "is_deposit": invoice.is_deposit,
        }
    replaced = document.corrected_invoice
    if replaced is not None:
        credit_note = replaced.credit_notes.order_by("-pk").first()
        references["corrected_invoice"] = {
            "number": replaced.number,
            "issue_date": day(replaced.issue_date),
            "credit_note": credit_note.number if credit_note else None,
        }
    # The reverse accessor reads through the document, already scoped.
    overdue = getattr(document, "late_fees_of", None)
    if overdue is not None:
        references["late_fees_of"] = {
            "number": overdue.number,
            "issue_date": day(overdue.issue_date),
        }
    quote = document.source_quote or document.deposit_quote
    if quote is not None:
        references["quote"] = {
            "number": quote.number,
            "issue_date": day(quote.issue_date),
            "total": str(quote.total),
        }
        references["is_deposit"] = document.is_deposit
    return references


def _electronic_address(
    *, override: str, siren: str, email: str
) -> dict[str, str] | None:
    """Where a party receives e-invoices (BT-34, BT-49), as scheme and value."""
    found = identifiers.electronic_address(override=override, siren=siren, email=email)
    if found is None:
        return None
    return {"scheme": found[0], "value": found[1]}


def snapshot(document: Document, totals: Totals) -> dict[str, object]:
    """Everything a version shows, frozen: parties, dates, lines and totals,
    and the mentions a French invoice must carry."""
    company, client = document.company, document.client
    late_rate = company.late_payment_rate
    capital = company.share_capital
    seller_siren = (
        company.registration_number if company.country == identifiers.FRANCE else ""
    )
    content: dict[str, Any] = {
        "kind": document.kind,
        "number": document.number,
        "currency": document.currency,
        "issue_date": day(document.issue_date),
        "due_date": day(document.due_date),
        "expiry_date": day(document.expiry_date),
        "requires_signature": document.requires_signature,
        "notes": document.notes,
        "delivery_date": day(document.delivery_date),
        "delivery_end_date": day(document.delivery_end_date),
        "purchase_order": document.purchase_order,
        "euro_rate": str(document.euro_rate) if document.euro_rate else None,
        # The language its generated words are in (a credit note's reason,
        # a deposit's line): the client's, when it was issued.
        "language": client.locale,
        # The ISO 11649 RF creditor reference a transfer quotes (from the
        # number, so stable): the one the portal's transfer details and QR
        # code give, on the PDF and in the XML (BT-83). Only an invoice is paid.
        "payment_reference": invoice_creditor_reference(document.number or "")
        if document.kind == Document.Kind.INVOICE
        else "",
        "operation_category": document.operation_category,
        "vat_exemption": document.vat_exemption,
        **_references(document),
        "seller": {
            "name": company.name,
            "legal_name": company.legal_name or company.name,
            "address": company.address,
            "country": company.country,
            "vat_number": company.vat_number,
            "registration_number": company.registration_number,
            "legal_form": company.legal_form,
            "rcs_city": company.rcs_city,
            "share_capital": str(capital) if capital is not None else None,
            "capital_currency": company.default_currency,
            "electronic_address": _electronic_address(
                override=company.electronic_address,
                siren=seller_siren,
                email=company.email,
            ),
            "email": company.email,
            "iban": company.iban,
            "bic": company.bic,
            "vat_on_debits": company.vat_on_debits,
            "late_payment_rate": str(late_rate) if late_rate is not None else None,
            "early_payment_discount": company.early_payment_discount,
        },
        "client": {
            "name": client.name,
            "address": client.address,
            "delivery_address": client.delivery_address,
            "country": client.country,
            "email": client.email,
            "is_business": client.is_business,
            "siren": client.siren,
            "vat_number": client.vat_number,
            "is_public_buyer": client.is_public_buyer,
            "service_code": client.service_code,
            "electronic_address": _electronic_address(
                override=client.electronic_address,
                siren=client.siren,
                email=client.email,
            ),
        },
        "lines": totals.lines,
        "deductions": totals.deductions,
        "lines_excl_tax": str(totals.lines_excl_tax),
        "vat_breakdown": totals.vat_breakdown,
        "totals": {
            "excl_tax": str(totals.total_excl_tax),
            "tax": str(totals.total_tax),
            "total": str(totals.total),
        },
    }
    for complete in hooks.content_completions:
        content.update(complete(content))
    return content


def version_write(
    *,
    document: Document,
    content: dict[str, object],
    totals: Totals,
    actor: Actor,
    now: dt.datetime,
) -> DocumentVersion:
    """Append the document's next version and make it the current one; printing
    prints its PDF once, off the request path, after commit (`hooks`)."""
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
    for written in hooks.version_written:
        written(version)
    return version

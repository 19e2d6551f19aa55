"""Reads about paying an invoice that the portal and the back office share."""

import hashlib
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from clients.models import Client
from companies.models import Company
from companies.references import grouped, invoice_creditor_reference
from documents.models import Document
from payments import epc_qr
from payments.event_cleaning import is_stripe_id
from payments.models import (
    CheckoutSession,
    CheckoutSessionLine,
    Receipt,
    StripeAccount,
    TransferBatch,
    TransferBatchLine,
    TransferDeclaration,
)

QR_CACHE_SECONDS = 24 * 3600


def checkout_session_of(*, session_id: str) -> CheckoutSession | None:
    """The Checkout Session we opened under this id (None for any other id),
    with its invoice: what a return from Checkout names, and all it names."""
    if not (is_stripe_id(session_id) and session_id.startswith("cs_")):
        return None
    # unscoped: a Checkout Session id is unique; it names the company
    sessions = CheckoutSession.objects.select_related("invoice").filter(
        session_id=session_id
    )
    return next(iter(sessions[:1]), None)


def checkout_pays_several(*, checkout_id: int) -> bool:
    """Whether the Checkout Session pays several invoices at once."""
    # unscoped: the lines of a session the caller resolved
    return CheckoutSessionLine.objects.filter(checkout_id=checkout_id).exists()


def card_payment_ready(*, company: Company) -> bool:
    """The company's account is connected and may take charges (the platform's
    key is checked by the caller, since it is read at run time)."""
    account = StripeAccount.objects.for_company(company).first()
    return account is not None and account.can_take_payments


def open_transfer_declaration(
    *, company: Company, invoice: Document
) -> TransferDeclaration | None:
    return (
        TransferDeclaration.objects.for_company(company)
        .waiting()
        .filter(invoice=invoice)
        .order_by("-declared_at", "-pk")
        .first()
    )


def _epc_qr(
    *,
    currency: str,
    name: str,
    iban: str,
    bic: str,
    amount: Decimal,
    reference: str,
    title: str,
) -> str:
    """The EPC QR code as inline SVG ("" when the format cannot carry it),
    drawn once a day per set of values and language."""
    if not epc_qr.epc_qr_available(currency=currency, iban=iban, amount=amount):
        return ""
    values = (name, iban, bic, str(amount), reference, translation.get_language())
    key = "payments:epc-qr:" + hashlib.sha256("|".join(values).encode()).hexdigest()
    qr: str | None = cache.get(key)
    if qr is None:
        qr = epc_qr.epc_qr_svg(
            name=name,
            iban=iban,
            bic=bic,
            amount=amount,
            reference=reference,
            title=title,
        )
        cache.set(key, qr, QR_CACHE_SECONDS)
    return qr


def transfer_details(*, invoice: Document) -> dict[str, Any] | None:
    """What a client needs to pay the invoice by transfer: the IBAN and BIC the
    invoice states (its current version's, as printed), the invoice number and
    its RF reference, and the EPC QR code (in euros only, as the format is) as
    inline SVG. None when the invoice states no IBAN."""
    version = invoice.current_version
    seller = version.content.get("seller", {}) if version is not None else {}
    iban, bic = seller.get("iban", ""), seller.get("bic", "")
    if not iban:
        return None
    reference = invoice_creditor_reference(invoice.number or "")
    amount = max(invoice.amount_due, Decimal("0"))
    name = seller.get("legal_name") or seller.get("name", "")
    qr = _epc_qr(
        currency=invoice.currency,
        name=name,
        iban=iban,
        bic=bic,
        amount=amount,
        reference=reference,
        title=_("QR code to pay %(number)s by bank transfer")
        % {"number": invoice.number},
    )
    return {
        "beneficiary": name,
        "iban": iban,
        "bic": bic,
        "reference": invoice.number,
        "creditor_reference": grouped(reference),
        # As a bank's form takes them: without the spaces that group them.
        "iban_compact": "".join(iban.split()),
        "creditor_reference_compact": reference,
        "qr_svg": qr,
    }


def invoice_receipts(*, company: Company, invoice: Document) -> list[Receipt]:
    """The receipts of an invoice's payments, oldest first."""
    return list(
        Receipt.objects.for_company(company)
        .filter(invoice=invoice)
        .order_by("issued_at", "pk")
    )


def transfer_batch_of(*, client: Client, public_id: str) -> TransferBatch | None:
    """The client's transfer for several invoices at this address; None for
    any other (another client's is not found, as a missing one)."""
    if not public_id or len(public_id) > 32:
        return None
    return (
        TransferBatch.objects.for_company(client.company)
        .filter(client=client, public_id=public_id)
        .first()
    )


def transfer_batch_lines(*, batch: TransferBatch) -> list[TransferBatchLine]:
    """The invoices a transfer for several pays, with their invoices, by number."""
    return list(
        batch.lines.select_related("invoice").order_by("invoice__number", "-pk")
    )


def transfer_batch_details(*, batch: TransferBatch) -> dict[str, Any] | None:
    """What a client needs to pay several invoices by one transfer: the
    company's IBAN and BIC, the batch's RF reference and the EPC QR code for
    the total. None when the company gives no IBAN."""
    company = batch.client.company
    if not company.iban:
        return None
    name = company.legal_name or company.name
    qr = _epc_qr(
        currency=batch.currency,
        name=name,
        iban=company.iban,
        bic=company.bic,
        amount=batch.amount,
        reference=batch.reference,
        title=_("QR code to pay these invoices by one bank transfer"),
    )
    return {
        "beneficiary": name,
        "iban": company.iban,
        "bic": company.bic,
        "creditor_reference": grouped(batch.reference),
        "iban_compact": "".join(company.iban.split()),
        "creditor_reference_compact": batch.reference,
        "qr_svg": qr,
    }

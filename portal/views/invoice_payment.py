"""What an invoice's page shows about paying it: the card button, the bank
transfer details with their QR code, and what became of a payment."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from clients.models import Client
from documents import status
from documents.models import Document
from payments import selectors as payment_selectors
from payments import stripe_gateway
from portal import selectors
from portal.door import visit_of
from portal.forms import TransferDeclarationForm

# What the page may say after Checkout (?checkout=…) or a declaration.
CHECKOUT_NOTICES = ("paid", "processing", "open", "unconfirmed", "canceled")


def honest_notice(notice: str, document: Document) -> str:
    """What the page may say of a payment, given what the invoice says now.

    The notice comes from the address (`?checkout=…`): the way back from
    Checkout, but also Back in the browser, a bookmark, or the page fetching
    itself for a live update, long after. It never contradicts the invoice's
    current state: on a paid invoice every notice becomes "paid" (never
    "canceled" or "no payment was made", which invite a second payment); while
    a payment is processing, "canceled" and "open" give way to "processing";
    on a canceled invoice nothing is said of paying.
    """
    if notice not in CHECKOUT_NOTICES:
        return ""
    if document.status == Document.Status.PAID:
        return "paid"
    if document.status not in status.OPEN_INVOICE_STATUSES:
        return ""
    if status.is_processing(document) and notice != "paid":
        return "processing"
    return notice


def invoice_payment_context(
    request: HttpRequest, client: Client, document: Document, *, superseded: bool
) -> dict:
    """The `payment` part of an invoice's page; nothing for a quote or an old
    version (a superseded version is not what is due)."""
    if document.kind != Document.Kind.INVOICE or superseded:
        return {}
    ids = {"token": client.portal_token, "document_id": document.pk}
    state = selectors.portal_invoice_payment(client=client, document=document)
    payable = status.is_payable(document)
    transfer = None
    if payable:
        transfer = payment_selectors.transfer_details(invoice=document)
    if transfer is not None:
        # segno's own SVG, drawn from values we made: no client input in it.
        transfer["qr_svg"] = mark_safe(transfer["qr_svg"])  # noqa: S308
    card = payable and state["card_ready"] and stripe_gateway.is_configured()
    if card:  # the Pay form's answer sends the browser to Stripe's Checkout
        # Read by the portal middleware when it writes the CSP.
        visit_of(request).allow_form_target(settings.STRIPE_CHECKOUT_ORIGIN)
    notice = honest_notice(request.GET.get("checkout", ""), document)
    receipts = [
        {
            "number": receipt.number,
            "amount": receipt.amount,
            "currency": receipt.currency,
            "method": receipt.get_method_display(),
            "received_at": receipt.received_at,
            "url": reverse(
                "portal:receipt_pdf", kwargs={**ids, "receipt_id": receipt.pk}
            ),
        }
        for receipt in (
            payment_selectors.invoice_receipts(company=client.company, invoice=document)
            # no query for an invoice that never received anything
            if document.amount_paid or document.amount_refunded
            else []
        )
    ]
    return {
        "payment": {
            "payable": payable,
            "amount_due": document.amount_due,
            "overpaid": status.amount_owed_back(document),
            "processing": document.amount_processing > 0
            and document.status in status.OPEN_INVOICE_STATUSES,
            "card": card,
            "pay_url": reverse("portal:invoice_pay", kwargs=ids),
            "transfer": transfer,
            "declare_url": reverse("portal:transfer_declare", kwargs=ids),
            "declaration": state["declaration"],
            # "Will show as paid once it arrives": only while it has not.
            "declared_now": request.GET.get("declared") == "1" and payable,
            "notice": notice,
            "today": timezone.localdate().isoformat(),
            "receipts": receipts,
        },
        "declare_form": TransferDeclarationForm(),
    }

"""Paying an invoice from the portal: by card through Stripe Checkout, or by
transfer ("I have paid by transfer").

Pay is a POST (mail scanners follow links). The return from Checkout is the one
GET that may record something: it only confirms, once, a payment Stripe already
holds (the same idempotent path as the webhook), so the client sees Paid at once.

No link leaves for Stripe: Checkout's return addresses carry the session alone
(`{CHECKOUT_SESSION_ID}`, which Stripe fills in) on a path without a token
(`portal.return_urls`); the session we stored names the client and the
invoice, and the way back ends on the invoice's page in the portal.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clients.models import Client
from documents import status
from documents.models import Document
from payments import selectors as payment_selectors
from payments import services
from payments.models import Receipt
from portal import selectors
from portal.door import portal_visit, visit_of
from portal.forms import TransferDeclarationForm
from portal.preview import preview_refuses_posts
from portal.views.documents import _document_page
from printing import downloads


def _invoice(request: HttpRequest, token: str, document_id: int) -> tuple:
    """The client and one of its visible invoices: 404 for anything else."""
    client = portal_visit(request, token).client
    document = selectors.portal_document(client=client, document_id=document_id)
    if document.kind != Document.Kind.INVOICE:
        raise Http404("Not an invoice.")
    return client, document


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@login_not_required
@require_POST
@preview_refuses_posts
def invoice_pay(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """Open a Checkout Session for the amount due and send the client there."""
    client, invoice = _invoice(request, token, document_id)
    language = visit_of(request).language
    back = request.build_absolute_uri(reverse("checkout:return"))
    canceled = request.build_absolute_uri(reverse("checkout:canceled"))
    try:
        checkout_url = services.invoice_checkout_start(
            invoice=invoice,
            client=client,
            # Stripe fills in the session's id on the way back.
            success_url=f"{back}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{canceled}?session_id={{CHECKOUT_SESSION_ID}}",
            locale=language,
            now=timezone.now(),
        )
    except services.PaymentUnavailable as exc:
        return _document_page(
            request,
            token,
            document_id,
            None,
            extra={"payment_error": str(exc)},
            status_code=409 if not exc.__cause__ else 503,
        )
    return _see_other(checkout_url)


def _back_on_the_invoice(
    client: Client, invoice: Document, notice: str
) -> HttpResponse:
    page = reverse(
        "portal:document",
        kwargs={"token": client.portal_token, "document_id": invoice.pk},
    )
    return _see_other(f"{page}?checkout={notice}")


def _back(
    client: Client, invoice: Document, session_id: str, notice: str
) -> HttpResponse:
    """Back on the invoice, or on the invoices tab after paying several."""
    checkout = payment_selectors.checkout_session_of(session_id=session_id)
    if checkout is not None and payment_selectors.checkout_pays_several(
        checkout_id=checkout.pk
    ):
        tab = reverse("portal:invoices", kwargs={"token": client.portal_token})
        return _see_other(f"{tab}?checkout={notice}")
    return _back_on_the_invoice(client, invoice, notice)


@login_not_required
@require_safe
def checkout_return(request: HttpRequest) -> HttpResponse:
    """Back from Checkout: confirm the payment with Stripe, then show the
    invoice as it now stands. 404 for anything but a recent session of ours
    whose portal still opens (see `selectors.portal_checkout_return`)."""
    now = timezone.now()
    session_id = request.GET.get("session_id", "")
    client, invoice = selectors.portal_checkout_return(session_id=session_id, now=now)
    result = services.checkout_return_confirm(
        invoice=invoice, session_id=session_id, now=now
    )
    return _back(client, invoice, session_id, result)


@login_not_required
@require_safe
def checkout_canceled(request: HttpRequest) -> HttpResponse:
    """The client left Checkout without paying: the invoice, unchanged."""
    session_id = request.GET.get("session_id", "")
    client, invoice = selectors.portal_checkout_return(
        session_id=session_id, now=timezone.now()
    )
    return _back(client, invoice, session_id, "canceled")


@login_not_required
@require_POST
@preview_refuses_posts
def transfer_declare(
    request: HttpRequest, token: str, document_id: int
) -> HttpResponse:
    """ "I have paid by transfer": tell the company, change nothing else."""
    client, invoice = _invoice(request, token, document_id)
    form = TransferDeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_declare(
                invoice=invoice,
                client_name=client.name,
                paid_on_date=form.cleaned_data["paid_on"],
                now=timezone.now(),
            )
        except services.DeclarationRefused as exc:
            if not status.is_payable(invoice):  # no form to show the error on
                return _document_page(
                    request,
                    token,
                    document_id,
                    None,
                    extra={"payment_error": str(exc)},
                    status_code=400,
                )
            form.add_error("paid_on", str(exc))
        else:
            page = reverse(
                "portal:document", kwargs={"token": token, "document_id": invoice.pk}
            )
            return _see_other(f"{page}?declared=1")
    return _document_page(
        request,
        token,
        document_id,
        None,
        extra={"declare_form": form},
        status_code=400,
    )


@login_not_required
@require_safe
def receipt_pdf(
    request: HttpRequest, token: str, document_id: int, receipt_id: int
) -> HttpResponseBase:
    """The receipt of one of the invoice's payments (printed off the request
    path: "being prepared" until then)."""
    client, invoice = _invoice(request, token, document_id)
    receipt = (
        Receipt.objects.for_company(client.company)
        .filter(invoice=invoice, client=client, pk=receipt_id)
        .first()
    )
    if receipt is None:
        raise Http404("No such receipt.")
    return downloads.stored_pdf_response(
        request=request,
        name=receipt.pdf_file.name or "",
        sha256=receipt.pdf_sha256,
        filename=f"{receipt.number}.pdf",
        what=f"receipt {receipt.pk}",
    )

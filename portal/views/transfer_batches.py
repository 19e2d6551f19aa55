"""Paying several invoices by one bank transfer: from the invoices tab's form
(a POST), a page of its own for the batch (one RF reference, one QR code, the
invoices it pays), and "I have sent this transfer"."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from companies import money
from documents import status
from documents.models import Document
from payments import selectors as payment_selectors
from payments import services
from payments.models import TransferBatch
from portal.door import PortalVisit, portal_visit
from portal.forms import TransferDeclarationForm
from portal.preview import preview_refuses_posts
from portal.views.lists import document_list_page
from portal.views.page import list_url, page_context
from portal.views.pay_several import pay_several_context, ticked_invoices


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _batch_url(visit: PortalVisit, batch: TransferBatch) -> str:
    return reverse(
        "portal:transfer_batch",
        kwargs={"token": visit.token, "batch_id": batch.public_id},
    )


@login_not_required
@require_POST
@preview_refuses_posts
def transfer_batch_open(request: HttpRequest, token: str) -> HttpResponse:
    """The ticked invoices, to pay by one transfer: their batch's page. One
    invoice is paid as on its own page; a refusal is the tab again, with the
    reason and the ticks kept."""
    visit = portal_visit(request, token)
    client = visit.client
    ids, chosen = ticked_invoices(request, client)
    error, code = "", 400
    if chosen is None:
        error = translation.gettext("Choose the invoices to pay.")
    elif len(chosen) == 1 and status.is_payable(chosen[0]):
        page = reverse(
            "portal:document", kwargs={"token": token, "document_id": chosen[0].pk}
        )
        return _see_other(f"{page}#bank-transfer")
    else:
        try:
            batch = services.transfer_batch_open(
                client=client, invoices=chosen, now=timezone.now()
            )
        except services.TransferBatchRefused as exc:
            error, code = str(exc), 409
        else:
            return _see_other(_batch_url(visit, batch))
    return document_list_page(
        request,
        visit,
        Document.Kind.INVOICE,
        pay_several=pay_several_context(request, visit, chosen=ids, error=error),
        status_code=code,
    )


def _batch_page(
    request: HttpRequest,
    visit: PortalVisit,
    batch: TransferBatch,
    *,
    form: TransferDeclarationForm | None = None,
    error: str = "",
    status_code: int = 200,
) -> HttpResponse:
    locale = translation.to_locale(translation.get_language())
    token = visit.token
    details = payment_selectors.transfer_batch_details(batch=batch)
    if details is not None:
        # segno's own SVG, drawn from values we made: no client input in it.
        details["qr_svg"] = mark_safe(details["qr_svg"])  # noqa: S308
    lines = payment_selectors.transfer_batch_lines(batch=batch)
    answered = batch.recorded_at is not None or batch.rejected_at is not None
    # Not sent yet, and its invoices no longer ask for it (one was paid or
    # corrected since): its details must not invite a payment.
    stale = (
        not answered
        and batch.declared_at is None
        and any(
            not status.is_payable(line.invoice) or line.invoice.amount_due < line.amount
            for line in lines
        )
    )
    context = page_context(
        visit,
        batch=batch,
        transfer=details,
        amount=money.format_money(batch.amount, batch.currency, locale),
        invoices=[
            {
                "number": line.invoice.number,
                "url": reverse(
                    "portal:document",
                    kwargs={"token": token, "document_id": line.invoice_id},
                ),
                "amount": money.format_money(line.amount, batch.currency, locale),
            }
            for line in lines
        ],
        declared_day=money.format_day(timezone.localdate(batch.declared_at), locale)
        if batch.declared_at
        else "",
        paid_on_day=money.format_day(batch.paid_on_date, locale)
        if batch.paid_on_date
        else "",
        answered=answered,
        stale=stale,
        declared_now=request.GET.get("declared") == "1" and not answered,
        declare_url=reverse(
            "portal:transfer_batch_declare",
            kwargs={"token": token, "batch_id": batch.public_id},
        ),
        declare_form=form or TransferDeclarationForm(),
        error=error,
        today=timezone.localdate().isoformat(),
        list_url=list_url(token, Document.Kind.INVOICE),
    )
    return render(request, "portal/transfer_batch.html", context, status=status_code)


def _batch(visit: PortalVisit, batch_id: str) -> TransferBatch:
    batch = payment_selectors.transfer_batch_of(client=visit.client, public_id=batch_id)
    if batch is None:
        raise Http404("No such transfer.")
    return batch


@login_not_required
@require_safe
def transfer_batch_page(
    request: HttpRequest, token: str, batch_id: str
) -> HttpResponse:
    """One transfer for several invoices: the total, the company's bank
    details, one reference, one QR code, and the invoices it pays."""
    visit = portal_visit(request, token)
    return _batch_page(request, visit, _batch(visit, batch_id))


@login_not_required
@require_POST
@preview_refuses_posts
def transfer_batch_declare(
    request: HttpRequest, token: str, batch_id: str
) -> HttpResponse:
    """ "I have sent this transfer": every invoice it pays shows it, the
    company is told, the client gets one e-mail."""
    visit = portal_visit(request, token)
    batch = _batch(visit, batch_id)
    form = TransferDeclarationForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.transfer_batch_declare(
                batch=batch,
                client_name=visit.client.name,
                paid_on_date=form.cleaned_data["paid_on"],
                now=timezone.now(),
            )
        except services.TransferBatchRefused as exc:
            error = str(exc)
        else:
            return _see_other(f"{_batch_url(visit, batch)}?declared=1")
    batch.refresh_from_db()
    return _batch_page(request, visit, batch, form=form, error=error, status_code=400)

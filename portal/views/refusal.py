"""A client refuses an invoice, saying why (the e-invoicing reform's
"Refusée", ours: the platform is not told)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from documents.models import Document
from portal import selectors
from portal.door import portal_visit
from portal.forms import InvoiceRefuseForm
from portal.preview import preview_refuses_posts
from portal.views.page import page_context
from transmission import lifecycle


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@preview_refuses_posts
def invoice_refuse(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """The refusal form of one of the client's invoices, and its answer."""
    visit = portal_visit(request, token)
    invoice = selectors.portal_document(client=visit.client, document_id=document_id)
    if invoice.kind != Document.Kind.INVOICE:
        raise Http404("Not an invoice.")
    form = InvoiceRefuseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.invoice_refuse_by_client(
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except lifecycle.RefusalRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("portal:document", token=token, document_id=invoice.pk)
    context = page_context(visit, document=invoice, form=form)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/invoice_refuse.html", context, status=status)

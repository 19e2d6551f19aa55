"""Billing from a document's page: a credit note on an invoice, a deposit
invoice on an accepted quote. A form (GET), then one service (POST)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.documents.inlines import money_display
from companies.admin_site import member_can_change
from companies.middleware import member
from documents import services, status
from documents.back_office import document_admin_url, kind_page
from documents.forms import CreditNoteForm, DepositInvoiceForm
from documents.models import Document


def credit_note_explanation(invoice: Document) -> str:
    """What a credit note on this invoice may take, and what happens to money
    the client already paid."""
    currency = invoice.currency
    creditable = money_display(status.creditable_amount(invoice), currency)
    if invoice.is_deposit:
        return str(
            _(
                "A deposit invoice is credited whole only: %(amount)s. What the "
                "client paid of it is then owed back to the client."
            )
            % {"amount": creditable}
        )
    unpaid = money_display(max(invoice.amount_due, 0), currency)
    return str(
        _(
            "A credit note takes part of this invoice back, up to the %(creditable)s "
            "it still carries: the client owes that much less. Up to %(unpaid)s it "
            "takes what is still unpaid; beyond that it takes back what the client "
            "paid, which is then owed back to the client (refund it from the "
            "payment). To annul an invoice that holds no payment, use Cancel."
        )
        % {"creditable": creditable, "unpaid": unpaid}
    )


class BillingPages:
    """The credit-note and deposit-invoice pages (mixed into DocumentAdmin)."""

    def _billing_page(
        self: Any,
        request: HttpRequest,
        object_id: str,
        *,
        form_class: type,
        offered: Any,
        title: str,
        explanation: Callable[[Document], str],
        submit_label: str,
        issue: Any,
    ) -> HttpResponse:
        """A form (GET), then one billing service (POST); the issued document's
        page follows, or the form again with the service's refusal."""
        if not member_can_change(request):
            raise PermissionDenied
        document = self.get_object(request, object_id)
        if document is None or not offered(document):
            raise Http404
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                issued = issue(document, form.cleaned_data)
            except services.DocumentError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    _("%(document)s: issued.") % {"document": issued},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(document_admin_url(issued))
        page = kind_page(document.kind)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "document": document,
            "document_url": document_admin_url(document),
            "changelist_url": reverse(f"admin:documents_{page}_changelist"),
            "list_name": _("Quotes") if page == "quote" else _("Invoices"),
            "form": form,
            "title": title,
            "explanation": explanation(document),
            "submit_label": submit_label,
        }
        return TemplateResponse(
            request, "admin/documents/document/billing_form.html", context
        )

    def credit_note_issue(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A partial credit note on an open invoice."""

        def issue(invoice: Document, data: dict) -> Document:
            return services.invoice_credit_partly(
                invoice=invoice,
                amount=data["amount"],
                reason=data["reason"],
                actor=member(request),
                now=timezone.now(),
            )

        return self._billing_page(
            request,
            object_id,
            form_class=CreditNoteForm,
            offered=status.is_creditable,
            title=str(_("Issue a credit note")),
            explanation=credit_note_explanation,
            submit_label=str(_("Issue the credit note")),
            issue=issue,
        )

    def deposit_invoice_issue(
        self, request: HttpRequest, object_id: str
    ) -> HttpResponse:
        """A deposit invoice on an accepted quote."""

        def issue(quote: Document, data: dict) -> Document:
            return services.deposit_invoice_issue(
                quote=quote,
                percent=data["percent"],
                amount=data["amount"],
                due_date=data["due_date"],
                actor=member(request),
                now=timezone.now(),
            )

        return self._billing_page(
            request,
            object_id,
            form_class=DepositInvoiceForm,
            offered=status.is_depositable,
            title=str(_("Issue a deposit invoice")),
            explanation=lambda quote: str(
                _(
                    "The deposit invoice is finalised at once. The invoice the quote "
                    "becomes (Convert to invoice) deducts it."
                )
            ),
            submit_label=str(_("Issue the deposit invoice")),
            issue=issue,
        )

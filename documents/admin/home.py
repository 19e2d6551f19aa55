"""The back office's home page section: recent client activity, what is
overdue and the total outstanding."""

from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from companies.admin_site import back_office, member_can_view
from companies.middleware import request_company
from companies.money import format_money
from documents import status
from documents.models import Document, amount_due_expression
from documents.notifications import activity_text, client_activity


def _amounts_by_currency(rows) -> list[str]:
    locale = translation.to_locale(translation.get_language())
    return [
        format_money(row["due"], row["currency"], locale) for row in rows if row["due"]
    ]


def receivables_home(request: HttpRequest) -> dict | None:
    company = request_company(request)
    if company is None or not member_can_view(request):
        return None
    today = timezone.localdate()
    # Refunds and credit notes count, as everywhere the amount due is read.
    due = amount_due_expression()
    open_invoices = Document.objects.for_company(company).filter(
        kind=Document.Kind.INVOICE, status__in=status.OPEN_INVOICE_STATUSES
    )
    overdue = open_invoices.filter(due_date__lt=today)

    def totals(queryset) -> list[str]:
        return _amounts_by_currency(
            queryset.values("currency").annotate(due=Sum(due)).order_by("currency")
        )

    changelist = reverse("admin:documents_document_changelist")
    activity = [
        {
            "at": event.at,
            "text": activity_text(event),
            "url": reverse("admin:documents_document_change", args=[event.document_id]),
        }
        for event in client_activity(company_id=company.pk)
    ]
    return {
        "template": "admin/documents/_home.html",
        "activity": activity,
        "outstanding": totals(open_invoices),
        "overdue": totals(overdue),
        "overdue_count": overdue.count(),
        "overdue_url": f"{changelist}?kind__exact=invoice",
    }


back_office.home_sections.append(receivables_home)

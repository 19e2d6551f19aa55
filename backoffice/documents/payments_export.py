"""The payment e-reporting data (the reform's "encaissements") for a period,
downloaded as CSV from the Invoices pages: the same file as the
`einvoicing_payments_export` command writes."""

import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.middleware import active_company
from transmission.payments_export import payments_export_write

# A year and a day at most: a reporting period is far shorter, and a bound
# keeps one download from reading a company's whole history.
LONGEST_PERIOD_DAYS = 366


class PaymentsExportForm(forms.Form):
    since = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise forms.ValidationError(
                    _("The period ends before it starts."), code="backwards"
                )
            if (until - since).days >= LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("A period is at most a year long."), code="too_long"
                )
        return data


def payments_export_page(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """The period's form (GET without a period), its errors (400), or the CSV
    file of the payments cashed in that period."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied  # managers: owners, admins and reporting read it
    today = timezone.localdate()
    asked = "since" in request.GET or "until" in request.GET
    form = PaymentsExportForm(
        request.GET if asked else None,
        initial={"since": today.replace(day=1), "until": today},
    )
    if asked and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        out = io.StringIO()
        payments_export_write(
            out, company=active_company(request), since=since, until=until
        )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"payments-{since.isoformat()}-{until.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Payments cashed, for e-reporting"),
        "form": form,
    }
    return TemplateResponse(
        request,
        "admin/documents/payments_export.html",
        context,
        status=400 if asked else 200,
    )

"""The statement of account (a page and its PDF) and "download everything"."""

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from companies import money
from documents.selectors import AGEING_BUCKETS
from payments.models import Payment
from portal.door import PortalVisit, portal_visit
from portal.forms import StatementPeriodForm
from portal.selectors.statement import (
    CREDIT_NOTE,
    INVOICE,
    PAYMENT,
    Statement,
    portal_latest_versions,
    portal_statement,
)
from portal.views.page import list_url, page_context
from printing.archive import ArchiveNote, documents_zip_stream
from printing.downloads import PRIVATE_HEADERS
from printing.engine import RenderTimeout
from printing.statement_pdf import StatementText, statement_pdf_render


def _ageing_labels() -> dict[str, str]:
    return {
        "not_due": translation.gettext("Not yet due"),
        "days_1_30": translation.gettext("1–30 days"),
        "days_31_60": translation.gettext("31–60 days"),
        "days_61_90": translation.gettext("61–90 days"),
        "days_over_90": translation.gettext("Over 90 days"),
    }


def _label(kind: str, method: str) -> str:
    if kind == INVOICE:
        return translation.gettext("Invoice")
    if kind == CREDIT_NOTE:
        return translation.gettext("Credit note")
    if kind == PAYMENT:
        return translation.gettext("Payment (%(method)s)") % {
            "method": str(Payment.Method(method).label).lower()
            if method in Payment.Method.values
            else method
        }
    return translation.gettext("Refund")


def _period(statement: Statement, locale: str) -> str:
    end = money.format_day(statement.end, locale)
    if statement.open_items:
        return translation.gettext("Open items on %(date)s") % {"date": end}
    if statement.start is None:
        return translation.gettext("Up to %(end)s") % {"end": end}
    return translation.gettext("%(start)s to %(end)s") % {
        "start": money.format_day(statement.start, locale),
        "end": end,
    }


def statement_currencies(statement: Statement, locale: str) -> list[dict]:
    """Each currency's account, formatted for the page and the PDF alike."""
    labels = _ageing_labels()
    currencies = []
    for line in statement.currencies:
        code = line.currency

        def fmt(amount: Decimal, code: str = code) -> str:
            return money.format_money(amount, code, locale)

        currencies.append(
            {
                "currency": code,
                "opening": fmt(line.opening),
                "closing": fmt(line.closing),
                "closing_value": line.closing,
                "rows": [
                    {
                        "day": money.format_day(entry.day, locale),
                        "iso": entry.day.isoformat(),
                        "kind": entry.kind,
                        "label": _label(entry.kind, entry.method),
                        "number": entry.number,
                        "amount": fmt(entry.amount),
                        "balance": fmt(entry.balance),
                    }
                    for entry in line.entries
                ],
                "totals": {
                    "invoiced": fmt(line.invoiced),
                    "credited": fmt(line.credited),
                    "paid": fmt(line.paid),
                    "refunded": fmt(line.refunded),
                },
                "ageing": [
                    {
                        "name": name,
                        "label": labels[name],
                        "amount": fmt(line.ageing[name]),  # type: ignore[literal-required]
                    }
                    for name, _first, _last in AGEING_BUCKETS
                ]
                if line.ageing
                else [],
                "processing": fmt(line.processing) if line.processing else "",
            }
        )
    return currencies


def _statement_of(
    request: HttpRequest, visit: PortalVisit
) -> tuple[StatementPeriodForm, Statement | None]:
    form = StatementPeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    today = timezone.localdate()
    statement = portal_statement(
        client=visit.client,
        today=today,
        start=data.get("start"),
        end=data.get("end"),
    )
    return form, statement


def _page(
    request: HttpRequest,
    visit: PortalVisit,
    form: StatementPeriodForm,
    statement: Statement | None,
    status: int,
) -> HttpResponse:
    locale = translation.to_locale(translation.get_language())
    context = page_context(
        visit,
        form=form,
        statement=statement,
        period=_period(statement, locale) if statement else "",
        currencies=statement_currencies(statement, locale) if statement else [],
        list_url=list_url(visit.token, "invoice"),
        pdf_url=reverse("portal:statement_pdf", kwargs={"token": visit.token})
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
    )
    return render(request, "portal/statement.html", context, status=status)


@login_not_required
@require_safe
def statement_page(request: HttpRequest, token: str) -> HttpResponse:
    """The statement of account for a period (by default, the open items); a
    bad period is the form again with its errors (400)."""
    visit = portal_visit(request, token)
    form, statement = _statement_of(request, visit)
    return _page(request, visit, form, statement, 200 if statement else 400)


@login_not_required
@require_safe
def statement_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The statement's PDF, printed now for the period asked (a bad period:
    the page with the form's errors)."""
    visit = portal_visit(request, token)
    form, statement = _statement_of(request, visit)
    if statement is None:
        return _page(request, visit, form, statement, 400)
    locale = translation.to_locale(translation.get_language())
    now = timezone.now()
    client = visit.client
    period = _period(statement, locale)
    text = StatementText(
        company=client.company,
        client_name=client.name,
        client_address=client.address,
        period=period,
        issued_on=money.format_day(statement.today, locale),
        issued_at_iso=now.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        currencies=statement_currencies(statement, locale),
        identifier=hashlib.sha256(
            f"statement:{client.pk}:{statement.start}:{statement.end}:{now}".encode()
        ).hexdigest()[:32],
    )
    try:
        data = statement_pdf_render(text=text)
    except RenderTimeout:
        # Too many movements to print within the limit: the page says so and
        # keeps the period, to be shortened.
        form.add_error(
            None,
            translation.gettext(
                "This period has too many movements to print at once: "
                "choose a shorter one."
            ),
        )
        return _page(request, visit, form, statement, 503)
    response = HttpResponse(data, "application/pdf")
    filename = f"statement-{statement.end.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def _archive_note(language: str) -> Callable[[], ArchiveNote]:
    def words() -> ArchiveNote:
        # Called while the response is sent, after the view's language is gone.
        with translation.override(language):
            return ArchiveNote(
                file_name=translation.gettext("NOT-INCLUDED.txt"),
                heading=translation.gettext(
                    "These files are not in this ZIP yet. Download it again in "
                    "a few minutes, or each document from its page."
                ),
                not_printed=translation.gettext(
                    "%(file)s: being prepared, not printed yet."
                ),
                unavailable=translation.gettext("%(file)s: temporarily unavailable."),
            )

    return words


@login_not_required
@require_safe
def documents_zip(request: HttpRequest, token: str) -> StreamingHttpResponse:
    """Every visible document's latest PDF and Factur-X XML in one ZIP,
    streamed; nothing is printed here (a PDF being prepared is named in a
    note inside the ZIP)."""
    visit = portal_visit(request, token)
    response = StreamingHttpResponse(
        documents_zip_stream(
            portal_latest_versions(client=visit.client),
            note=_archive_note(visit.language),
        ),
        content_type="application/zip",
    )
    filename = f"documents-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response

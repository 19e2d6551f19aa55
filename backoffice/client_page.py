"""What a client's back-office page shows beside its form: its documents, what
it owes, the buttons that start a document or open its portal, and the flag
on a likely duplicate. Read-only helpers for `backoffice.clients`."""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client
from clients.selectors import client_likely_duplicates
from companies.money import format_day, format_money
from documents.models import Document
from documents.selectors import (
    CLIENT_PAGE_DOCUMENTS,
    client_balance,
    client_documents,
)
from documents.status import OPEN_INVOICE_STATUSES, ClientStatus


def _member_locale() -> str:
    """Amounts and dates in the language the member reads the back office in."""
    return translation.to_locale(translation.get_language())


def document_add_url(*, client: Client, kind: str) -> str:
    """The add page of an invoice or a quote, with the client already chosen."""
    url = reverse(f"admin:documents_{kind}_add")
    return url + "?" + urlencode({"client": str(client.pk)})


def document_rows(*, client: Client) -> list[dict[str, object]]:
    """The client's documents as the page lists them, formatted once here."""
    today = timezone.localdate()
    locale = _member_locale()
    rows = []
    for document in client_documents(client=client, today=today):
        status = ClientStatus(document.client_status)
        # An open invoice shows what is left to pay, which may be less than its
        # total (paid in part, credited).
        due = (
            format_money(document.amount_due, document.currency, locale)
            if document.kind == Document.Kind.INVOICE
            and document.status in OPEN_INVOICE_STATUSES
            else ""
        )
        rows.append(
            {
                "id": document.pk,
                "url": reverse("admin:documents_document_change", args=[document.pk]),
                "number": document.number or _("Draft"),
                "kind": document.get_kind_display(),
                "status": status.value,
                "status_label": status.label,
                "issue_day": format_day(document.issue_date, locale)
                if document.issue_date
                else "",
                "total": format_money(document.total, document.currency, locale),
                "amount_due": due,
            }
        )
    return rows


def balance_rows(*, client: Client) -> list[dict[str, object]]:
    """What the client owes, per currency, formatted: as its portal says it."""
    locale = _member_locale()

    def money(amount: Decimal, currency: str) -> str:
        return format_money(amount, currency, locale) if amount else ""

    return [
        {
            "currency": row["currency"],
            "owed": format_money(row["owed"], row["currency"], locale),
            "overdue": money(row["overdue"], row["currency"]),
            "processing": money(row["processing"], row["currency"]),
        }
        for row in client_balance(client=client, today=timezone.localdate())
    ]


def summary_context(*, client: Client, can_change: bool) -> dict[str, object]:
    """The documents section of the client's page."""
    documents = document_rows(client=client)
    # An archived client gets no new document until restored: pickers leave
    # it out.
    can_start = can_change and not client.is_archived
    return {
        "documents": documents,
        "documents_capped": len(documents) >= CLIENT_PAGE_DOCUMENTS,
        "documents_limit": CLIENT_PAGE_DOCUMENTS,
        "balance": balance_rows(client=client),
        "new_invoice_url": document_add_url(client=client, kind="invoice")
        if can_start
        else "",
        "new_quote_url": document_add_url(client=client, kind="quote")
        if can_start
        else "",
    }


def duplicates_warning(*, client: Client) -> SafeString | None:
    """The warning a save gets when another client is probably this one: each
    named with a link to its page and why it matches; None when none is."""
    others = list(client_likely_duplicates(client=client))
    if not others:
        return None

    def reason(other: Client) -> str:
        if client.email and other.email.lower() == client.email.strip().lower():
            return _("same e-mail address")
        return _("same name")

    links = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        (
            (
                reverse("admin:clients_client_change", args=[other.pk]),
                other.name,
                reason(other) + (", " + _("archived") if other.is_archived else ""),
            )
            for other in others
        ),
    )
    return format_html(
        "{} {} — {}",
        _("This client may already exist:"),
        links,
        _("if it is the same, keep one and archive the other."),
    )


def preview_url(*, client: Client) -> str:
    """The client's portal as a path on this very host, where the member's
    session is: opened there by a member, it is a preview that records nothing
    (`portal.preview`). `PORTAL_BASE_URL` may name another host, without it."""
    return reverse("portal:home", args=[client.portal_token])


class ArchivedFilter(admin.SimpleListFilter):
    """Archived clients are out of the list unless asked for."""

    title = gettext_lazy("status")
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [("yes", gettext_lazy("Archived")), ("all", gettext_lazy("All"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)

    def choices(self, changelist: Any) -> Any:
        # The default is "Active", not Django's "All".
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": gettext_lazy("Active"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }

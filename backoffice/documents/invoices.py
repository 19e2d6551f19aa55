"""The Invoices pages: invoices, deposit invoices and credit notes (which
annul or reduce an invoice, so they are read beside it), filterable by kind."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from backoffice.documents.base import DocumentKindAdmin
from backoffice.documents.inlines import money_display
from backoffice.documents.payments_export import payments_export_page
from companies.admin_site import back_office
from companies.money import active_locale, format_rate
from companies.payment_terms import payment_terms_for
from documents import status
from documents.late_fees import late_fees, late_fees_billed
from documents.models import Document, Invoice
from documents.selectors import AGEING_BUCKETS, ageing, ageing_bucket
from transmission import selectors as lifecycle_selectors


class InvoiceKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "invoice_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("invoice", _("Invoices")),
            ("deposit", _("Deposit invoices")),
            ("credit_note", _("Credit notes")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "invoice":
            return queryset.filter(kind=Document.Kind.INVOICE, deposit_quote=None)
        if self.value() == "deposit":
            return queryset.exclude(deposit_quote=None)
        if self.value() == "credit_note":
            return queryset.filter(kind=Document.Kind.CREDIT_NOTE)
        return queryset


class ClientStatusFilter(admin.SimpleListFilter):
    """The status as the client reads it: Overdue, Partially paid…"""

    title = _("status")
    parameter_name = "status_is"
    statuses: tuple[status.ClientStatus, ...] = ()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [(shown.value, shown.label) for shown in self.statuses]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(client_status=self.value())
        return queryset


# Every invoice its client still has to pay, late or not (`status.owed`): the
# dashboard's "Total outstanding" lists them.
OWED = "owed"


class InvoiceStatusFilter(ClientStatusFilter):
    statuses = (status.ClientStatus.DRAFT, *status.CLIENT_STATUSES["invoice"])

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            (OWED, _("Owed (to pay, overdue, partly paid)")),
            *super().lookups(request, model_admin),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == OWED:
            return queryset.filter(status.owed())
        return super().queryset(request, queryset)


AGEING_LABELS = {
    "not_due": _("Not yet due"),
    "days_1_30": _("1–30 days late"),
    "days_31_60": _("31–60 days late"),
    "days_61_90": _("61–90 days late"),
    "days_over_90": _("Over 90 days late"),
}


class AgeingFilter(admin.SimpleListFilter):
    """The invoices of one column of the ageing report (its drill-down)."""

    title = _("ageing")
    parameter_name = "ageing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [(name, AGEING_LABELS[name]) for name, _a, _b in AGEING_BUCKETS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in AGEING_LABELS:
            return queryset.filter(
                ageing_bucket(str(self.value()), today=timezone.localdate())
            )
        return queryset


class ClientFilter(admin.SimpleListFilter):
    """The invoices of one client (the client's page and the ageing report
    link here)."""

    title = _("client")
    parameter_name = "client"
    template = "admin/documents/filter_client.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        clients = model_admin.formfield_client_choices(request).order_by("name", "pk")
        return [(str(client.pk), client.name) for client in clients]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and str(value).isdigit():
            return queryset.filter(client_id=int(value))
        return queryset


@admin.register(Invoice, site=back_office)
class InvoiceAdmin(DocumentKindAdmin):
    kind = Document.Kind.INVOICE
    kinds = (Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE)
    action_names = (
        "finalise",
        "finalise_and_send",
        "send",
        "show_and_send",
        "hide",
        "show",
        "mark_paid",
        "cancel",
        "delete_draft",
        "remind_now",
        "waive_interest",
        "waive_indemnity",
        "claim_late_fees",
        "add_late_fees",
        "reminders_off",
        "reminders_on",
    )
    add_fields = (
        "client",
        "currency",
        "issue_date",
        "due_date",
        "operation_category",
        "vat_exemption",
        "delivery_date",
        "delivery_end_date",
        "purchase_order",
        "euro_rate",
        "notes",
        "hidden_from_portal",
    )
    list_display = (
        "number_or_draft",
        "client",
        "kind_shown",
        "status_shown",
        "total_with_currency",
        "amount_due_shown",
        "issue_date_shown",
        "due_date_shown",
        "portal_visibility",
        "viewed",
    )

    class Media:
        js = ("admin_extra/client_filter.js",)

    list_filter = (
        InvoiceStatusFilter,
        InvoiceKindFilter,
        ClientFilter,
        AgeingFilter,
        "currency",
        "issue_date",
        "hidden_from_portal",
    )

    def get_urls(self) -> list:
        return [
            path(
                "ageing/",
                self.admin_site.admin_view(self.invoice_ageing),
                name="documents_invoice_ageing",
            ),
            path(
                "payments-export/",
                self.admin_site.admin_view(self.payments_export),
                name="documents_invoice_payments_export",
            ),
            *super().get_urls(),
        ]

    def payments_export(self, request: HttpRequest) -> HttpResponse:
        return payments_export_page(self, request)

    def invoice_ageing(self, request: HttpRequest) -> TemplateResponse:
        """Who owes what since when: what is owed per currency by days past
        due, each amount a link to its invoices (`selectors.ageing`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = ageing(self.company_rows(request), today=today)
        changelist = reverse("admin:documents_invoice_changelist")
        report = [
            {
                "currency": row["currency"],
                "cells": [
                    {
                        "bucket": name,
                        "amount": money_display(dict(row)[name], row["currency"]),
                        "url": f"{changelist}?ageing={name}"
                        f"&currency__exact={row['currency']}",
                        "zero": not dict(row)[name],
                    }
                    for name, _a, _b in AGEING_BUCKETS
                ],
                "total": money_display(row["total"], row["currency"]),
                "total_url": f"{changelist}?status_is=owed"
                f"&currency__exact={row['currency']}",
            }
            for row in rows
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Who owes what, and since when"),
            "headings": [AGEING_LABELS[name] for name, _a, _b in AGEING_BUCKETS],
            "report": report,
            "today": today,
        }
        return TemplateResponse(request, "admin/documents/invoice_ageing.html", context)

    @admin.display(description=_("amount due"))
    def amount_due_shown(self, document: Document) -> str:
        if document.kind == Document.Kind.CREDIT_NOTE or document.is_draft:
            return "—"
        return money_display(document.amount_due, document.currency)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Document | None = None
    ) -> tuple[str, ...]:
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        return (*fields, "einvoice_lifecycle", "credit_note_total")

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list:
        fields = super().get_fields(request, obj)
        if obj is None or obj.kind != Document.Kind.CREDIT_NOTE:
            return fields
        # A credit note is not to pay: its total is what it takes off.
        return [
            "credit_note_total" if name == "total_with_currency" else name
            for name in fields
        ]

    @admin.display(description=_("total credited"))
    def credit_note_total(self, document: Document) -> str:
        """What a credit note takes off its invoice, VAT included, and what of
        it the client is owed back when the invoice had been paid."""
        invoice = document.credited_invoice
        currency = document.currency
        credited = _(
            "%(amount)s incl. VAT (%(tax)s VAT), taken off invoice %(number)s"
        ) % {
            "amount": money_display(document.total, currency),
            "tax": money_display(document.total_tax, currency),
            "number": invoice.number if invoice is not None else "",
        }
        owed_back = status.amount_owed_back(invoice) if invoice is not None else 0
        after = (
            _("%(amount)s owed back to the client, who had paid: to refund")
            % {"amount": money_display(owed_back, currency)}
            if owed_back
            else _("nothing to pay or refund: the invoice is that much less to pay")
        )
        return format_html(
            '<span id="credit-note-total">{}</span> · '
            '<span id="credit-note-after">{}</span>',
            credited,
            after,
        )

    def kind_fields(self, obj: Document) -> list[str]:
        lifecycle = [] if obj.is_draft else ["einvoice_lifecycle"]
        if obj.kind == Document.Kind.CREDIT_NOTE:
            return ["credited_invoice", "operation_category", *lifecycle]
        deposit = ["deposit_quote"] if obj.is_deposit else []
        return [
            "due_date",
            "payment_terms_shown",
            *deposit,
            "delivery_date",
            "delivery_end_date",
            "euro_rate",
            "correction_links",
            "operation_category",
            "credited_display",
            "balance_display",
            "late_fees_display",
            "conversion_link",
            *lifecycle,
        ]

    @admin.display(description=_("e-invoice lifecycle"))
    def einvoice_lifecycle(self, document: Document) -> str:
        """The platform's acknowledgement and each lifecycle status, with its
        reason and amount, oldest first."""
        flow = lifecycle_selectors.invoice_flow_of(document)
        rows = []
        if flow is not None:
            sending = flow.get_state_display()
            if flow.state == "submitted":
                sending = f"{sending} — {flow.get_ack_status_display()}"
            detail = flow.ack_reason or flow.last_error
            # Where it went: the approved platform, or Chorus Pro.
            sending = f"{flow.get_channel_display()}: {sending}"
            rows.append(
                format_html(
                    '<li id="platform-flow" data-state="{}" data-ack="{}" '
                    'data-channel="{}">{}{}</li>',
                    flow.state,
                    flow.ack_status,
                    flow.channel,
                    sending,
                    f" ({detail})" if detail else "",
                )
            )
        entry = lifecycle_selectors.directory_entry_of(document)
        if entry is not None:
            rows.append(
                format_html(
                    '<li id="directory-entry" data-directory="{}">{}</li>',
                    entry.status,
                    _("Directory: %(status)s (%(address)s), checked %(at)s")
                    % {
                        "status": entry.get_status_display(),
                        "address": entry.addressing_identifier or entry.siren,
                        "at": date_format(
                            timezone.localtime(entry.checked_at),
                            "SHORT_DATETIME_FORMAT",
                        ),
                    },
                )
            )
        for item in lifecycle_selectors.lifecycle_of(document):
            extra = " ".join(
                filter(
                    None,
                    [
                        item.reason_code,
                        item.reason,
                        money_display(item.amount, document.currency)
                        if item.amount is not None
                        else "",
                    ],
                )
            )
            rows.append(
                format_html(
                    '<li data-lifecycle="{}">{} — {} ({}){}</li>',
                    item.code,
                    date_format(timezone.localtime(item.at), "SHORT_DATETIME_FORMAT"),
                    item.get_code_display(),
                    item.get_source_display(),
                    f" : {extra}" if extra else "",
                )
            )
        if not rows:
            return str(_("Not sent to an e-invoicing platform."))
        return format_html(
            '<ul id="einvoice-lifecycle">{}</ul>',
            format_html_join("", "{}", ((r,) for r in rows)),
        )

    @admin.display(description=_("payment terms"))
    def payment_terms_shown(self, document: Document) -> str:
        terms = payment_terms_for(document.client.company, document.client)
        if document.client.payment_terms_days is None:
            return str(_("%(terms)s (the company's)") % {"terms": terms})
        return str(_("%(terms)s (this client's)") % {"terms": terms})

    @admin.display(description=_("credited"))
    def credited_display(self, document: Document) -> str:
        return money_display(document.amount_credited, document.currency)

    @admin.display(description=_("balance"))
    def balance_display(self, document: Document) -> str:
        """What the invoice received, gave back and had credited, and what is
        left: to pay, or owed back to the client (refunded from its payment)."""
        currency = document.currency
        parts = [
            (
                _("%(label)s: %(amount)s")
                % {"label": label, "amount": money_display(amount, currency)},
            )
            for label, amount in (
                (_("paid"), document.amount_paid),
                (_("refunded"), document.amount_refunded),
                (_("credited"), document.amount_credited),
            )
            if amount
        ]
        owed_back = status.amount_owed_back(document)
        if owed_back:
            payments = reverse("admin:payments_payment_changelist")
            return format_html(
                '{} <strong id="owed-back">{}</strong> (<a href="{}?q={}">{}</a>)',
                format_html_join(" · ", "{}", parts),
                _("%(amount)s owed back to the client")
                % {"amount": money_display(owed_back, currency)},
                payments,
                document.number or "",
                _("refund it from its payment"),
            )
        left = (
            _("%(label)s: %(amount)s")
            % {
                "label": _("left to pay"),
                "amount": money_display(document.amount_due, currency),
            },
        )
        return format_html_join(" · ", "{}", [*parts, left])

    @admin.display(description=_("late fees"))
    def late_fees_display(self, document: Document) -> str:
        """French late-payment law on an overdue B2B invoice: the interest to
        date and the €40 indemnity, or what was waived; the invoice that
        billed them, or the invoice an invoice of late fees is on."""
        billed = late_fees_billed(document)
        if billed is not None:
            return format_html(
                '<a href="{}" id="late-fees-billed">{}</a>',
                reverse("admin:documents_invoice_change", args=[billed.pk]),
                _("Billed on a draft invoice, not sent yet")
                if billed.is_draft
                else _("Billed on %(invoice)s") % {"invoice": billed},
            )
        overdue = getattr(document, "late_fees_of", None)
        if overdue is not None:
            return format_html(
                '<a href="{}" id="late-fees-of">{}</a>',
                reverse("admin:documents_invoice_change", args=[overdue.pk]),
                _("Late fees of %(number)s") % {"number": overdue.number},
            )
        fees = late_fees(document, timezone.localdate())
        if fees is None:
            return str(self.get_empty_value_display())
        parts = [
            _("%(days)s days late at %(rate)s a year")
            % {"days": fees.days, "rate": format_rate(fees.rate, active_locale())},
            _("interest waived")
            if fees.interest_waived
            else _("interest to date: %(amount)s")
            % {"amount": money_display(fees.interest, fees.currency)},
            _("recovery indemnity waived")
            if fees.indemnity_waived
            else _("recovery indemnity: %(amount)s")
            % {"amount": money_display(fees.indemnity, "EUR")},
        ]
        return format_html(
            '<span id="late-fees">{}</span>',
            format_html_join(" · ", "{}", [(p,) for p in parts]),
        )

    @admin.display(description=_("quote / invoice"))
    def conversion_link(self, document: Document) -> str:
        """ "From quote Q-…" on an invoice made from a quote."""
        quote = document.source_quote
        if quote is None:
            return str(self.get_empty_value_display())
        url = reverse("admin:documents_quote_change", args=[quote.pk])
        label = _("From quote %(number)s") % {"number": quote.number}
        return format_html('<a href="{}" id="conversion-link">{}</a>', url, label)

    @admin.display(description=_("correction"))
    def correction_links(self, document: Document) -> str:
        """ "Replaces INV-…" on a correcting invoice, "Replaced by INV-…" on the
        invoice it corrects (its credit note is listed as credited)."""
        links = []
        replaced = document.corrected_invoice
        if replaced is not None:
            links.append(
                (
                    reverse("admin:documents_invoice_change", args=[replaced.pk]),
                    "replaces",
                    _("Replaces %(number)s") % {"number": replaced.number},
                )
            )
        for correction in document.corrections.order_by("pk"):
            links.append(
                (
                    reverse("admin:documents_invoice_change", args=[correction.pk]),
                    "replaced-by",
                    _("Replaced by %(number)s") % {"number": correction},
                )
            )
        if not links:
            return str(self.get_empty_value_display())
        return format_html_join(" · ", '<a href="{}" id="{}-link">{}</a>', links)

    def document_links(self, obj: Document) -> list[tuple[Any, str]]:
        if not status.is_creditable(obj):
            return []
        url = reverse("admin:documents_document_credit_note", args=[obj.pk])
        return [(_("Issue a credit note"), url)]

"""Deposits (issue 14) with quote conversion (issue 11) and payments (issue 10):
the quote's one invoice deducts the deposits whether they were paid or not,
the client pays the quote's total in all, and a deleted draft frees the quote."""

import datetime as dt
from decimal import Decimal

import pytest

from companies.models import AuditEvent
from documents import services
from documents.models import DocumentEvent
from payments.services import payment_record
from signing import services as signing_services
from tests.factories import NOW, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=5)


def accepted_quote():
    quote = DocumentFactory(
        kind="quote",
        lines=[line("Fittings", "8", "95.00"), line("Cabling", "35", "18.50", "10")],
        finalised=True,
    )  # 1,624.25 with VAT
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    quote.refresh_from_db()
    return quote


def pay_all(invoice) -> None:
    invoice.refresh_from_db()
    payment_record(
        invoice=invoice,
        amount=invoice.amount_due,
        method="transfer",
        actor=None,
        now=LATER,
    )
    invoice.refresh_from_db()


def test_a_paid_deposit_is_deducted_and_the_client_pays_the_quote_in_all():
    quote = accepted_quote()
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    pay_all(deposit)

    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    services.document_finalise(document=final, actor=None, now=LATER)
    pay_all(final)

    assert (deposit.status, final.status) == ("paid", "paid")
    assert [d["number"] for d in final.current_version.content["deductions"]] == [
        deposit.number
    ]
    paid_in_all = deposit.amount_paid + final.amount_paid
    # Each invoice rounds its VAT per rate: a cent either way at most.
    assert abs(paid_in_all - quote.total) <= Decimal("0.01")


def test_deleting_the_converted_draft_lets_the_quote_be_converted_again():
    quote = accepted_quote()
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    draft = services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)

    services.document_draft_delete(document=draft, actor=None, now=NOW)
    again = services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    services.document_finalise(document=again, actor=None, now=LATER)

    again.refresh_from_db()
    assert again.source_quote_id == quote.pk
    assert [d["number"] for d in again.current_version.content["deductions"]] == [
        deposit.number
    ]
    # The quote's history keeps both conversions; the log says who deleted.
    assert list(
        DocumentEvent.objects.for_company(quote.company)
        .filter(document=quote, kind="invoiced")
        .values_list("at", flat=True)
    ) == [NOW, LATER]
    assert AuditEvent.objects.for_company(quote.company).get().kind == "draft_deleted"

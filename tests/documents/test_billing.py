"""Deposit invoices from an accepted quote, and the final invoice that deducts
them; finalising refuses an e-invoice that lacks what French law requires."""

import datetime as dt
from decimal import Decimal

import pytest

from documents import services
from documents.models import Document, DocumentNumberSequence
from signing import services as signing_services
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=5)


def accepted_quote(**kwargs) -> Document:
    quote = DocumentFactory(
        kind="quote",
        lines=[line("Fittings", "8", "95.00"), line("Cabling", "35", "18.50", "10")],
        finalised=True,
        **kwargs,
    )  # 760.00 at 20 %, 647.50 at 10 %: 1,624.25
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    quote.refresh_from_db()
    return quote


def test_a_deposit_by_percentage_is_an_invoice_of_that_share_at_each_rate():
    quote = accepted_quote()

    deposit = services.deposit_invoice_issue(
        quote=quote,
        percent=Decimal("30"),
        due_date=dt.date(2026, 3, 20),
        actor=None,
        now=NOW,
    )

    content = deposit.current_version.content
    assert (deposit.kind, deposit.number, deposit.status, deposit.is_deposit) == (
        "invoice",
        "INV-2026-0001",
        "to_pay",
        True,
    )
    assert [(row["vat_rate"], row["total_excl_tax"]) for row in content["lines"]] == [
        ("10", "194.25"),
        ("20", "228.00"),
    ]
    assert content["quote"]["number"] == quote.number
    assert (deposit.total, deposit.due_date) == (
        Decimal("487.28"),
        dt.date(2026, 3, 20),
    )


def test_a_deposit_by_amount_comes_to_that_amount():
    quote = accepted_quote()

    deposit = services.deposit_invoice_issue(
        quote=quote, amount=Decimal("500.00"), actor=None, now=NOW
    )

    assert deposit.total == Decimal("500.00")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"percent": Decimal("0")}, "A deposit is between 0 and 100 % of the quote."),
        ({"percent": Decimal("101")}, "A deposit is between 0 and 100 % of the quote."),
        ({"amount": Decimal("1624.26")}, "The quote has 1624.25 EUR left to bill."),
        ({}, "Give either a percentage or an amount."),
        (
            {"percent": Decimal("10"), "amount": Decimal("10")},
            "Give either a percentage or an amount.",
        ),
    ],
)
def test_a_bad_deposit_is_refused_and_writes_nothing(arguments, message):
    quote = accepted_quote()

    with pytest.raises(services.BillingRefused, match=message):
        services.deposit_invoice_issue(quote=quote, actor=None, now=NOW, **arguments)

    assert not Document.objects.for_company(quote.company).filter(kind="invoice")


def test_only_an_accepted_quote_is_billed():
    pending = DocumentFactory(kind="quote", finalised=True)

    with pytest.raises(services.BillingRefused, match="Only an accepted quote"):
        services.deposit_invoice_issue(
            quote=pending, percent=Decimal("30"), actor=None, now=NOW
        )
    with pytest.raises(services.QuoteNotConvertible, match="Only an accepted quote"):
        services.quote_convert_to_invoice(quote=pending, actor=None, now=NOW)


def test_deposits_cannot_exceed_the_quote():
    quote = accepted_quote()
    services.deposit_invoice_issue(
        quote=quote, percent=Decimal("80"), actor=None, now=NOW
    )

    with pytest.raises(services.BillingRefused, match="left to bill"):
        services.deposit_invoice_issue(
            quote=quote, percent=Decimal("30"), actor=None, now=NOW
        )


def test_the_final_invoice_deducts_the_deposits_and_closes_the_quote_to_more():
    quote = accepted_quote()
    first = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    second = services.deposit_invoice_issue(
        quote=quote, amount=Decimal("100.00"), actor=None, now=NOW
    )

    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    services.document_finalise(document=final, actor=None, now=LATER)

    final.refresh_from_db()
    content = final.current_version.content
    assert [deduction["number"] for deduction in content["deductions"]] == [
        first.number,
        second.number,
    ]
    assert content["lines_excl_tax"] == "1407.50"
    deducted = sum(
        (
            Decimal(part["total_excl_tax"])
            for deduction in content["deductions"]
            for part in deduction["lines"]
        ),
        Decimal(0),
    )
    assert final.total_excl_tax == Decimal("1407.50") - deducted
    assert final.total + first.total + second.total - quote.total in (
        Decimal("0"),
        Decimal("0.01"),
        Decimal("-0.01"),
    )
    with pytest.raises(services.BillingRefused, match="already issued"):
        services.deposit_invoice_issue(
            quote=quote, percent=Decimal("5"), actor=None, now=LATER
        )
    with pytest.raises(services.QuoteNotConvertible, match="already been converted"):
        services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    # A deposit the final invoice deducted is not taken back on its own.
    with pytest.raises(services.StatusChangeRefused, match="already deducted"):
        services.document_cancel(document=first, actor=None, now=LATER)


def test_a_canceled_deposit_is_not_deducted():
    quote = accepted_quote()
    deposit = services.deposit_invoice_issue(
        quote=quote, percent=Decimal("30"), actor=None, now=NOW
    )
    services.document_cancel(document=deposit, actor=None, now=NOW)

    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=LATER)
    services.document_finalise(document=final, actor=None, now=LATER)

    final.refresh_from_db()
    assert final.current_version.content["deductions"] == []
    assert final.total == quote.total


def test_deposit_invoices_are_credited_whole_only():
    deposit = services.deposit_invoice_issue(
        quote=accepted_quote(), percent=Decimal("30"), actor=None, now=NOW
    )

    with pytest.raises(services.CreditNoteRefused, match="credited whole only"):
        services.invoice_credit_partly(
            invoice=deposit, amount=Decimal("10"), reason="", actor=None, now=NOW
        )


# --- Finalising refuses what an e-invoice cannot do without -----------------


def refused(document: Document) -> str:
    with pytest.raises(services.DocumentNotFinalisable) as refusal:
        services.document_finalise(document=document, actor=None, now=NOW)
    document.refresh_from_db()
    # Nothing half-made: no number taken, no version, still a draft.
    assert (document.status, document.number, document.versions.count()) == (
        "draft",
        None,
        0,
    )
    assert not DocumentNumberSequence.objects.for_company(document.company).filter(
        last_number__gt=0
    )
    return str(refusal.value)


def test_finalising_an_invoice_to_a_french_business_without_siren_is_refused():
    client = ClientFactory(name="Café des Arts", siren="")

    message = refused(DocumentFactory(client=client))

    assert message == (
        "The client Café des Arts has no SIREN: French e-invoices to a business "
        "must carry it."
    )


def test_finalising_without_the_companys_siren_is_refused():
    company = CompanyFactory(registration_number="")

    message = refused(DocumentFactory(client=ClientFactory(company=company)))

    assert message == (
        "Your company's SIREN is missing or invalid (company settings, "
        "registration number): French e-invoices must carry it."
    )


def test_finalising_a_zero_rate_line_without_its_reason_is_refused():
    message = refused(DocumentFactory(lines=[line("Books", "1", "10.00", "0")]))

    assert message == (
        "A line carries 0 % VAT: choose the reason for 0 % VAT on the document."
    )


def test_private_persons_and_clients_abroad_need_no_siren():
    person = ClientFactory(siren="", is_business=False)
    abroad = ClientFactory(company=person.company, siren="", country="BE")

    numbers = [
        services.document_finalise(
            document=DocumentFactory(client=client), actor=None, now=NOW
        ).number
        for client in (person, abroad)
    ]

    assert numbers == ["INV-2026-0001", "INV-2026-0002"]


def test_quotes_need_no_siren():
    client = ClientFactory(siren="")

    quote = DocumentFactory(client=client, kind="quote", finalised=True)

    assert quote.number == "Q-2026-0001"

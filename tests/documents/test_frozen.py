"""An issued invoice is a legal record: its fiscal content never changes;
what may still change makes a new version; a correction is a credit note and
a replacing invoice; its issue date is the day it is finalised."""

import datetime as dt
from decimal import Decimal

import pytest

from documents import services
from documents.models import Document, DocumentVersion
from tests.factories import NOW, ClientFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)


def _written(document: Document) -> tuple:
    document.refresh_from_db()
    return (
        document.versions.count(),
        document.total,
        list(document.lines.values_list("description", "quantity", "unit_price")),
        document.issue_date,
        document.client_id,
        document.currency,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines": [line(unit_price="90.00")]}, "a line's unit price"),
        ({"lines": [line(quantity="2")]}, "a line's quantity"),
        ({"lines": [line(vat_rate="10")]}, "a line's VAT rate"),
        ({"lines": [line("Other work")]}, "a line's description"),
        ({"lines": [line(), line("More")]}, "its lines"),
        ({"issue_date": dt.date(2026, 2, 1)}, "its issue date"),
        ({"currency": "USD"}, "its currency"),
        ({"vat_exemption": "franchise"}, "its reason for 0 % VAT"),
        ({"delivery_date": dt.date(2026, 2, 1)}, "its delivery date"),
        ({"client": "other"}, "its client"),
    ],
)
def test_a_change_to_an_issued_invoices_fiscal_content_is_refused(change, message):
    invoice = DocumentFactory(finalised=True)
    before = _written(invoice)
    arguments = {"lines": [line()], **change}
    if arguments.get("client") == "other":
        arguments["client"] = ClientFactory(company=invoice.company)

    with pytest.raises(services.FiscalContentFrozen) as refused:
        services.document_update(document=invoice, actor=None, now=LATER, **arguments)

    assert str(refused.value) == (
        f"INV-2026-0001 is issued: {message} can no longer change. To correct "
        "it, use “Correct this invoice”: a credit note annuls it and a new "
        "draft replaces it."
    )
    assert _written(invoice) == before


def test_a_due_date_is_extended_never_brought_forward():
    invoice = DocumentFactory(finalised=True)

    with pytest.raises(services.FiscalContentFrozen) as refused:
        services.document_update(
            document=invoice,
            lines=[line()],
            actor=None,
            now=LATER,
            due_date=dt.date(2026, 3, 20),
        )

    assert "its due date may be extended, never brought forward" in str(refused.value)
    invoice.refresh_from_db()
    assert (invoice.due_date, invoice.versions.count()) == (dt.date(2026, 4, 1), 1)


def test_notes_order_reference_and_a_later_due_date_make_a_new_version():
    invoice = DocumentFactory(finalised=True)
    issued = invoice.current_version.content

    version = services.document_update(
        document=invoice,
        lines=[line()],
        actor=None,
        now=LATER,
        notes="Paid in two parts, as agreed.",
        purchase_order="PO-42",
        due_date=dt.date(2026, 4, 15),
    )

    content = version.content
    assert (version.number, content["notes"], content["purchase_order"]) == (
        2,
        "Paid in two parts, as agreed.",
        "PO-42",
    )
    assert content["due_date"] == "2026-04-15"
    unchanged = ("number", "issue_date", "lines", "totals", "seller", "client")
    for key in unchanged:
        if key == "seller":
            assert {
                k: v for k, v in content[key].items() if k not in ("iban", "bic")
            } == {k: v for k, v in issued[key].items() if k not in ("iban", "bic")}
        else:
            assert content[key] == issued[key], key


def test_the_company_renamed_after_issue_stays_as_issued_in_the_next_version():
    invoice = DocumentFactory(finalised=True)
    issued_name = invoice.current_version.content["seller"]["name"]
    company = invoice.company
    company.name, company.iban = "Renamed SAS", "FR7630004000031234567890143"
    company.save()

    version = services.document_update(
        document=invoice, lines=[line()], actor=None, now=LATER, notes="New bank"
    )

    assert version.content["seller"]["name"] == issued_name != "Renamed SAS"
    assert version.content["seller"]["iban"] == "FR7630004000031234567890143"


def test_the_issue_date_is_the_day_it_is_finalised_and_the_term_is_kept():
    draft = DocumentFactory(
        issue_date=dt.date(2026, 2, 1), due_date=dt.date(2026, 3, 3)
    )

    invoice = services.document_finalise(document=draft, actor=None, now=NOW)

    assert (invoice.issue_date, invoice.due_date) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 4, 1),
    )
    assert invoice.current_version.content["issue_date"] == "2026-03-02"


def test_a_number_never_goes_before_the_date_of_the_previous_one():
    issued = DocumentFactory(finalised=True)  # finalised at NOW, 2 March
    draft = DocumentFactory(client=issued.client)

    with pytest.raises(services.DocumentError) as refused:
        services.document_finalise(
            document=draft, actor=None, now=NOW - dt.timedelta(days=3)
        )

    assert "numbers must follow dates" in str(refused.value)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)


def test_correcting_an_invoice_credits_it_whole_and_drafts_its_replacement():
    invoice = DocumentFactory(
        finalised=True,
        lines=[line("Design", "2", "300.00"), line("Print", "1", "80.00", "5.5")],
        notes="As agreed.",
    )

    credit_note, draft = services.invoice_correct(
        invoice=invoice, actor=None, now=LATER
    )

    invoice.refresh_from_db()
    assert (invoice.status, credit_note.number, credit_note.total) == (
        "canceled",
        "CN-2026-0001",
        invoice.total,
    )
    assert (draft.status, draft.corrected_invoice, draft.notes) == (
        "draft",
        invoice,
        "As agreed.",
    )
    assert list(invoice.corrections.all()) == [draft]
    assert list(
        draft.lines.order_by("position").values_list(
            "description", "quantity", "unit_price", "vat_rate"
        )
    ) == [
        ("Design", Decimal("2"), Decimal("300.00"), Decimal("20")),
        ("Print", Decimal("1"), Decimal("80.00"), Decimal("5.5")),
    ]
    replacement = services.document_finalise(document=draft, actor=None, now=LATER)
    assert replacement.current_version.content["corrected_invoice"] == {
        "number": "INV-2026-0001",
        "issue_date": "2026-03-02",
        "credit_note": "CN-2026-0001",
    }


def test_an_invoice_holding_a_payment_is_not_corrected_in_one_click():
    from payments.services import payment_record

    invoice = DocumentFactory(finalised=True)
    payment_record(
        invoice=invoice, amount=Decimal("20.00"), method="manual", actor=None, now=NOW
    )

    with pytest.raises(services.CreditNoteRefused):
        services.invoice_correct(invoice=invoice, actor=None, now=LATER)

    assert Document.objects.count() == 1
    assert DocumentVersion.objects.count() == 1

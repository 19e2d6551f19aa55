"""The accountant's export read back: the ZIP's contents, the FEC's 18
columns, its balance, every piece once; the command and the back office."""

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from lxml import etree
from pypdf import PdfReader

from accounting import services as accounting_services
from accounting.export import FEC_COLUMNS
from documents import services
from documents.models import Document
from payments.models import Receipt
from payments.services import payment_record, payment_refund
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text else Decimal(0)


def fec_rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = archive.read(name).decode("iso-8859-15")
    assert text.endswith("\r\n")
    return [row.split("|") for row in text[:-2].split("\r\n")]


@pytest.fixture
def books():
    """A French company's quarter: two invoices (one at two VAT rates, one in
    dollars), one canceled by its credit note, a payment, a refund; an invoice
    after the quarter and another company's invoice, both left out."""
    company = CompanyFactory(name="Atelier Lumière", registration_number="732829320")
    café = ClientFactory(company=company, name="Café des Arts")
    harbor = ClientFactory(company=company, name="Harbor & Co")
    mixed = DocumentFactory(
        client=café,
        lines=[line("Design", "2", "150.00", "20"), line("Livres", "1", "80", "5.5")],
        finalised=True,
    )
    dollars = DocumentFactory(client=harbor, currency="USD", finalised=True)
    canceled = DocumentFactory(client=café, finalised=True)
    services.document_cancel(document=canceled, actor=None, now=NOW)
    payment = payment_record(
        invoice=mixed, amount=mixed.total, method="transfer", actor=None, now=NOW
    )
    payment_refund(payment=payment, amount=Decimal("10.00"), actor=None, now=NOW)
    later = DocumentFactory(client=café)
    services.document_finalise(
        document=later, actor=None, now=NOW + dt.timedelta(days=40)
    )
    DocumentFactory(finalised=True)  # another company
    return {
        "company": company,
        "issued": [mixed, dollars, canceled],
        "mixed": mixed,
        "dollars": dollars,
        "later": Document.objects.for_company(company).get(pk=later.pk),
    }


def export(tmp_path, company) -> zipfile.ZipFile:
    output = tmp_path / "export.zip"
    call_command(
        "accounting_export",
        "--company",
        company.name,
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    return zipfile.ZipFile(output)


def test_the_zip_holds_each_issued_document_s_pdf_and_xml_and_the_journals(
    tmp_path, books
):
    archive = export(tmp_path, books["company"])

    credit_note = Document.objects.for_company(books["company"]).get(kind="credit_note")
    receipt = Receipt.objects.for_company(books["company"]).get()
    numbers = [doc.number for doc in books["issued"]]
    assert sorted(archive.namelist()) == sorted(
        [
            *(f"invoices/{n}.{ext}" for n in numbers for ext in ("pdf", "xml")),
            f"credit_notes/{credit_note.number}.pdf",
            f"credit_notes/{credit_note.number}.xml",
            f"receipts/{receipt.number}.pdf",  # the payment's, printed by the command
            "sales_journal.csv",
            "payments_journal.csv",
            "732829320FEC20260331.txt",
        ]
    )
    mixed = books["mixed"].number
    pdf = PdfReader(io.BytesIO(archive.read(f"invoices/{mixed}.pdf")))
    assert mixed in pdf.pages[0].extract_text()
    xml = etree.fromstring(archive.read(f"invoices/{mixed}.xml"))
    assert mixed in xml.xpath(
        "string(//*[local-name()='ExchangedDocument']/*[local-name()='ID'])"
    )
    assert books["later"].number not in " ".join(archive.namelist())
    receipt_text = (
        PdfReader(io.BytesIO(archive.read(f"receipts/{receipt.number}.pdf")))
        .pages[0]
        .extract_text()
    )
    assert receipt.number in receipt_text and mixed in receipt_text

    sales = list(
        csv.DictReader(io.StringIO(archive.read("sales_journal.csv").decode()))
    )
    # By date, then number: all were issued on 2 March.
    assert [row["number"] for row in sales] == sorted([*numbers, credit_note.number])
    assert sales[1]["total"] == str(books["mixed"].total)
    payments = list(
        csv.DictReader(io.StringIO(archive.read("payments_journal.csv").decode()))
    )
    assert [(row["kind"], row["invoice"], row["amount"]) for row in payments] == [
        ("payment", mixed, str(books["mixed"].total)),
        ("refund", mixed, "-10.00"),
    ]


def test_the_fec_has_the_18_columns_balances_and_holds_every_piece_once(
    tmp_path, books
):
    archive = export(tmp_path, books["company"])

    header, *rows = fec_rows(archive, "732829320FEC20260331.txt")
    assert tuple(header) == FEC_COLUMNS
    assert {len(row) for row in rows} == {18}
    column = {name: index for index, name in enumerate(FEC_COLUMNS)}
    debit = sum(amount(row[column["Debit"]]) for row in rows)
    credit = sum(amount(row[column["Credit"]]) for row in rows)
    assert debit == credit > 0
    by_entry = defaultdict(list)
    for row in rows:
        by_entry[row[column["EcritureNum"]]].append(row)
    for entry in by_entry.values():
        assert sum(amount(r[column["Debit"]]) for r in entry) == sum(
            amount(r[column["Credit"]]) for r in entry
        )
        assert len({r[column["PieceRef"]] for r in entry}) == 1
    sales_pieces = [
        entry[0][column["PieceRef"]]
        for entry in by_entry.values()
        if entry[0][column["JournalCode"]] == "VE"
    ]
    credit_note = Document.objects.for_company(books["company"]).get(kind="credit_note")
    assert sorted(sales_pieces) == sorted(
        [*(doc.number for doc in books["issued"]), credit_note.number]
    )
    # Entries in date order, numbered without gap per journal.
    assert [row[column["EcritureDate"]] for row in rows] == sorted(
        row[column["EcritureDate"]] for row in rows
    )
    assert sorted(n for n in by_entry if n.startswith("VE")) == [
        f"VE{n:06d}" for n in range(1, 5)
    ]
    assert sorted(n for n in by_entry if n.startswith("BQ")) == [
        "BQ000001",
        "BQ000002",
    ]


def test_the_fec_uses_the_french_accounts_and_the_company_s_own(tmp_path, books):
    company, mixed = books["company"], books["mixed"]
    archive = export(tmp_path, company)
    _header, *rows = fec_rows(archive, "732829320FEC20260331.txt")
    invoice_rows = [row for row in rows if row[8] == mixed.number]

    assert [(row[4], row[11], row[12]) for row in invoice_rows] == [
        (f"411{mixed.client_id:05d}", "444,40", "0,00"),
        ("706", "0,00", "80,00"),
        ("44571055", "0,00", "4,40"),
        ("706", "0,00", "300,00"),
        ("44571200", "0,00", "60,00"),
    ]
    assert invoice_rows[0][7] == "Café des Arts"

    accounting_services.accounting_settings_save(
        company=company,
        actor=None,
        now=NOW,
        sales_account="706100",
        bank_account="5121",
    )
    archive = export(tmp_path, company)
    _header, *rows = fec_rows(archive, "732829320FEC20260331.txt")
    accounts = {row[4] for row in rows}
    assert {"706100", "5121"} <= accounts
    assert not {"706", "512"} & accounts


def test_a_dollar_invoice_is_booked_in_euros_with_its_dollars_beside(tmp_path, books):
    dollars = books["dollars"]
    archive = export(tmp_path, books["company"])
    _header, *rows = fec_rows(archive, "732829320FEC20260331.txt")
    (client_row,) = [
        r for r in rows if r[8] == dollars.number and r[4].startswith("411")
    ]

    euros = (dollars.total * dollars.euro_rate).quantize(Decimal("0.01"))
    assert abs(amount(client_row[11]) - euros) <= Decimal("0.01")
    assert (client_row[16], client_row[17]) == (
        f"{dollars.total:.2f}".replace(".", ","),
        "USD",
    )


def test_the_command_refuses_an_unknown_company_and_a_reversed_period(tmp_path):
    output = tmp_path / "x.zip"
    with pytest.raises(CommandError, match="No company named"):
        call_command(
            "accounting_export",
            "--company",
            "Nobody",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--output",
            str(output),
        )
    CompanyFactory(name="Solo")
    with pytest.raises(CommandError, match="before --from"):
        call_command(
            "accounting_export",
            "--company",
            "Solo",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-31",
            "--output",
            str(output),
        )
    assert not output.exists()


@pytest.mark.parametrize("role", ["owner", "admin", "reporting"])
def test_the_back_office_exports_for_owners_admins_and_reporting(client, books, role):
    sign_in(client, books["company"], role=role)

    page = client.get("/admin/accounting/accountingsettings/")
    response = client.get(
        "/admin/accounting/accountingsettings/export/",
        {"start": START.isoformat(), "end": END.isoformat()},
    )

    assert page.status_code == 200
    assert ('id="accounting-accounts-edit"' in page.content.decode()) == (
        role != "reporting"
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "732829320FEC20260331.txt" in archive.namelist()


def test_a_manager_may_not_export_and_a_reversed_period_is_a_form_error(client, books):
    sign_in(client, books["company"], role="manager")
    assert client.get("/admin/accounting/accountingsettings/").status_code == 403
    assert (
        client.get(
            "/admin/accounting/accountingsettings/export/",
            {"start": "2026-01-01", "end": "2026-03-31"},
        ).status_code
        == 403
    )
    client.logout()
    sign_in(client, books["company"], role="owner")

    response = client.get(
        "/admin/accounting/accountingsettings/export/",
        {"start": "2026-03-31", "end": "2026-01-01"},
    )

    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()

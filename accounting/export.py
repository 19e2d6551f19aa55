"""The accountant's export: one ZIP for a company and a period.

It holds every invoice and credit note issued in the period (the current
version's PDF and its Factur-X XML), the receipts given in it (their PDFs), the
sales journal and the payments journal in CSV, and the FEC (fichier des
écritures comptables, art. A47 A-1 LPF): the 18 columns, `|`-separated,
ISO 8859-15, one entry per document (sales journal) and per payment or refund
(bank journal), debits equal to credits in each.

Written as it is read: documents and payments are iterated in chunks, each PDF
is copied from the store into the archive in blocks, and the archive goes to a
file (the command's output, a temporary file for the back office), so memory
stays bounded whatever the period holds.
"""

import csv
import datetime as dt
import heapq
import io
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone

from accounting.selectors import Accounts, accounts_for
from companies.models import Company
from companies.money import round_money
from documents.models import Document, document_storage
from einvoicing import facturx
from payments.models import Payment, Receipt, Refund
from payments.receipt_printing import receipt_pdf_ensure
from printing.store import version_pdf_ensure

CHUNK = 200
EURO = "EUR"

# Art. A47 A-1 LPF, I: the 18 fields, in this order, named so.
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_SEPARATOR = "|"
FEC_ENCODING = "iso-8859-15"

SALES_COLUMNS = (
    "date",
    "number",
    "kind",
    "client",
    "client_account",
    "currency",
    "total_excl_tax",
    "total_tax",
    "total",
    "euro_rate",
    "status",
)
PAYMENTS_COLUMNS = (
    "date",
    "kind",
    "reference",
    "invoice",
    "client",
    "client_account",
    "method",
    "amount",
    "currency",
)


@dataclass(frozen=True)
class Line:
    """One line of an entry: an account debited or credited, in euros."""

    account: str
    account_label: str
    debit: Decimal
    credit: Decimal
    aux_account: str = ""
    aux_label: str = ""
    foreign_amount: Decimal | None = None  # in the document's own currency
    currency: str = ""


@dataclass(frozen=True)
class Entry:
    """One accounting entry (écriture): a piece and its balanced lines."""

    day: dt.date
    journal: str
    journal_label: str
    piece: str
    label: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ExportSummary:
    documents: int
    payments: int
    entries: int
    fec_name: str
    missing_pdfs: list[str]


def fec_name(company: Company, end: dt.date) -> str:
    """`<SIREN>FEC<YYYYMMDD>.txt`, dated the period's last day."""
    digits = re.sub(r"\D", "", company.registration_number or "")[:9]
    return f"{digits or '000000000'}FEC{end:%Y%m%d}.txt"


def _euros(amount: Decimal, currency: str, euro_rate: Decimal | None) -> Decimal:
    """The amount in euros (the FEC's currency): at the document's rate."""
    if currency == EURO or euro_rate is None:
        return round_money(amount, EURO)
    return round_money(amount * euro_rate, EURO)


def _foreign(amount: Decimal, currency: str) -> tuple[Decimal | None, str]:
    return (None, "") if currency == EURO else (amount, currency)


def issued_documents(
    company: Company, start: dt.date, end: dt.date
) -> Iterator[Document]:
    """The invoices and credit notes issued in the period, by date and number."""
    return (
        Document.objects.for_company(company)
        .filter(kind__in=(Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE))
        .exclude(status=Document.Status.DRAFT)
        .filter(issue_date__gte=start, issue_date__lte=end)
        .select_related("client", "current_version")
        .order_by("issue_date", "number", "pk")
        .iterator(chunk_size=CHUNK)
    )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def received_payments(
    company: Company, start: dt.date, end: dt.date
) -> Iterator[Payment]:
    """Money received in the period (succeeded payments), by date."""
    since, until = _bounds(start, end)
    return (
        Payment.objects.for_company(company)
        .succeeded()
        .filter(received_at__gte=since, received_at__lt=until)
        .select_related("invoice__client")
        .order_by("received_at", "pk")
        .iterator(chunk_size=CHUNK)
    )


def given_back(company: Company, start: dt.date, end: dt.date) -> Iterator[Refund]:
    """Money refunded in the period, by date."""
    since, until = _bounds(start, end)
    return (
        Refund.objects.for_company(company)
        .filter(refunded_at__gte=since, refunded_at__lt=until)
        .select_related("invoice__client", "payment")
        .order_by("refunded_at", "pk")
        .iterator(chunk_size=CHUNK)
    )


def sales_entry(document: Document, accounts: Accounts) -> Entry:
    """The client owes the total; sales and VAT collected per rate (the other
    way round for a credit note)."""
    version = document.current_version
    assert version is not None  # issued documents have one
    content = version.content
    currency, rate = document.currency, document.euro_rate
    client = document.client
    client_account = accounts.client(client.pk)
    credit_note = document.kind == Document.Kind.CREDIT_NOTE
    lines: list[Line] = []
    owed = Decimal(0)
    for row in content["vat_breakdown"]:
        vat_rate = Decimal(row["rate"])
        base, tax = Decimal(row["base"]), Decimal(row["tax"])
        base_eur = _euros(base, currency, rate)
        tax_eur = _euros(tax, currency, rate)
        owed += base_eur + tax_eur
        for account, label, amount, amount_eur in (
            (accounts.sales, "Ventes", base, base_eur),
            (accounts.vat_for(vat_rate), f"TVA collectée {vat_rate} %", tax, tax_eur),
        ):
            if not amount_eur:
                continue
            foreign, code = _foreign(amount, currency)
            lines.append(
                Line(
                    account=account,
                    account_label=label,
                    debit=amount_eur if credit_note else Decimal(0),
                    credit=Decimal(0) if credit_note else amount_eur,
                    foreign_amount=foreign,
                    currency=code,
                )
            )
    foreign, code = _foreign(Decimal(content["totals"]["total"]), currency)
    lines.insert(
        0,
        Line(
            account=client_account,
            account_label="Clients",
            aux_account=client_account,
            aux_label=client.name,
            debit=Decimal(0) if credit_note else owed,
            credit=owed if credit_note else Decimal(0),
            foreign_amount=foreign,
            currency=code,
        ),
    )
    what = "Avoir" if credit_note else "Facture"
    return Entry(
        day=document.issue_date,
        journal=accounts.sales_journal,
        journal_label="Ventes",
        piece=document.number or "",
        label=f"{what} {document.number} {client.name}",
        lines=tuple(lines),
    )


def _bank_entry(
    *,
    day: dt.date,
    piece: str,
    label: str,
    invoice: Document,
    amount: Decimal,
    currency: str,
    accounts: Accounts,
    received: bool,
) -> Entry:
    amount_eur = _euros(amount, currency, invoice.euro_rate)
    foreign, code = _foreign(amount, currency)
    client_account = accounts.client(invoice.client_id)
    bank = Line(
        account=accounts.bank,
        account_label="Banque",
        debit=amount_eur if received else Decimal(0),
        credit=Decimal(0) if received else amount_eur,
        foreign_amount=foreign,
        currency=code,
    )
    client = Line(
        account=client_account,
        account_label="Clients",
        aux_account=client_account,
        aux_label=invoice.client.name,
        debit=Decimal(0) if received else amount_eur,
        credit=amount_eur if received else Decimal(0),
        foreign_amount=foreign,
        currency=code,
    )
    return Entry(
        day=day,
        journal=accounts.bank_journal,
        journal_label="Banque",
        piece=piece,
        label=label,
        lines=(bank, client),
    )


def payment_entry(payment: Payment, accounts: Accounts) -> Entry:
    assert payment.received_at is not None  # succeeded payments are dated
    invoice = payment.invoice
    return _bank_entry(
        day=timezone.localdate(payment.received_at),
        piece=f"PAY-{payment.pk}",
        label=f"Règlement {invoice.number} {invoice.client.name}",
        invoice=invoice,
        amount=payment.amount,
        currency=payment.currency,
        accounts=accounts,
        received=True,
    )


def refund_entry(refund: Refund, accounts: Accounts) -> Entry:
    invoice = refund.invoice
    return _bank_entry(
        day=timezone.localdate(refund.refunded_at),
        piece=f"REF-{refund.pk}",
        label=f"Remboursement {invoice.number} {invoice.client.name}",
        invoice=invoice,
        amount=refund.amount,
        currency=refund.currency,
        accounts=accounts,
        received=False,
    )


def entries(
    company: Company, start: dt.date, end: dt.date, accounts: Accounts
) -> Iterator[Entry]:
    """Every entry of the period in date order (sales before bank on a day),
    read lazily from the three sources."""
    documents = issued_documents(company, start, end)
    sales = (sales_entry(document, accounts) for document in documents)
    payments = received_payments(company, start, end)
    paid = (payment_entry(payment, accounts) for payment in payments)
    refunds = given_back(company, start, end)
    refunded = (refund_entry(refund, accounts) for refund in refunds)
    journals = {accounts.sales_journal: 0, accounts.bank_journal: 1}
    return heapq.merge(
        sales,
        paid,
        refunded,
        key=lambda entry: (entry.day, journals.get(entry.journal, 2)),
    )


def _text(value: str) -> str:
    """A field as the FEC takes it: one line, no separator, in ISO 8859-15
    (a character it lacks loses its accent, or becomes '?')."""
    value = re.sub(r"[\r\n\t|]+", " ", value).strip()
    try:
        value.encode(FEC_ENCODING)
        return value
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", value)
        kept = "".join(c for c in plain if not unicodedata.combining(c))
        return kept.encode(FEC_ENCODING, errors="replace").decode(FEC_ENCODING)


def _amount(value: Decimal | None) -> str:
    """French decimal comma, no thousands separator: 1234,50."""
    if value is None:
        return ""
    return f"{value:.2f}".replace(".", ",")


def fec_write(stream: IO[str], all_entries: Iterable[Entry]) -> int:
    """Write the FEC's header and lines; the number of entries written. Each
    journal's entries are numbered 1, 2, 3… in date order, without gap."""
    stream.write(FEC_SEPARATOR.join(FEC_COLUMNS) + "\r\n")
    numbers: dict[str, int] = {}
    count = 0
    for entry in all_entries:
        numbers[entry.journal] = numbers.get(entry.journal, 0) + 1
        number = f"{entry.journal}{numbers[entry.journal]:06d}"
        day = f"{entry.day:%Y%m%d}"
        for line in entry.lines:
            fields = (
                entry.journal,
                entry.journal_label,
                number,
                day,
                line.account,
                line.account_label,
                line.aux_account,
                line.aux_label,
                entry.piece,
                day,
                entry.label,
                _amount(line.debit),
                _amount(line.credit),
                "",
                "",
                day,
                _amount(line.foreign_amount),
                line.currency,
            )
            stream.write(FEC_SEPARATOR.join(_text(str(f)) for f in fields) + "\r\n")
        count += 1
    return count


def issued_receipts(
    company: Company, start: dt.date, end: dt.date
) -> Iterator[Receipt]:
    """The receipts given in the period, by number."""
    since, until = _bounds(start, end)
    return (
        Receipt.objects.for_company(company)
        .filter(issued_at__gte=since, issued_at__lt=until)
        .select_related("client", "invoice")
        .order_by("number_year", "number_sequence")
        .iterator(chunk_size=CHUNK)
    )


def _receipts_write(
    archive: zipfile.ZipFile,
    company: Company,
    start: dt.date,
    end: dt.date,
    *,
    render_missing: bool,
) -> list[str]:
    """Each receipt's PDF; the numbers of those not stored yet."""
    missing = []
    for receipt in issued_receipts(company, start, end):
        if render_missing:
            receipt = receipt_pdf_ensure(receipt=receipt)
        if not receipt.pdf_file or not receipt.pdf_file.name:
            missing.append(receipt.number)
            continue
        with (
            document_storage().open(receipt.pdf_file.name, "rb") as pdf,
            archive.open(f"receipts/{receipt.number}.pdf", "w") as target,
        ):
            shutil.copyfileobj(pdf, target, 64 * 1024)
    return missing


def _folder(document: Document) -> str:
    return "credit_notes" if document.kind == Document.Kind.CREDIT_NOTE else "invoices"


def _documents_write(
    archive: zipfile.ZipFile,
    company: Company,
    start: dt.date,
    end: dt.date,
    *,
    render_missing: bool,
) -> tuple[int, list[str]]:
    """Each document's PDF and XML; (count, those whose PDF is not stored)."""
    count, missing = 0, []
    for document in issued_documents(company, start, end):
        count += 1
        version = document.current_version
        assert version is not None  # issued documents have one
        base = f"{_folder(document)}/{document.number}"
        if render_missing:
            version = version_pdf_ensure(version=version)
        if version.pdf_file and version.pdf_file.name:
            with (
                document_storage().open(version.pdf_file.name, "rb") as pdf,
                archive.open(f"{base}.pdf", "w") as target,
            ):
                shutil.copyfileobj(pdf, target, 64 * 1024)
        else:
            missing.append(document.number or "")
        archive.writestr(f"{base}.xml", facturx.invoice_xml(version.content))
    return count, missing


def _sales_write(
    archive: zipfile.ZipFile,
    company: Company,
    start: dt.date,
    end: dt.date,
    accounts: Accounts,
) -> None:
    # A second pass over the documents: a ZIP takes one entry at a time.
    with archive.open("sales_journal.csv", "w") as raw:
        journal = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(journal)
        writer.writerow(SALES_COLUMNS)
        for document in issued_documents(company, start, end):
            writer.writerow(
                (
                    document.issue_date.isoformat(),
                    document.number,
                    document.kind,
                    document.client.name,
                    accounts.client(document.client_id),
                    document.currency,
                    document.total_excl_tax,
                    document.total_tax,
                    document.total,
                    document.euro_rate or "",
                    document.status,
                )
            )
        journal.flush()
        journal.detach()


def _payments_write(
    archive: zipfile.ZipFile,
    company: Company,
    start: dt.date,
    end: dt.date,
    accounts: Accounts,
) -> int:
    count = 0
    with archive.open("payments_journal.csv", "w") as raw:
        journal = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(journal)
        writer.writerow(PAYMENTS_COLUMNS)
        moves: Iterator[tuple[dt.date, str, str, Document, Decimal, str, str]]
        moves = heapq.merge(
            (
                (
                    timezone.localdate(payment.received_at),
                    "payment",
                    f"PAY-{payment.pk}",
                    payment.invoice,
                    payment.amount,
                    payment.currency,
                    payment.method,
                )
                for payment in received_payments(company, start, end)
                if payment.received_at is not None
            ),
            (
                (
                    timezone.localdate(refund.refunded_at),
                    "refund",
                    f"REF-{refund.pk}",
                    refund.invoice,
                    -refund.amount,
                    refund.currency,
                    refund.payment.method,
                )
                for refund in given_back(company, start, end)
            ),
            key=lambda move: move[0],
        )
        for day, kind, reference, invoice, amount, currency, method in moves:
            count += 1
            writer.writerow(
                (
                    day.isoformat(),
                    kind,
                    reference,
                    invoice.number,
                    invoice.client.name,
                    accounts.client(invoice.client_id),
                    method,
                    amount,
                    currency,
                )
            )
        journal.flush()
        journal.detach()
    return count


def accounting_export(
    *,
    company: Company,
    start: dt.date,
    end: dt.date,
    target: Any,  # a binary file: the output, or a spooled temporary file
    render_missing: bool = False,
) -> ExportSummary:
    """Write the company's ZIP for the period (both days included) to `target`.

    `render_missing` prints a PDF not stored yet (the command does; a web
    request never renders one and lists it in MISSING.txt instead).
    """
    accounts = accounts_for(company=company)
    name = fec_name(company, end)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        documents, missing = _documents_write(
            archive, company, start, end, render_missing=render_missing
        )
        missing += _receipts_write(
            archive, company, start, end, render_missing=render_missing
        )
        _sales_write(archive, company, start, end, accounts)
        payments = _payments_write(archive, company, start, end, accounts)
        with archive.open(name, "w") as raw:
            fec = io.TextIOWrapper(raw, encoding=FEC_ENCODING, newline="")
            count = fec_write(fec, entries(company, start, end, accounts))
            fec.flush()
            fec.detach()
        if missing:
            archive.writestr(
                "MISSING.txt",
                "PDF being prepared, export again later:\n" + "\n".join(missing) + "\n",
            )
    return ExportSummary(
        documents=documents,
        payments=payments,
        entries=count,
        fec_name=name,
        missing_pdfs=missing,
    )

"""The statement of account of a client with many documents.

    uv run python benchmarks/statement.py             # SQLite file in a temp dir
    DATABASE_URL=postgres://... uv run python benchmarks/statement.py
    uv run python benchmarks/statement.py --quick     # without the whole-history PDF

Seeds clients of 10 and 10,000 documents as `benchmarks/portal.py` does (the
same shapes: recent invoices open, older ones paid or canceled, quotes), then
measures, through Django's test Client and the whole middleware stack with
the production settings: the statement page and its PDF by default (the open
items) and over the whole history (every invoice and payment since 2000):
the SQL queries of one request and the median time of REPEAT requests.
Targets: the PDF of the open items under 2 s at 10,000 documents, and the
same number of queries at 10 and at 10,000 documents.
"""

import importlib.util
import statistics
import sys
import time
from pathlib import Path

# benchmarks/portal.py (its seeding), under a name that is not the portal app's;
# importing it configures the production settings and sets Django up.
_spec = importlib.util.spec_from_file_location(
    "portal_benchmark", Path(__file__).resolve().parent / "portal.py"
)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["portal_benchmark"] = bench
_spec.loader.exec_module(bench)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as BrowserlessClient  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (10, 10_000)
REPEAT = 3
TARGET_PDF_SECONDS = 2.0


def _measure(http: BrowserlessClient, path: str, query: dict) -> tuple[float, int, int]:
    """(median seconds, queries, bytes) of GET `path`."""
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = http.get(path, query)
    assert response.status_code == 200, (path, response.status_code)
    size = len(response.content)
    times = []
    for _ in range(REPEAT if len(response.content) < 1_000_000 else 1):
        started = time.perf_counter()
        http.get(path, query)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), size


def main() -> int:
    vendor = connection.vendor
    test_database = None
    if vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"statement_benchmark_{id(main)}"
        test_database = connection.creation.create_test_db(
            verbosity=0, autoclobber=True
        )
    else:
        call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    now = timezone.now()
    try:
        with override_settings(PDF_RENDER_TIME_LIMIT_SECONDS=0):
            return run(now, vendor)
    finally:
        if test_database is not None:
            connection.creation.destroy_test_db(test_database, verbosity=0)


def seed(size: int, now):  # type: ignore[no-untyped-def]
    """A client of `size` documents shaped as `benchmarks/portal.py` shapes
    them (invoices and quotes, recent invoices open, older ones paid by a
    transfer or canceled): one made by the factories, the others cloned."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction

    from documents.models import Document
    from payments.models import Payment
    from tests.factories import ClientFactory, DocumentFactory

    today = timezone.localdate()
    with transaction.atomic():
        client = ClientFactory(locale="fr", company__has_receivables_addon=True)
        real = DocumentFactory(client=client, finalised=True)
        clones, payments = [], []
        for index in range(1, size):
            shape = bench._shape(index, today)
            clone = Document(
                **{
                    field.attname: getattr(real, field.attname)
                    for field in Document._meta.concrete_fields
                    if field.attname not in ("id", "current_version_id")
                }
            )
            clone.number = f"B-{index:06d}"
            clone.number_sequence = None
            clone.kind = shape["kind"]
            clone.status = shape["status"]
            clone.issue_date = shape["issue_date"]
            clone.due_date = shape.get("due_date")
            clone.expiry_date = shape.get("expiry_date")
            clone.amount_paid = (
                clone.total if clone.status == Document.Status.PAID else Decimal(0)
            )
            if clone.status == Document.Status.CANCELED:
                clone.amount_credited = Decimal(0)  # canceled before any money
            clones.append(clone)
        Document.objects.bulk_create(clones, batch_size=2_000)
        for clone in clones:
            if clone.status == Document.Status.PAID:
                payments.append(
                    Payment(
                        company_id=clone.company_id,
                        invoice=clone,
                        amount=clone.total,
                        currency=clone.currency,
                        method="transfer",
                        status="succeeded",
                        received_at=dt.datetime.combine(
                            clone.issue_date, dt.time(12), tzinfo=dt.UTC
                        )
                        + dt.timedelta(days=20),
                    )
                )
        Payment.objects.bulk_create(payments, batch_size=2_000)
    return client


def run(now, vendor: str) -> int:
    print(f"Statement benchmark — {vendor}, DEBUG off, median of {REPEAT} requests")
    http = BrowserlessClient()
    results = {}
    for size in SIZES:
        seeding = time.perf_counter()
        token = seed(size, now).portal_token
        page = reverse("portal:statement", kwargs={"token": token})
        pdf = reverse("portal:statement_pdf", kwargs={"token": token})
        print(
            f"\n{size:>6,} documents (seeded in {time.perf_counter() - seeding:.1f} s)"
        )
        for label, path, query in (
            ("page, open items", page, {}),
            ("PDF, open items", pdf, {}),
            ("page, whole history", page, {"start": "2000-01-01"}),
            ("PDF, whole history", pdf, {"start": "2000-01-01"}),
        ):
            if "--quick" in sys.argv and label == "PDF, whole history":
                continue  # minutes at 10,000 documents
            seconds, queries, size_bytes = _measure(http, path, query)
            results[(size, label)] = (seconds, queries)
            print(
                f"  {label:<20} {seconds * 1000:>8.0f} ms  {queries:>3} queries  "
                f"{size_bytes / 1024:>7.0f} KiB"
            )
    big, small = SIZES[-1], SIZES[0]
    pdf_ok = results[(big, "PDF, open items")][0] < TARGET_PDF_SECONDS
    queries_ok = all(
        results[(big, label)][1] == results[(small, label)][1]
        for _size, label in results
    )
    print(
        f"\nPDF of the open items at {big:,} documents under "
        f"{TARGET_PDF_SECONDS:.0f} s: {'yes' if pdf_ok else 'NO'}; "
        f"same queries at {small} and {big:,}: {'yes' if queries_ok else 'NO'}"
    )
    return 0 if pdf_ok and queries_ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""How the portal's pages scale with the number of documents a client has.

    uv run python benchmarks/portal.py             # SQLite file in a temp dir
    DATABASE_URL=postgres://... uv run python benchmarks/portal.py

Seeds one client per size (10, 100, 1,000 and 10,000 documents, three versions
each) and measures, for its invoice list (/p/<token>/invoices/) and one of its
document pages: the SQL queries of one request, the median server time over
REQUESTS requests after WARMUP, and the throughput as a ratio to a trivial
Django view that renders a template of the same HTML size. Everything runs
in-process through Django's test Client and the full middleware stack, with the
production settings (DEBUG off); requests go round-robin over every page and
its trivial twin, so that noise on the machine hits them all alike.

Each client's first document is made through `documents.services` (create,
finalise, two revised notes: three versions); the others are cloned from it with
`bulk_create`: finalised, numbered in sequence, each version a copy of that
document's snapshot with its own number and dates, and the events, lines and
payments the services would have written.

On PostgreSQL a throwaway database (portal_benchmark_<pid>) is created and dropped.
"""

import base64
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 100, 1_000, 10_000)
VERSIONS = 3
WARMUP = 3
REQUESTS = 30
BATCH = 2_000
TARGET_GROWTH = 2.0  # list at 10,000 documents within 2x its time at 10
TARGET_RATIO = 0.5  # throughput at least 50% of the trivial view's


def configure() -> Path:
    """Environment for config.settings: production mode, files in a temp dir."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-benchmark-"))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    os.environ["PORTAL_TOKEN_KEYS"] = key  # links are stored encrypted
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["PORTAL_BASE_URL"] = "http://127.0.0.1:8000"  # required in production
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    # PDFs are printed off the request path; none is read by these pages.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["EMAIL_URL"] = "memorymail://"  # the one document sent stays here
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'benchmark.sqlite3'}"
    return workdir


WORKDIR = configure()

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_not_required  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client as BrowserlessClient  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from branding.services import brand_kit_save  # noqa: E402
from clients.models import Client  # noqa: E402
from clients.services import client_create  # noqa: E402
from companies.models import Company, Membership, User  # noqa: E402
from companies.references import invoice_creditor_reference  # noqa: E402
from documents import services as document_services  # noqa: E402
from documents.models import (  # noqa: E402
    Document,
    DocumentEvent,
    DocumentLine,
    DocumentNumberSequence,
    DocumentVersion,
)
from documents.totals import LineInput  # noqa: E402
from mail import services as mail_services  # noqa: E402
from payments.models import Payment  # noqa: E402

S, K, E = Document.Status, Document.Kind, DocumentEvent.Kind


# --- the trivial view, in a benchmark-only URLconf ---------------------------

TRIVIAL = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><header><p>{{ title }}</p></header><main><table><tbody>
{% for row in rows %}<tr data-row="{{ row.0 }}"><th scope="row">{{ row.1 }}</th>\
<td>{{ row.2 }}</td><td class="numeric">{{ row.3 }}</td><td>{{ row.4 }}</td></tr>
{% endfor %}</tbody></table></main></body></html>
"""
)


@login_not_required
def trivial(request: HttpRequest, rows: int) -> HttpResponse:
    """A template of a given size and nothing else: the baseline of a Django page."""
    context = {
        "title": "Trivial page",
        "rows": [
            (n, f"INV-2026-{n:04d}", "To pay", "1 234,56 €", "27 nov. 2026")
            for n in range(rows)
        ],
    }
    return HttpResponse(TRIVIAL.render(context, request))


urls = types.ModuleType("portal_benchmark_urls")
urls.urlpatterns = [
    path("benchmark/trivial/<int:rows>/", trivial, name="benchmark_trivial"),
    path("", include("config.urls")),
]
sys.modules[urls.__name__] = urls


# --- the data ----------------------------------------------------------------


@dataclass
class Scenario:
    size: int
    client: Client
    list_path: str
    document_path: str


def line(description: str, quantity: str, price: str, vat: str = "20") -> LineInput:
    return LineInput(description, Decimal(quantity), Decimal(price), Decimal(vat))


TEMPLATE_LINES = [
    line("Lighting design", "1", "3200.00"),
    line("DALI dimmers", "4", "145.00"),
    line("Travel and commissioning", "1", "60.00", "10"),
]


def seed(size: int, now: dt.datetime) -> Scenario:
    """A company and one client holding `size` documents of `VERSIONS` versions."""
    with transaction.atomic():
        company = Company.objects.create(
            name=f"Benchmark {size}",
            legal_name=f"Benchmark {size} SARL",
            address="1 rue de la Paix\n75002 Paris",
            vat_number="FR11123456782",
            registration_number="123456782",  # a valid SIREN: e-invoices need it
            email=f"billing{size}@benchmark.example",
            iban="FR76 3000 6000 0112 3456 7890 189",
            bic="AGRIFRPP",
            default_currency="EUR",
            default_locale="fr",
            has_receivables_addon=True,
        )
        owner = User.objects.create_user(
            f"owner{size}@benchmark.example", None, full_name="Owner"
        )
        Membership.objects.create(user=owner, company=company, role="owner")
        logo = ROOT / "demo" / "assets" / "atelier-lumiere.png"
        brand_kit_save(
            company=company,
            actor=owner,
            now=now,
            display_name=company.name,
            primary_colour="#1F3A5F",
            accent_colour="#F2A541",
            logo=SimpleUploadedFile(logo.name, logo.read_bytes(), "image/png"),
        )
        client = client_create(
            company=company,
            now=now,
            name=f"Client with {size:,} documents",
            email=f"client{size}@benchmark.example",
            locale="fr",
            address="7 place de la République\n75011 Paris",
            siren="732829320",
        )
        real = _real_document(company, client, owner, now)
        _clones(real, size - 1, owner, now)
    token = client.portal_token
    return Scenario(
        size=size,
        client=client,
        list_path=reverse("portal:invoices", kwargs={"token": token}),
        document_path=reverse(
            "portal:document", kwargs={"token": token, "document_id": real.pk}
        ),
    )


def _real_document(
    company: Company, client: Client, owner: User, now: dt.datetime
) -> Document:
    """One invoice made as the back office makes it: three versions, sent."""
    today = timezone.localdate(now)
    document = document_services.document_create(
        company=company,
        client=client,
        kind=K.INVOICE,
        lines=TEMPLATE_LINES,
        actor=owner,
        now=now,
        issue_date=today - dt.timedelta(days=2),
        due_date=today + dt.timedelta(days=28),
    )
    document = document_services.document_finalise(
        document=document, actor=owner, now=now
    )
    # An issued invoice's lines are frozen: its later versions revise what may
    # change after issue (the notes), as an owner's corrections would.
    for revision in range(1, VERSIONS):
        document_services.document_update(
            document=document,
            actor=owner,
            now=now,
            lines=TEMPLATE_LINES,
            notes=f"Revised payment note {revision}.",
        )
    mail_services.document_send(document=document, actor=owner, now=now)
    document.refresh_from_db()
    return document


def _shape(index: int, today: dt.date) -> dict:
    """Kind, dates and status of clone `index`: recent ones open, older settled."""
    age = (index * 2) % 1500 + 1
    issue = today - dt.timedelta(days=age)
    term = issue + dt.timedelta(days=30)
    if index % 10 < 7:
        if age <= 45 or index % 20 == 7:
            status = S.TO_PAY  # overdue once past its due date
        else:
            status = S.CANCELED if index % 10 == 3 else S.PAID
        return {
            "kind": K.INVOICE,
            "status": status,
            "issue_date": issue,
            "due_date": term,
        }
    if age <= 30 or index % 4 == 0:
        status = S.PENDING  # expired once past its expiry date
    else:
        status = S.ACCEPTED if index % 4 != 3 else S.DECLINED
    return {
        "kind": K.QUOTE,
        "status": status,
        "issue_date": issue,
        "expiry_date": term,
        "requires_signature": index % 3 == 0,
    }


def _clones(real: Document, count: int, owner: User, now: dt.datetime) -> None:
    """`count` more documents like `real`, written in bulk, valid as the services'."""
    company_id = real.company_id
    versions = list(
        DocumentVersion.objects.for_company(real.company)
        .filter(document=real)
        .order_by("number")
    )
    lines = list(
        DocumentLine.objects.for_company(real.company)
        .filter(document=real)
        .order_by("position")
    )
    today = timezone.localdate(now)
    recipient = real.client.email
    sequences = {(K.INVOICE, real.number_year): real.number_sequence}
    documents = []
    for index in range(1, count + 1):
        shape = _shape(index, today)
        kind = shape["kind"]
        year = shape["issue_date"].year
        sequence = sequences[(kind, year)] = sequences.get((kind, year), 0) + 1
        finalised_at = dt.datetime.combine(
            shape["issue_date"], dt.time(9), tzinfo=dt.UTC
        )
        paid = shape["status"] == S.PAID
        documents.append(
            Document(
                company_id=company_id,
                client_id=real.client_id,
                number=f"{Document.NUMBER_PREFIXES[kind]}-{year}-{sequence:04d}",
                number_year=year,
                number_sequence=sequence,
                currency=real.currency,
                total_excl_tax=real.total_excl_tax,
                total_tax=real.total_tax,
                total=real.total,
                amount_paid=real.total if paid else Decimal("0"),
                finalised_at=finalised_at,
                sent_at=finalised_at,
                **shape,
            )
        )
    Document.objects.bulk_create(documents, batch_size=BATCH)

    new_versions, new_lines, new_events, new_payments = [], [], [], []
    for document in documents:
        at = document.finalised_at
        for position, template_line in enumerate(lines):
            new_lines.append(
                DocumentLine(
                    company_id=company_id,
                    document=document,
                    position=position,
                    description=template_line.description,
                    quantity=template_line.quantity,
                    unit_price=template_line.unit_price,
                    vat_rate=template_line.vat_rate,
                )
            )
        for version in versions:
            content = {
                **version.content,
                "kind": document.kind,
                "number": document.number,
                "payment_reference": invoice_creditor_reference(document.number)
                if document.kind == Document.Kind.INVOICE
                else "",
                "issue_date": document.issue_date.isoformat(),
                "due_date": document.due_date and document.due_date.isoformat(),
                "expiry_date": document.expiry_date
                and document.expiry_date.isoformat(),
                "requires_signature": document.requires_signature,
            }
            new_versions.append(
                DocumentVersion(
                    company_id=company_id,
                    document=document,
                    number=version.number,
                    content=content,
                    total_excl_tax=version.total_excl_tax,
                    total_tax=version.total_tax,
                    total=version.total,
                    created_at=at + dt.timedelta(hours=version.number - 1),
                    created_by=owner,
                )
            )
    DocumentLine.objects.bulk_create(new_lines, batch_size=BATCH)
    DocumentVersion.objects.bulk_create(new_versions, batch_size=BATCH)

    def event(document, kind, version, at, /, **details) -> DocumentEvent:
        return DocumentEvent(
            company_id=company_id,
            document=document,
            version=version,
            kind=kind,
            actor=owner,
            actor_name=str(owner),
            at=at,
            details=details,
        )

    for position, document in enumerate(documents):
        own = new_versions[position * len(versions) : (position + 1) * len(versions)]
        document.current_version = own[-1]
        at = document.finalised_at
        new_events += [
            event(document, E.CREATED, None, at),
            event(document, E.FINALISED, own[0], at, number=document.number),
            *(
                event(
                    document,
                    E.NEW_VERSION,
                    version,
                    version.created_at,
                    version=version.number,
                )
                for version in own[1:]
            ),
            event(document, E.SENT, own[-1], own[-1].created_at, to=recipient),
        ]
        later = own[-1].created_at + dt.timedelta(days=3)
        if document.status == S.PAID:
            new_payments.append(
                Payment(
                    company_id=company_id,
                    invoice=document,
                    amount=document.total,
                    currency=document.currency,
                    method=Payment.Method.MANUAL,
                    status=Payment.Status.SUCCEEDED,
                    received_at=later,
                    recorded_by=owner,
                )
            )
            new_events += [
                event(
                    document,
                    E.PAYMENT_RECEIVED,
                    own[-1],
                    later,
                    amount=str(document.total),
                    currency=document.currency,
                    method=Payment.Method.MANUAL,
                ),
                event(document, E.PAID, own[-1], later),
            ]
        elif document.status in (S.CANCELED, S.ACCEPTED, S.DECLINED):
            kind = {S.CANCELED: E.CANCELED, S.ACCEPTED: E.ACCEPTED}.get(
                document.status, E.DECLINED
            )
            new_events.append(event(document, kind, own[-1], later))
    Document.objects.bulk_update(documents, ["current_version"], batch_size=BATCH)
    DocumentEvent.objects.bulk_create(new_events, batch_size=BATCH)
    Payment.objects.bulk_create(new_payments, batch_size=BATCH)
    for (kind, year), last in sequences.items():
        DocumentNumberSequence.objects.update_or_create(
            company_id=company_id,
            kind=kind,
            year=year,
            defaults={"last_number": last},
        )


# --- measuring ---------------------------------------------------------------


@dataclass
class Timing:
    queries: int
    median_ms: float
    per_second: float
    size_bytes: int
    captured: list

    @property
    def sql_ms(self) -> float:
        return sum(float(query["time"]) for query in self.captured) * 1000


def _request(http: BrowserlessClient, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = http.get(url, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(response.content)


def _trivial_rows_for(http: BrowserlessClient, size_bytes: int) -> int:
    """How many rows make the trivial page as large as the page it stands for."""
    _, empty = _request(http, reverse("benchmark_trivial", args=[0]))
    _, hundred = _request(http, reverse("benchmark_trivial", args=[100]))
    return max(0, round((size_bytes - empty) / ((hundred - empty) / 100)))


def measure(http: BrowserlessClient, pages: dict) -> dict:
    """Each page and its same-size trivial twin: key → (page Timing, trivial Timing).

    Requests go round-robin over every page and its twin, so that the machine's
    noise falls on all of them alike, the sizes compared included.
    """
    plan = {}
    for key, page_url in pages.items():
        with CaptureQueriesContext(connection) as capture:
            _, size_bytes = _request(http, page_url)
        captured = list(capture.captured_queries)  # the next request clears the log
        rows = _trivial_rows_for(http, size_bytes)
        plan[key] = (page_url, reverse("benchmark_trivial", args=[rows]), captured)
    for _ in range(WARMUP):
        for page_url, trivial_url, _captured in plan.values():
            _request(http, page_url)
            _request(http, trivial_url)
    times = {key: ([], []) for key in plan}
    sizes = {}
    for _ in range(REQUESTS):
        for key, (page_url, trivial_url, _captured) in plan.items():
            for column, url in enumerate((page_url, trivial_url)):
                elapsed, size_bytes = _request(http, url)
                times[key][column].append(elapsed)
                sizes[key, column] = size_bytes

    def timing(samples: list[float], captured: list, size_bytes: int) -> Timing:
        median = statistics.median(samples)
        return Timing(
            queries=len(captured),
            median_ms=median * 1000,
            # One worker's requests per second at the median: steadier than
            # the mean on a machine that other work shares.
            per_second=1 / median,
            size_bytes=size_bytes,
            captured=captured,
        )

    return {
        key: (
            timing(times[key][0], captured, sizes[key, 0]),
            timing(times[key][1], [], sizes[key, 1]),
        )
        for key, (_page, _trivial, captured) in plan.items()
    }


def explain(sql: str) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(column) for column in row) for row in cursor.fetchall()]


# --- the run -----------------------------------------------------------------


def main() -> int:
    started = time.perf_counter()
    vendor = connection.vendor
    test_database = None
    if vendor != "sqlite":  # never touch the real database: a throwaway one
        # Named for this run, so that a test run's test_<name> is never clobbered.
        connection.settings_dict["TEST"]["NAME"] = f"portal_benchmark_{os.getpid()}"
        test_database = connection.creation.create_test_db(
            verbosity=0, autoclobber=True
        )
    else:
        call_command("migrate", verbosity=0)
    # Production serves hashed static names from collectstatic's manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    now = timezone.now()
    try:
        with override_settings(ROOT_URLCONF=urls.__name__):
            return run(now, vendor, started)
    finally:
        if test_database is not None:
            connection.creation.destroy_test_db(test_database, verbosity=0)


def run(now: dt.datetime, vendor: str, started: float) -> int:
    print(
        f"Portal benchmark — {vendor}, DEBUG off, Django test Client in-process, "
        f"{WARMUP} warm-up + {REQUESTS} requests per page, round-robin with a "
        f"trivial view of the same HTML size"
    )
    scenarios = []
    for size in SIZES:
        seeding = time.perf_counter()
        scenarios.append(seed(size, now))
        print(
            f"  seeded {size:>6,} documents × {VERSIONS} versions "
            f"in {time.perf_counter() - seeding:5.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would keep

    http = BrowserlessClient()
    results = measure(
        http,
        {
            (page, scenario.size): url
            for scenario in scenarios
            for page, url in (
                ("list", scenario.list_path),
                ("document", scenario.document_path),
            )
        },
    )

    print()
    header = (
        f"{'page':<9}{'documents':>10}{'queries':>9}{'sql ms':>8}{'median ms':>11}"
        f"{'req/s':>8}{'trivial ms':>12}{'trivial req/s':>15}{'ratio':>7}"
        f"{'bytes':>8}{'trivial bytes':>15}"
    )
    print(header)
    print("-" * len(header))
    for (page, size), (portal, baseline) in results.items():
        print(
            f"{page:<9}{size:>10,}{portal.queries:>9}{portal.sql_ms:>8.0f}"
            f"{portal.median_ms:>11.2f}"
            f"{portal.per_second:>8.0f}{baseline.median_ms:>12.2f}"
            f"{baseline.per_second:>15.0f}"
            f"{portal.per_second / baseline.per_second:>7.0%}"
            f"{portal.size_bytes:>8,}{baseline.size_bytes:>15,}"
        )

    verdicts = []
    for page in ("list", "document"):
        # A page may vary by a query with the shape of its data (one part or
        # two of a page); what must not happen is a big client needing more.
        counts = {size: results[(page, size)][0].queries for size in SIZES}
        small_sizes, large_sizes = SIZES[:2], SIZES[2:]
        verdicts.append(
            (
                max(counts[size] for size in large_sizes)
                <= max(counts[size] for size in small_sizes),
                f"{page} page: query count does not grow with the documents",
                ", ".join(f"{size:,}: {count}" for size, count in counts.items()),
            )
        )
    small = results[("list", SIZES[0])][0].median_ms
    large = results[("list", SIZES[-1])][0].median_ms
    verdicts.append(
        (
            large <= TARGET_GROWTH * small,
            f"list page at {SIZES[-1]:,} documents within {TARGET_GROWTH:g}× "
            f"the time at {SIZES[0]:,}",
            f"{large:.2f} ms vs {small:.2f} ms: {large / small:.2f}×",
        )
    )
    for page in ("list", "document"):
        ratios = {
            size: results[(page, size)][0].per_second
            / results[(page, size)][1].per_second
            for size in SIZES
        }
        verdicts.append(
            (
                min(ratios.values()) >= TARGET_RATIO,
                f"{page} page throughput ≥ {TARGET_RATIO:.0%} of the trivial view's",
                ", ".join(f"{size:,}: {ratio:.0%}" for size, ratio in ratios.items()),
            )
        )
    print()
    for passed, target, detail in verdicts:
        print(f"{'PASS' if passed else 'MISS'}  {target} ({detail})")

    largest = results[("list", SIZES[-1])][0]
    print(f"\nSlowest queries of the list page at {SIZES[-1]:,} documents:")
    for query in sorted(largest.captured, key=lambda q: -float(q["time"]))[:3]:
        print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][:300]}")
        for row in explain(query["sql"]):
            print(f"             plan: {row}")
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")
    return 0 if all(passed for passed, _target, _detail in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

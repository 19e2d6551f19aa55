"""Stripe webhooks against the production server: throughput, latency, exactly once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \
        uv run python benchmarks/webhooks.py [--threads 4]

Creates a throwaway PostgreSQL database (portal_webhooks_benchmark_<pid>) on the
server DATABASE_URL names, migrates it and seeds one company connected to Stripe,
CLIENTS clients and INVOICES open invoices spread over them, each with the
Checkout Session its client
opened (bulk-inserted: the benchmark is about the webhook, not about seeding).
Then it starts the production server, gunicorn with 2 sync workers (DEBUG off,
persistent database connections), and sends from SENDERS concurrent threads:

1. INVOICES signed `checkout.session.completed` events, one per distinct payment,
   and BATCHES more for sessions that pay BATCH_SIZE invoices at once (issue
   20: each split into one payment per invoice), plus 10% duplicates mixed in
   at random: half are the very same event delivered again, half an
   `async_payment_succeeded` for a payment already announced;
2. the same number of GETs of /healthz, a trivial view, for comparison.

It reports requests/s and p50/p99 latency of each, and checks that the payments
recorded are exactly the distinct payments (0 lost, 0 doubled), that every
invoice is paid once (each part of a batch included) and every delivery got a
2xx. Everything stays on loopback,
with a bounded number of requests and a timeout on each.
"""

import base64
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
INVOICES = 2_000
CLIENTS = 100  # the invoices' clients: 20 invoices each
BATCHES = 100  # sessions paying several invoices at once…
BATCH_SIZE = 10  # …of this many invoices each (one client's)
DUPLICATE_SHARE = 0.10
SENDERS = 8
WORKERS = 2
# Threads per worker: 1 is gunicorn's sync worker; more (`--threads N` on the
# command line) is its gthread worker, which overlaps one request's wait for the
# database's commit with another's work.
THREADS = (
    int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
)
TARGET_RATE = 150.0  # events per second
REQUEST_TIMEOUT = 30.0
WEBHOOK_SECRET = "whsec_benchmark_" + secrets.token_hex(8)
ACCOUNT = "acct_benchmark0001"


def database_urls() -> tuple[str, str, str]:
    """The server's maintenance database, and the throwaway one's name and URL."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (a database is made).")
    parts = urlsplit(given)
    name = f"portal_webhooks_benchmark_{os.getpid()}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    return maintenance, name, urlunsplit(parts._replace(path=f"/{name}"))


MAINTENANCE_URL, DATABASE_NAME, DATABASE_URL = database_urls()


def configure() -> dict[str, str]:
    """Production settings, for this process and the server alike."""
    environment = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_TOKEN_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_CONN_MAX_AGE": "60",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Production's queue: each receipt's PDF (and e-mail) is a task row
        # written after the commit, as it would be; no worker takes them here.
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_URL": "memorymail://",
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(environment)
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("STRIPE_SECRET_KEY", None)
    sys.path.insert(0, str(ROOT))
    return environment


ENVIRONMENT = configure()


def database_create() -> None:
    import psycopg

    with psycopg.connect(MAINTENANCE_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def database_drop() -> None:
    import psycopg

    with psycopg.connect(MAINTENANCE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')


database_create()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from clients.services import client_create  # noqa: E402
from companies.models import Company  # noqa: E402
from documents import services as document_services  # noqa: E402
from documents.models import Document, DocumentVersion  # noqa: E402
from documents.totals import LineInput  # noqa: E402
from payments.models import (  # noqa: E402
    CheckoutSession,
    CheckoutSessionLine,
    Payment,
    StripeAccount,
    StripeEvent,
)

# --- the data ----------------------------------------------------------------


def seed() -> list[dict]:
    """One connected company, CLIENTS clients, INVOICES open invoices with their
    sessions; returns each session as Stripe would describe it once paid."""
    from decimal import Decimal

    now = timezone.now()
    with transaction.atomic():
        company = Company.objects.create(
            name="Benchmark SARL",
            iban="FR7630006000011234567890189",
            # What a French e-invoice must carry (Factur-X refuses it otherwise).
            vat_number="FR19812345676",
            registration_number="812345676",
            has_receivables_addon=True,
        )
        StripeAccount.objects.create(
            company=company, account_id=ACCOUNT, charges_enabled=True, checked_at=now
        )
        clients = [
            client_create(
                company=company,
                now=now,
                name=f"Client {n}",
                siren="443061841",
                vat_number="FR64443061841",
            )
            for n in range(CLIENTS)
        ]
        client = clients[0]
        template = document_services.document_create(
            company=company,
            client=client,
            kind=Document.Kind.INVOICE,
            lines=[LineInput("Work", Decimal("1"), Decimal("100.00"), Decimal("20"))],
            actor=None,
            now=now,
            issue_date=timezone.localdate(now),
        )
        template = document_services.document_finalise(
            document=template, actor=None, now=now
        )
        version = template.current_version
        year = template.number_year
        documents = Document.objects.bulk_create(
            Document(
                company=company,
                client=clients[n % CLIENTS],
                kind=Document.Kind.INVOICE,
                number=f"INV-{year}-B{n:05d}",
                number_year=year,
                number_sequence=n + 1000,
                status=Document.Status.TO_PAY,
                currency="EUR",
                issue_date=template.issue_date,
                due_date=template.due_date,
                total_excl_tax=template.total_excl_tax,
                total_tax=template.total_tax,
                total=template.total,
                finalised_at=now,
            )
            for n in range(1, INVOICES + BATCHES * BATCH_SIZE)
        )
        versions = DocumentVersion.objects.bulk_create(
            DocumentVersion(
                company=company,
                document=document,
                number=1,
                content={**version.content, "number": document.number},
                total_excl_tax=version.total_excl_tax,
                total_tax=version.total_tax,
                total=version.total,
                created_at=now,
            )
            for document in documents
        )
        for document, made in zip(documents, versions, strict=True):
            document.current_version = made
        Document.objects.bulk_update(documents, ["current_version"], batch_size=500)
        everything = [template, *documents]
        invoices = everything[:INVOICES]
        batches = [
            everything[INVOICES + n * BATCH_SIZE : INVOICES + (n + 1) * BATCH_SIZE]
            for n in range(BATCHES)
        ]
        for batch in batches:  # one client's invoices, as the portal offers them
            for invoice in batch:
                invoice.client = batch[0].client
        Document.objects.bulk_update(
            [invoice for batch in batches for invoice in batch],
            ["client"],
            batch_size=500,
        )
        batch_sessions = CheckoutSession.objects.bulk_create(
            CheckoutSession(
                company=company,
                session_id=f"cs_bench_batch_{n}",
                account_id=ACCOUNT,
                invoice=batch[0],
                version_number=1,
                amount=sum((invoice.total for invoice in batch), Decimal(0)),
                currency="EUR",
                url=f"https://checkout.stripe.com/c/pay/cs_bench_batch_{n}",
                created_at=now,
            )
            for n, batch in enumerate(batches)
        )
        CheckoutSessionLine.objects.bulk_create(
            CheckoutSessionLine(
                company=company,
                checkout=checkout,
                invoice=invoice,
                version_number=1,
                amount=invoice.total,
            )
            for checkout, batch in zip(batch_sessions, batches, strict=True)
            for invoice in batch
        )
        CheckoutSession.objects.bulk_create(
            CheckoutSession(
                company=company,
                session_id=f"cs_bench_{invoice.pk}",
                account_id=ACCOUNT,
                invoice=invoice,
                version_number=1,
                amount=invoice.total,
                currency="EUR",
                url=f"https://checkout.stripe.com/c/pay/cs_bench_{invoice.pk}",
                created_at=now,
            )
            for invoice in invoices
        )
    return [
        {
            "id": f"cs_bench_{invoice.pk}",
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": f"pi_bench_{invoice.pk}",
            "amount_total": 12000,
            "currency": "eur",
            "metadata": {"invoice_id": str(invoice.pk), "version": "1"},
        }
        for invoice in invoices
    ] + [
        {
            "id": f"cs_bench_batch_{n}",
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": f"pi_bench_batch_{n}",
            "amount_total": 12000 * BATCH_SIZE,
            "currency": "eur",
            "metadata": {
                "invoice_id": str(batch[0].pk),
                "invoice_ids": ",".join(str(invoice.pk) for invoice in batch),
                "batch": "1",
            },
            "_invoices": len(batch),
        }
        for n, batch in enumerate(batches)
    ]


def deliveries(sessions: list[dict]) -> list[bytes]:
    """One `completed` event per payment, plus 10% duplicates in random places."""
    rng = random.Random(2026)

    def event(kind: str, session: dict, number: int) -> bytes:
        session = {k: v for k, v in session.items() if not k.startswith("_")}
        return json.dumps(
            {
                "id": f"evt_bench_{number:06d}",
                "object": "event",
                "type": kind,
                "account": ACCOUNT,
                "created": int(time.time()),
                "livemode": False,
                "data": {"object": session},
            }
        ).encode()

    first = [
        event("checkout.session.completed", session, n)
        for n, session in enumerate(sessions)
    ]
    extra = int(len(sessions) * DUPLICATE_SHARE)
    again = rng.sample(first, extra // 2)  # the same event, delivered twice
    confirmations = [
        event("checkout.session.async_payment_succeeded", session, len(first) + n)
        for n, session in enumerate(rng.sample(sessions, extra - extra // 2))
    ]
    bodies = first + again + confirmations
    rng.shuffle(bodies)
    return bodies


def sign(body: bytes) -> str:
    import hashlib
    import hmac

    timestamp = int(time.time())
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- the server and the senders ----------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_start(port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **ENVIRONMENT}, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server_stop(server)
    sys.exit("gunicorn did not answer within 60 s")


def server_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    headers = {}
    if body is not None:
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body)}
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def blast(port: int, jobs: list[tuple[str, str, bytes | None]]) -> dict:
    """Send every job from SENDERS threads; statuses and latencies of each."""
    queue: Queue = Queue()
    for job in jobs:
        queue.put(job)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def sender() -> None:
        while True:
            try:
                method, path, body = queue.get_nowait()
            except Empty:
                return
            try:
                status, seconds = request(port, method, path, body)
            except OSError:
                status, seconds = 0, REQUEST_TIMEOUT
            with lock:
                latencies.append(seconds)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(jobs),
        "seconds": elapsed,
        "rate": len(jobs) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "statuses": statuses,
    }


# --- the run -------------------------------------------------------------------


def main() -> int:
    try:
        return run()
    finally:
        connections.close_all()
        database_drop()


def run() -> int:
    print(
        f"database: {DATABASE_NAME} (throwaway); seeding {INVOICES} invoices and "
        f"{BATCHES} sessions of {BATCH_SIZE}…"
    )
    call_command("migrate", verbosity=0)
    sessions = seed()
    # What each session pays: one invoice, or a batch's every one.
    expected = sum(session.get("_invoices", 1) for session in sessions)
    bodies = deliveries(sessions)
    connections.close_all()
    port = free_port()
    server = server_start(port)
    try:
        # Warm both workers up (first requests import and build the URL map).
        blast(port, [("GET", "/healthz", None)] * (SENDERS * 4))
        webhooks = blast(
            port, [("POST", "/payments/stripe/webhook/", body) for body in bodies]
        )
        healthz = blast(port, [("GET", "/healthz", None)] * len(bodies))
    finally:
        server_stop(server)

    payments = Payment.objects.count()  # unscoped: one company
    events = StripeEvent.objects.count()  # unscoped: idem
    paid = Document.objects.filter(status=Document.Status.PAID).count()  # unscoped
    distinct_events = len({json.loads(body)["id"] for body in bodies})
    print()
    print(
        f"gunicorn config.wsgi, {WORKERS} workers × {THREADS} thread(s), "
        "PostgreSQL, DEBUG off; "
        f"{SENDERS} concurrent senders on loopback; {os.cpu_count()} cores shared"
    )
    print()
    print("| requests | count | seconds | requests/s | p50 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, result in (
        ("signed webhook events", webhooks),
        ("GET /healthz (trivial view)", healthz),
    ):
        print(
            f"| {name} | {result['requests']} | {result['seconds']:.1f} | "
            f"{result['rate']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{dict(sorted(result['statuses'].items()))} |"
        )
    print()
    print(
        f"deliveries: {len(bodies)} ({len(sessions)} distinct payments, "
        f"{len(bodies) - len(sessions)} duplicates); events stored: {events} "
        f"of {distinct_events} distinct event ids"
    )
    print(
        f"payments recorded: {payments} for {expected} invoices paid in "
        f"{len(sessions)} distinct payments ({BATCHES} of them for "
        f"{BATCH_SIZE} invoices at once) "
        f"({max(expected - payments, 0)} lost, "
        f"{max(payments - expected, 0)} doubled); invoices paid: {paid}"
    )
    webhook_ok = set(webhooks["statuses"]) == {200}
    exact = payments == expected == paid and events == distinct_events
    fast = webhooks["rate"] >= TARGET_RATE
    print(
        f"target ≥ {TARGET_RATE:.0f} events/s: {'met' if fast else 'NOT met'}; "
        f"exactly once: {'yes' if exact and webhook_ok else 'NO'}; "
        f"webhook rate {webhooks['rate'] / healthz['rate']:.0%} of the trivial view's"
    )
    return 0 if exact and webhook_ok and fast else 1


if __name__ == "__main__":
    sys.exit(main())

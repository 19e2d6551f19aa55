"""1,000 open portal pages on the production server: idle cost and latency.

    uv run python benchmarks/live.py                  # SQLite file in a temp dir
    DATABASE_URL=postgres://... uv run python benchmarks/live.py
    uv run python benchmarks/live.py --pages 1000 --workers 1 --rounds 5

Seeds PAGES clients (one open page each: the poller then reads the most rows),
starts the ASGI application under uvicorn in production settings (DEBUG off)
and opens one server-sent-events stream per page from this process (raw
asyncio sockets, as EventSource does). Then it measures:

- the server's memory (RSS of every server process) and CPU while all pages
  stay open and nothing changes, over IDLE_SECONDS;
- the time from a change's commit, made by this process (another process than
  the server, as a back-office request on another machine would), to each page
  receiving the new revision: every client changed at once (a worst case: the
  last of 1,000 pages), and one client at a time.

Targets (issue 12): p99 under 3 s, the server idle below 10 % of one core.
Exits non-zero when a target is missed. On PostgreSQL a throwaway database
(portal_live_benchmark_<pid>) is created and dropped.
"""

import argparse
import asyncio
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDLE_SECONDS = 20
TARGET_P99 = 3.0
TARGET_IDLE_CPU = 0.10
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def configure(workdir: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_TOKEN_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_BASE_URL": "http://127.0.0.1",  # required in production
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_ROOT": str(workdir / "private"),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "EMAIL_URL": "memorymail://",
        "LOG_LEVEL": "WARNING",
        # Every page comes from this one address, standing in for a thousand
        # clients' (the per-link bound is kept: one stream per client here).
        "PORTAL_LIVE_STREAMS_PER_ADDRESS": "5000",
    }
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"portal_live_benchmark_{os.getpid()}"
        maintenance = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
        env["BENCHMARK_DROP"] = maintenance + "|" + name
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'live.sqlite3'}"
    os.environ.update(env)
    return env


def drop_database() -> None:
    target = os.environ.get("BENCHMARK_DROP")
    if not target:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    maintenance, name = target.split("|")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(pages: int) -> list[tuple[int, str]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from clients.services import client_create
    from companies.models import Company

    call_command("migrate", verbosity=0)
    now = timezone.now()
    with transaction.atomic():
        company = Company.objects.create(name="Benchmark", has_receivables_addon=True)
        clients = [
            client_create(company=company, now=now, name=f"Client {n}", locale="en")
            for n in range(pages)
        ]
    return [(client.pk, client.portal_token) for client in clients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return [pid, *(tree for child in children for tree in process_tree(int(child)))]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def thread_count(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("Threads:"):
                total += int(line.split()[1])
    return total


def database_connections() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "n/a (SQLite)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        (count,) = cursor.fetchone()
    return f"{count - 1} (besides the benchmark's own)"


def rss_megabytes(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


class Page:
    """One open portal page: an SSE stream, the revisions it has heard."""

    def __init__(self, client_id: int, token: str) -> None:
        self.client_id, self.token = client_id, token
        self.revision = -1
        self.heard: asyncio.Event = asyncio.Event()
        self.heard_at = 0.0

    async def open(self, port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /p/{self.token}/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-store\r\n\r\n".encode()
        )
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream refused: {status!r}")
        self.writer = writer
        self.task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        # Chunked transfer: chunk sizes and SSE lines interleave; only
        # "id: N" lines matter here.
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"id: "):
                self.revision = int(line[4:])
                self.heard_at = time.perf_counter()
                self.heard.set()

    async def wait_for(self, revision: int, timeout: float) -> float:
        while self.revision < revision:
            self.heard.clear()
            await asyncio.wait_for(self.heard.wait(), timeout)
        return self.heard_at


def bump(client_ids: list[int]) -> float:
    """Change the clients as a service would; returns the commit's time."""
    from django.db import transaction

    from clients.services import client_portal_revision_bump

    with transaction.atomic():
        for client_id in client_ids:
            client_portal_revision_bump(client_id=client_id)
    return time.perf_counter()


def revisions(client_ids: list[int]) -> dict[int, int]:
    from clients.models import Client

    # unscoped: the benchmark's own clients
    return dict(
        Client.objects.filter(pk__in=client_ids).values_list("pk", "portal_revision")
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, clients: list[tuple[int, str]]) -> int:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
    )
    loop = asyncio.get_running_loop()
    try:
        for _ in range(600):  # a loaded machine boots uvicorn slowly
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.2)
        # Warm up: Django loads its apps and opens its connection on first use.
        warm = Page(*clients[0])
        await warm.open(port)
        await warm.wait_for(0, 60)
        warm.task.cancel()
        warm.writer.close()
        await asyncio.sleep(2)
        pids = process_tree(server.pid)
        memory_before = rss_megabytes(pids)
        threads_before = thread_count(pids)
        pages = [Page(client_id, token) for client_id, token in clients]
        opened = time.perf_counter()
        for start in range(0, len(pages), 50):
            await asyncio.gather(
                *(page.open(port) for page in pages[start : start + 50])
            )
        await asyncio.gather(*(page.wait_for(0, 60) for page in pages))
        open_seconds = time.perf_counter() - opened
        await asyncio.sleep(2)
        pids = process_tree(server.pid)
        cpu_start, wall_start = cpu_seconds(pids), time.perf_counter()
        await asyncio.sleep(IDLE_SECONDS)
        idle_cpu = (cpu_seconds(pids) - cpu_start) / (time.perf_counter() - wall_start)
        memory_open = rss_megabytes(pids)
        threads_open = thread_count(pids)
        connections_open = await loop.run_in_executor(None, database_connections)

        ids = [client_id for client_id, _token in clients]
        all_at_once: list[float] = []
        one_at_a_time: list[float] = []
        for _round in range(args.rounds):
            current = await loop.run_in_executor(None, revisions, ids)
            committed = await loop.run_in_executor(None, bump, ids)
            try:
                heard = await asyncio.gather(
                    *(page.wait_for(current[page.client_id] + 1, 30) for page in pages)
                )
            except TimeoutError:
                late = [p for p in pages if p.revision < current[p.client_id] + 1]
                closed = sum(1 for p in late if p.task.done())
                print(
                    f"{len(late)} pages did not hear the change "
                    f"({closed} of them were closed by the server; ids "
                    f"{sorted(p.client_id for p in late)[:5]}…)",
                    file=sys.stderr,
                )
                raise
            all_at_once.extend(at - committed for at in heard)
            await asyncio.sleep(1.3)
        for page in pages[: args.singles]:
            current = await loop.run_in_executor(None, revisions, [page.client_id])
            committed = await loop.run_in_executor(None, bump, [page.client_id])
            heard_at = await page.wait_for(current[page.client_id] + 1, 30)
            one_at_a_time.append(heard_at - committed)
            await asyncio.sleep(0.37)  # land anywhere in the poll interval

        last_page = [
            max(all_at_once[i : i + len(pages)])
            for i in range(0, len(all_at_once), len(pages))
        ]
        rows = [
            ("open pages (SSE streams)", f"{len(pages)}"),
            ("server processes", f"{len(pids)} (uvicorn, {args.workers} worker(s))"),
            ("time to open them all", f"{open_seconds:.1f} s"),
            ("server memory, warm, no page open", f"{memory_before:.0f} MB"),
            ("server memory, all pages open", f"{memory_open:.0f} MB"),
            (
                "memory per open page",
                f"{(memory_open - memory_before) * 1024 / len(pages):.0f} kB",
            ),
            (
                "server threads, no page / all pages open",
                f"{threads_before} / {threads_open}",
            ),
            ("database connections, all pages open", connections_open),
            ("server CPU while idle", f"{idle_cpu * 100:.1f} % of one core"),
            (
                "change → page, all pages at once: median",
                f"{statistics.median(all_at_once):.2f} s",
            ),
            (
                "change → page, all pages at once: p99",
                f"{percentile(all_at_once, 0.99):.2f} s",
            ),
            (
                "change → last page, per round (max)",
                ", ".join(f"{value:.2f}" for value in last_page) + " s",
            ),
            (
                "change → page, one client at a time: median",
                f"{statistics.median(one_at_a_time):.2f} s",
            ),
            (
                "change → page, one client at a time: p99",
                f"{percentile(one_at_a_time, 0.99):.2f} s",
            ),
        ]
        width = max(len(name) for name, _value in rows)
        print(f"| {'measure'.ljust(width)} | value |")
        print(f"| {'-' * width} | ----- |")
        for name, value in rows:
            print(f"| {name.ljust(width)} | {value} |")
        p99 = max(percentile(all_at_once, 0.99), percentile(one_at_a_time, 0.99))
        verdicts = [
            ("p99 change → page under 3 s", p99 < TARGET_P99),
            ("idle CPU under 10 %", idle_cpu < TARGET_IDLE_CPU),
        ]
        for name, passed in verdicts:
            print(f"{'PASS' if passed else 'MISS'}: {name}")
        for page in pages:
            page.task.cancel()
            page.writer.close()
        return 0 if all(passed for _name, passed in verdicts) else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--singles", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-live-benchmark-"))
    configure(workdir)
    database = os.environ["DATABASE_URL"].split("://")[0]
    print(f"seeding {args.pages} clients ({database})…", flush=True)
    clients = seed(args.pages)
    try:
        return asyncio.run(run(args, clients))
    finally:
        drop_database()


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark: the production server under load on this machine.

    uv run python benchmarks/load.py [--seconds N] [--levels 1,4,16,64]

Starts the product as deployed (tests/production/server.py): the pages' server
(gunicorn, config.wsgi, deploy/gunicorn.conf.py) and the stream server beside
it, DEBUG off, on a throwaway PostgreSQL
database (created from DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432/portal, dropped at the end), Redis at
REDIS_URL (default redis://127.0.0.1:6379/1: that database is emptied), with
the demo's data; a task worker prints the PDFs first and is then stopped.

Beside it, a fixed reference: plain `gunicorn -w 2 config.wsgi:application`
(sync workers, gunicorn's defaults) with the same settings and data. Every
ratio is to the reference's /healthz in the same run, so that slowing the
ceiling can never meet a target.

Then, at each concurrency (1, 4, 16, 64) and for each target, it loads the
server for a few seconds over loopback with wrk when it is installed (else a
bounded Python load generator with keep-alive connections) and reports
requests/s, p50/p95/p99 latency and errors (connection errors and non-2xx
answers):

- the reference's /healthz, the ceiling (a view that touches nothing);
- the pages' server's own /healthz;
- the portal's invoice list (the demo's busiest client);
- a document page;
- a PDF download (checked against its SHA-256 on the way out);
- the portal's stylesheet (WhiteNoise, hashed name).

Targets: at c16 the list and the document page at >= 50 % of the reference's
/healthz requests/s in the same run, their p99 under 50 ms; zero errors at every step.
Prints PASS/MISS per target and exits non-zero on a miss. Bounded: about
(targets x levels x seconds) plus ~30 s of setup.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.production.server import ProductionServer, free_port  # noqa: E402

LEVELS = (1, 4, 16, 64)
CEILING = "reference /healthz"
ROUNDS = 2
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n",
    summary.requests, errors, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combine(before: "Result | None", after: "Result") -> "Result":
    """Two rounds as one: counts add up; each percentile is the worse of the two."""
    if before is None:
        return after
    return Result(
        before.requests + after.requests,
        before.errors + after.errors,
        before.seconds + after.seconds,
        max(before.p50, after.p50),
        max(before.p95, after.p95),
        max(before.p99, after.p99),
    )


def run_wrk(url: str, concurrency: int, seconds: float, script: Path) -> Result:
    threads = min(concurrency, 2)
    completed = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{max(int(seconds), 1)}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    lines = [
        line for line in completed.stdout.splitlines() if line.startswith("RESULT")
    ]
    if not lines:
        raise SystemExit(f"wrk failed on {url}: {completed.stderr or completed.stdout}")
    line = lines[0]
    requests, errors, duration_us, p50, p95, p99 = line.split()[1:]
    return Result(
        int(requests),
        int(errors),
        int(duration_us) / 1e6,
        float(p50),
        float(p95),
        float(p99),
    )


async def _python_load(
    host: str, port: int, path: str, concurrency: int, seconds: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept-Encoding: identity\r\n\r\n"
    ).encode()

    async def client() -> None:
        nonlocal errors
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                started = time.perf_counter()
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                status = int(head.split(b" ", 2)[1])
                length = int(
                    re.search(rb"(?i)content-length:\s*(\d+)", head)[1]  # type: ignore[index]
                )
                await asyncio.wait_for(reader.readexactly(length), 10)
                latencies.append((time.perf_counter() - started) * 1000)
                if not 200 <= status < 400:
                    errors += 1
                if re.search(rb"(?i)connection:\s*close", head):
                    writer.close()
                    writer = None
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                errors += 1
                writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]

    return Result(
        len(latencies), errors, elapsed, percentile(50), percentile(95), percentile(99)
    )


def run_python(url: str, concurrency: int, seconds: float) -> Result:
    parts = urllib.request.urlparse(url)
    return asyncio.run(
        _python_load(parts.hostname, parts.port, parts.path, concurrency, seconds)
    )


def find_targets(server: ProductionServer) -> dict[str, str]:
    """The paths to load, read off the demo's own pages."""

    def page(path: str) -> str:
        with urllib.request.urlopen(server.url(path), timeout=30) as response:
            return response.read().decode()

    # The demo's busiest client (Café des Arts) and one of its documents.
    portal = server.portal_urls()[0]
    listing = page(portal)
    document = re.search(r'href="(/p/[^"]+/documents/\d+/)"', listing)[1]
    detail = page(document)
    pdf = re.search(r'id="download-pdf" href="([^"]+)"', detail)[1]
    css = re.search(r'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', listing)[1]
    return {
        CEILING: "/healthz",
        "/healthz": "/healthz",
        "portal list": portal,
        "document page": document,
        "PDF download": pdf,
        "static CSS": css,
    }


def wait_for_pdf(server: ProductionServer, path: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url(path), timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the worker never printed the demo's PDFs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--levels", default=",".join(map(str, LEVELS)), help="concurrency levels"
    )
    parser.add_argument("--python", action="store_true", help="never use wrk")
    parser.add_argument(
        "--pages-worker",
        default="",
        help="the pages' gunicorn worker class (default: deploy/gunicorn.conf.py's)",
    )
    parser.add_argument(
        "--pages-processes",
        type=int,
        default=2,
        help="the pages' gunicorn worker processes (WEB_CONCURRENCY, default 2)",
    )
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"
    )
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
    parser_workers = args.pages_worker
    use_wrk = shutil.which("wrk") is not None and not args.python
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    server = ProductionServer(
        database_url,
        redis_url,
        workdir,
        relay=False,
        DATABASE_STATEMENT_TIMEOUT_SECONDS="30",
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY=str(args.pages_processes),
        **({"WEB_WORKER_CLASS": parser_workers} if parser_workers else {}),
    )
    reference: subprocess.Popen | None = None
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    print(f"Setting up (PostgreSQL {server.dbname}, Redis {redis_url}) …", flush=True)
    try:
        server.start()
        reference, reference_base = start_reference(server, workdir)
        targets = find_targets(server)
        wait_for_pdf(server, targets["PDF download"])
        server.stop_worker()
        worker = parser_workers or "deploy/gunicorn.conf.py's"
        print(
            f"pages: gunicorn -c deploy/gunicorn.conf.py config.wsgi "
            f"({args.pages_processes} {worker} workers), DEBUG off; "
            "reference: gunicorn -w 2 config.wsgi (sync); "
            f"{os.cpu_count()} cores; load from "
            f"{'wrk' if use_wrk else 'the Python generator'}, "
            f"{args.seconds:g} s per step\n",
            flush=True,
        )
        results: dict[tuple[str, int], Result] = {}

        def address(name: str, path: str) -> str:
            return (reference_base if name == CEILING else server.base) + path

        for name, path in targets.items():  # warm every page into the cache
            run_python(address(name, path), 1, 0.5)
        # Each level in ROUNDS rounds that take every target in turn, so a
        # change in the machine's load hits them alike; the rounds add up.
        share = max(args.seconds / ROUNDS, 1)
        for level in levels:
            for _ in range(ROUNDS):
                for name, path in targets.items():
                    url = address(name, path)
                    result = (
                        run_wrk(url, level, share, script)
                        if use_wrk
                        else run_python(url, level, share)
                    )
                    results[(name, level)] = combine(results.get((name, level)), result)
        return report(targets, levels, results)
    finally:
        if reference is not None:
            reference.terminate()
            reference.wait(timeout=30)
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def start_reference(
    server: ProductionServer, workdir: Path
) -> tuple[subprocess.Popen, str]:
    """Plain `gunicorn -w 2 config.wsgi:application` on the same settings and
    data: the fixed ceiling every ratio is taken against."""
    port = free_port()
    log = open(workdir / "reference.log", "w")  # noqa: SIM115 - lives with it
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=server.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "the reference server never answered:\n"
                    + (workdir / "reference.log").read_text()[-2000:]
                ) from None
            time.sleep(0.2)


def report(
    targets: dict[str, str], levels: list[int], results: dict[tuple[str, int], Result]
) -> int:
    header = (
        f"| {'target':<20} | {'c':>3} | {'req/s':>8} | {'vs ref':>10} | "
        f"{'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'errors':>6} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for level in levels:
        ceiling = results[(CEILING, level)].rps
        for name in targets:
            result = results[(name, level)]
            ratio = result.rps / ceiling if ceiling else 0.0
            print(
                f"| {name:<20} | {level:>3} | {result.rps:>8.0f} | {ratio:>9.0%} | "
                f"{result.p50:>7.1f} | {result.p95:>7.1f} | {result.p99:>7.1f} | "
                f"{result.errors:>6} |"
            )
    print()
    misses = 0
    if 16 in levels:
        ceiling = results[(CEILING, 16)].rps
        for name in ("portal list", "document page"):
            result = results[(name, 16)]
            ratio = result.rps / ceiling
            for label, ok, shown in (
                (
                    f">= {TARGET_RATIO:.0%} of the reference /healthz at c16",
                    ratio >= TARGET_RATIO,
                    f"{ratio:.0%}",
                ),
                (
                    f"p99 < {TARGET_P99_MS:g} ms at c16",
                    result.p99 < TARGET_P99_MS,
                    f"{result.p99:.1f} ms",
                ),
            ):
                misses += not ok
                print(f"{'PASS' if ok else 'MISS'}  {name}: {label} ({shown})")
    errors = sum(result.errors for result in results.values())
    misses += errors > 0
    print(f"{'PASS' if not errors else 'MISS'}  zero errors at every step ({errors})")
    medians = statistics.median(r.p50 for r in results.values())
    print(f"(median p50 over all steps: {medians:.1f} ms)")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

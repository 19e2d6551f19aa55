"""PDF benchmark: rendering speed against headless Chromium, serving against static.

    uv run python benchmarks/pdf.py [--seconds N]

Sets Django up on a throwaway SQLite database and local storage in a temporary
directory (nothing of the project's own data is touched), then measures, for a
1-page and a 60-line invoice:

1. the median WeasyPrint render time (printing.pdf, as the task runs it);
2. the same HTML printed to PDF by headless Chromium (`--print-to-pdf`, a new
   process per document, as invoicing products that shell out do), and, when
   Playwright is importable, by one warm Chromium kept open (`page.pdf()`);
3. download throughput of the already-rendered PDF through
   `version_pdf_response`, served by a real WSGI server on 127.0.0.1 (a pool of
   threads with persistent database connections, as a production web process),
   as a ratio to a trivial view serving a same-size file with FileResponse
   through the same server and middleware: once with the version loaded by the
   view (one ORM query, as real views do), once with the version in hand (the
   cost of version_pdf_response alone); and that no download re-renders.

All timings interleave the contenders, so load on the machine hits them alike.

Targets: rendering >= 2x faster than Chromium's print; serving >= 50% of
static-file throughput; no re-render on download. Runtime is bounded (well
under 3 minutes).
"""

import argparse
import hashlib
import http.client
import io
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
RENDER_RUNS = 9
CHROMIUM_RUNS = 5  # warm Chromium (Playwright) runs
TIME_BUDGET_SECONDS = 150


def configure_django(workdir: Path) -> None:
    """An embedded, throwaway setup: SQLite and local files in workdir only."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "true"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"  # persistent, as in production
    os.environ["AWS_STORAGE_BUCKET_NAME"] = ""  # local disk, whatever .env says
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def png_bytes(width: int, height: int) -> bytes:
    """A real PNG logo, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, 58, 95)) for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def make_invoices():
    """A branded company, a client, a 1-line and a 60-line finalised invoice."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from branding.models import BrandKit
    from clients.services import client_create
    from companies.models import Company
    from documents import services
    from documents.totals import LineInput

    now = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    company = Company.objects.create(
        name="Atelier Lumière",
        legal_name="Atelier Lumière SAS",
        address="12 rue de la Paix\n75002 Paris",
        vat_number="FR11123456782",
        registration_number="123456782",  # a valid SIREN: e-invoices need it
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        default_locale="en",
        has_receivables_addon=True,
    )
    kit = BrandKit.objects.create(company=company, display_name="Atelier Lumière")
    kit.logo.save("logo.png", ContentFile(png_bytes(240, 80)), save=True)
    client = client_create(
        company=company,
        name="Acme Trading",
        email="ap@acme.test",
        locale="en",
        siren="732829320",
        now=now,
    )

    def invoice(count: int):
        lines = [
            LineInput(
                f"Consulting work package {n}: analysis, design and delivery",
                Decimal("1.5"),
                Decimal("420.00"),
                Decimal("20"),
            )
            for n in range(1, count + 1)
        ]
        document = services.document_create(
            company=company,
            client=client,
            kind="invoice",
            lines=lines,
            actor=None,
            now=now,
            due_date=dt.date(2026, 4, 1),
        )
        document = services.document_finalise(document=document, actor=None, now=now)
        return document.versions.get()

    return company, {"1-page (1 line)": invoice(1), "60-line": invoice(60)}


def median_seconds(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def cpu_seconds() -> float:
    """CPU used by this process and the children it waited for (Chromium)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def interleaved_medians(actions: dict, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each action, run in turns so machine load
    hits all alike."""
    timings = {name: ([], []) for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            wall, cpu = time.perf_counter(), cpu_seconds()
            action()
            timings[name][0].append(time.perf_counter() - wall)
            timings[name][1].append(cpu_seconds() - cpu)
    return {
        name: (statistics.median(walls), statistics.median(cpus))
        for name, (walls, cpus) in timings.items()
    }


def chromium_cli(html_path: Path, workdir: Path):
    """A callable printing html_path with a new headless Chromium process."""
    profile = workdir / "chromium-profile"
    output = workdir / "chromium.pdf"

    def run() -> None:
        output.unlink(missing_ok=True)
        subprocess.run(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={output}",
                html_path.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        if not output.read_bytes().startswith(b"%PDF-"):
            raise RuntimeError("Chromium did not print a PDF")

    return run


def chromium_warm_seconds(html_paths: dict[str, Path]) -> dict[str, float] | str:
    """page.pdf() in one Chromium kept open (Playwright), if Playwright is here."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright not installed"
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            for label, path in html_paths.items():

                def run(path: Path = path) -> None:
                    page.goto(path.as_uri())
                    page.pdf(format="A4", prefer_css_page_size=True)

                run()
                results[label] = median_seconds(run, CHROMIUM_RUNS)
            browser.close()
    except Exception as exc:  # report, do not fail the benchmark
        return f"warm Chromium unavailable: {type(exc).__name__}: {exc}"[:120]
    return results


class PooledWSGIServer(WSGIServer):
    """A fixed pool of request threads, as gunicorn's gthread worker keeps.

    Each thread keeps its database connection between requests
    (DATABASE_CONN_MAX_AGE), as a production web process does.
    """

    def __init__(self, *args, threads: int = 4, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def process_request(self, request, client_address) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=True)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(urlconf_module: str):
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = urlconf_module
    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=PooledWSGIServer,
        handler_class=QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def get_once(port: int, path: str, expected_size: int) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != 200 or len(data) != expected_size:
        raise RuntimeError(f"GET {path} answered {response.status}, {len(data)} bytes")
    return data


def interleaved_throughput(
    port: int, paths: list[str], seconds: float, expected: bytes
) -> dict[str, float]:
    """Sequential GETs, in 0.5 s turns per path so load hits all alike; req/s."""
    counts = dict.fromkeys(paths, 0)
    spent = dict.fromkeys(paths, 0.0)
    while min(spent.values()) < seconds:
        for path in paths:
            started = time.perf_counter()
            deadline = started + 0.5
            while time.perf_counter() < deadline:
                data = get_once(port, path, len(expected))
                counts[path] += 1
            spent[path] += time.perf_counter() - started
            # One full comparison per turn: the same cost on every path.
            if data != expected:
                raise RuntimeError(f"GET {path} served different bytes")
    return {path: counts[path] / spent[path] for path in paths}


# The benchmark's own URLs, installed as ROOT_URLCONF for the WSGI server.
urlpatterns: list = []


def install_urls(company, static_file: Path) -> None:
    from django.contrib.auth.decorators import login_not_required
    from django.http import FileResponse
    from django.urls import path

    from documents.models import DocumentVersion
    from printing.downloads import version_pdf_response

    @login_not_required
    def version_pdf(request, version_id: int):
        version = DocumentVersion.objects.for_company(company).get(pk=version_id)
        return version_pdf_response(request=request, version=version)

    in_hand = {}

    @login_not_required
    def version_pdf_in_hand(request, version_id: int):
        # The version loaded once: what version_pdf_response alone costs.
        if version_id not in in_hand:
            in_hand[version_id] = DocumentVersion.objects.for_company(company).get(
                pk=version_id
            )
        return version_pdf_response(request=request, version=in_hand[version_id])

    @login_not_required
    def static_same_size(request):
        return FileResponse(static_file.open("rb"), content_type="application/pdf")

    urlpatterns[:] = [
        path("pdf/<int:version_id>/", version_pdf),
        path("pdf-in-hand/<int:version_id>/", version_pdf_in_hand),
        path("static-same-size/", static_same_size),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput run")
    args = parser.parse_args()
    begun = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    try:
        run(workdir, args.seconds, begun)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, seconds: float, begun: float) -> None:
    configure_django(workdir)
    from django.core.files.storage import storages

    from printing import pdf
    from printing.store import version_pdf_ensure

    company, versions = make_invoices()
    import pypdf
    import weasyprint

    print(f"WeasyPrint {weasyprint.__version__}, throwaway data in {workdir}")

    rows = []
    html_paths = {}
    for label, version in versions.items():
        html = pdf.version_pdf_html(version=version)
        html_path = workdir / f"{label.split()[0]}.html"
        html_path.write_text(html, encoding="utf-8")
        html_paths[label] = html_path
        first = pdf.version_pdf_render(version=version)  # also warms fonts
        pages = len(pypdf.PdfReader(io.BytesIO(first)).pages)
        actions = {"weasyprint": lambda v=version: pdf.version_pdf_render(version=v)}
        if Path(CHROMIUM).exists():
            actions["chromium"] = chromium_cli(html_path, workdir)
            actions["chromium"]()  # warm the profile directory and page cache
        medians = interleaved_medians(actions, RENDER_RUNS)
        rows.append((label, pages, medians["weasyprint"], medians.get("chromium")))

    warm = chromium_warm_seconds(html_paths) if Path(CHROMIUM).exists() else None

    print()
    print(
        f"Rendering: median of {RENDER_RUNS} interleaved runs. Chromium CLI = a new "
        "headless process per PDF;\nCPU = user+sys of all processes involved; "
        "Chromium warm = page.pdf() in one open browser."
    )
    header = (
        f"{'document':<16}{'pages':>6}{'WeasyPrint':>12}{'Chromium CLI':>14}"
        f"{'ratio':>7}{'CPU Weasy':>11}{'CPU Chr.':>10}{'ratio':>7}"
    )
    if isinstance(warm, dict):
        header += f"{'Chr. warm':>11}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    render_ok = True
    for label, pages, (weasy, weasy_cpu), chromium in rows:
        line = f"{label:<16}{pages:>6}{weasy * 1000:>9.0f} ms"
        if chromium is None:
            line += f"{'skipped':>14}{'':>7}{weasy_cpu * 1000:>8.0f} ms"
        else:
            chromium_wall, chromium_cpu = chromium
            ratio = chromium_wall / weasy
            render_ok &= ratio >= 2
            line += (
                f"{chromium_wall * 1000:>11.0f} ms{ratio:>6.1f}x"
                f"{weasy_cpu * 1000:>8.0f} ms{chromium_cpu * 1000:>7.0f} ms"
                f"{chromium_cpu / weasy_cpu:>6.1f}x"
            )
        if isinstance(warm, dict):
            line += f"{warm[label] * 1000:>8.0f} ms{warm[label] / weasy:>6.1f}x"
        print(line)
    if not Path(CHROMIUM).exists():
        print(f"Chromium columns skipped: {CHROMIUM} not found.")
    elif not isinstance(warm, dict):
        print(f"Warm Chromium column skipped: {warm}")
    print("ratio = Chromium / WeasyPrint (above 1: WeasyPrint is faster)")

    # Serving: the 60-line invoice's PDF, rendered once, then downloaded.
    version = version_pdf_ensure(version=versions["60-line"])
    with storages["documents"].open(version.pdf_file.name, "rb") as stored:
        pdf_bytes = stored.read()
    assert hashlib.sha256(pdf_bytes).hexdigest() == version.pdf_sha256
    static_file = workdir / "static-same-size.pdf"
    static_file.write_bytes(pdf_bytes)
    install_urls(company, static_file)
    server = serve(__name__)
    port = server.server_address[1]
    remaining = TIME_BUDGET_SECONDS - (time.perf_counter() - begun)
    seconds = max(1.0, min(seconds, (remaining - 5) / 3))
    paths = {
        "view: load version + version_pdf_response": f"/pdf/{version.pk}/",
        "view: version_pdf_response (version in hand)": f"/pdf-in-hand/{version.pk}/",
        "view: FileResponse of same-size static file": "/static-same-size/",
    }
    renders = []
    real_html_to_pdf = pdf.html_to_pdf

    def counting_html_to_pdf(*args, **kwargs):  # a spy: no render should happen
        renders.append(1)
        return real_html_to_pdf(*args, **kwargs)

    pdf.html_to_pdf = counting_html_to_pdf
    try:
        interleaved_throughput(port, list(paths.values()), 0.5, pdf_bytes)  # warm up
        rps = interleaved_throughput(port, list(paths.values()), seconds, pdf_bytes)
        renders_during_downloads = len(renders)
    finally:
        pdf.html_to_pdf = real_html_to_pdf
        server.shutdown()
        server.server_close()

    static_rps = rps["/static-same-size/"]
    share = rps[f"/pdf/{version.pk}/"] / static_rps
    mechanism_share = rps[f"/pdf-in-hand/{version.pk}/"] / static_rps
    print()
    print(
        f"Serving a rendered {len(pdf_bytes) / 1024:.0f} KiB PDF from local disk "
        f"(WSGI server, 4 pooled threads, persistent DB connections, 127.0.0.1; "
        f"sequential GETs, {seconds:.0f} s each, interleaved)"
    )
    print(f"{'path':<46}{'req/s':>8}{'MiB/s':>8}{'vs static':>11}")
    print("-" * 73)
    for label, path in paths.items():
        print(
            f"{label:<46}{rps[path]:>8.0f}{rps[path] * len(pdf_bytes) / 2**20:>8.1f}"
            f"{rps[path] / static_rps:>10.0%}"
        )
    print(
        f"Renders during {sum(1 for _ in paths)} x {seconds:.0f} s of downloads: "
        f"{renders_during_downloads}"
    )

    print()
    print("Targets")
    chromium_known = all(row[3] is not None for row in rows)
    verdicts = [
        (
            "render >= 2x faster than Chromium print",
            ("PASS" if render_ok else "MISS") if chromium_known else "SKIPPED",
        ),
        (
            "serving via version_pdf_response >= 50% of static throughput",
            "PASS" if mechanism_share >= 0.5 else "MISS",
        ),
        (
            "... and with the view's one-query version lookup too",
            "PASS" if share >= 0.5 else "MISS",
        ),
        (
            "no re-render on download",
            "PASS" if renders_during_downloads == 0 else "MISS",
        ),
    ]
    for target, verdict in verdicts:
        print(f"  {verdict:<8}{target}")
    print(f"\nTotal time {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()

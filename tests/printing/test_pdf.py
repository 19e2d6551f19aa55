"""Rendering a version to PDF, read back with real PDF readers."""

import datetime as dt
import hashlib
import http.server
import io
import re
import shutil
import struct
import subprocess
import threading
import zlib
from decimal import Decimal

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from branding.colours import DEFAULT_ACCENT, DEFAULT_PRIMARY, ink_on_paper
from branding.selectors import brand_for_company
from companies.money import format_day, format_money
from documents import services
from documents.models import DocumentVersion
from printing import engine as pdf_engine
from printing import pdf
from printing.store import attach_once, version_pdf_ensure, version_pdf_path
from tests.factories import (
    NOW,
    BrandKitFactory,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    line,
)

pytestmark = pytest.mark.django_db

LINES_V2 = [
    line("Design & build of the <portal>", "3", "450.00"),
    line("Hosting, 12 months", "12", "25.50", "10"),
    line("Training session", "2", "300.00", "5.5"),
]


def png_bytes(width: int = 24, height: int = 12, rgb: bytes = b"\x1f\x3a\x5f") -> bytes:
    """A real PNG image, written by hand (no imaging library in the tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def branded_company(**kwargs):
    company = CompanyFactory(**kwargs)
    kit = BrandKitFactory(company=company, display_name="Atelier Lumière")
    kit.logo.save("logo.png", ContentFile(png_bytes()), save=True)
    return company


def invoice_with_three_versions(client=None):
    """An invoice whose version 2 (its client's order reference added after
    issue) is the one under test, with a version 3 after it (new notes)."""
    client = client or ClientFactory(company=branded_company(), name="Acme Trading")
    document = DocumentFactory(
        client=client,
        lines=LINES_V2,
        notes="Thank you for your business.",
        finalised=True,
    )
    services.document_update(
        document=document, lines=LINES_V2, actor=None, now=NOW, purchase_order="PO-7"
    )
    services.document_update(
        document=document, lines=LINES_V2, actor=None, now=NOW, notes="Final scope"
    )
    document.refresh_from_db()
    version = DocumentVersion.objects.for_company(document.company).get(
        document=document, number=2
    )
    return document, version


def stored_bytes(version: DocumentVersion) -> bytes:
    with storages["documents"].open(version.pdf_file.name, "rb") as stored:
        return stored.read()


def pypdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def poppler_pages(data: bytes) -> list[str] | None:
    if not shutil.which("pdftotext"):
        return None
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]


def normalised(text: str) -> str:
    """Whitespace as one space: readers differ on narrow no-break spaces and breaks."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def readers(data: bytes) -> list[tuple[str, list[str]]]:
    found = [("pypdf", pypdf_pages(data))]
    poppler = poppler_pages(data)
    if poppler is not None:
        found.append(("pdftotext", poppler))
    return found


def image_xobjects(data: bytes) -> list[tuple[int, int]]:
    """(width, height) of every image XObject, including ones inside forms."""
    found = []

    def walk(resources) -> None:
        xobjects = resources.get("/XObject") if resources else None
        if not xobjects:
            return
        for ref in xobjects.get_object().values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append((int(xobject["/Width"]), int(xobject["/Height"])))
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        walk(page.get("/Resources"))
    return found


def test_invoice_version_pdf_reads_back_with_everything_the_client_needs():
    document, version = invoice_with_three_versions()

    version = version_pdf_ensure(version=version)

    data = stored_bytes(version)
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    money = {
        key: format_money(Decimal(value), "EUR", "en")
        for key, value in version.content["totals"].items()
    }
    assert money == {"excl_tax": "€2,256.00", "tax": "€333.60", "total": "€2,589.60"}
    expected = [
        "INV-2026-0001",
        "Acme Trading",
        "Atelier Lumière",
        "Company",  # the legal name, "Company N SAS"
        "FR11123456782",
        "123456782",
        "Design & build of the <portal>",
        "Hosting, 12 months",
        "Training session",
        *money.values(),
        "FR7630006000011234567890189",
        "AGRIFRPP",
        f"Version 2 · issued {format_day(NOW.date(), 'en')}",
        "Due date",
        format_day(dt.date(2026, 4, 1), "en"),
        "Please quote RF16 INV2 0260 001 with your payment.",
        "Thank you for your business.",
        "Page 1 of 1",
    ]
    for reader, pages in readers(data):
        text = normalised(" ".join(pages))
        missing = [item for item in expected if normalised(item) not in text]
        assert missing == [], reader
        assert "Discovery workshop" not in text  # version 1's line
        assert "Final scope" not in text  # version 3's line
        assert " of 3" not in text  # nothing about versions written later


def test_logo_is_embedded_as_an_image():
    _, version = invoice_with_three_versions()

    data = pdf.version_pdf_render(version=version)

    assert image_xobjects(data) == [(24, 12)]


def test_without_brand_kit_the_company_name_and_default_colours_are_used():
    company = CompanyFactory(name="Plain Company")
    document = DocumentFactory(client=ClientFactory(company=company), finalised=True)
    version = document.versions.get()

    html = pdf.version_pdf_html(version=version)
    data = pdf.version_pdf_render(version=version)

    assert f"--brand-primary: {DEFAULT_PRIMARY};" in html
    assert f"--brand-accent: {DEFAULT_ACCENT};" in html
    assert image_xobjects(data) == []
    assert "Plain Company" in pypdf_pages(data)[0]


def test_brand_colours_reach_the_stylesheet():
    company = CompanyFactory()
    BrandKitFactory(company=company, primary_colour="#123456", accent_colour="#ABCDEF")
    document = DocumentFactory(client=ClientFactory(company=company), finalised=True)

    html = pdf.version_pdf_html(version=document.versions.get())

    assert "--brand-primary: #123456; --brand-on-primary: #FFFFFF;" in html
    assert "--brand-accent: #ABCDEF; --brand-on-accent: #111111;" in html


def test_light_primary_colour_gets_dark_header_text_and_readable_headings():
    company = CompanyFactory()
    BrandKitFactory(company=company, primary_colour="#FFE066", accent_colour="#FFF3B0")
    document = DocumentFactory(client=ClientFactory(company=company), finalised=True)

    html = pdf.version_pdf_html(version=document.versions.get())

    # The portal's palette: the same derived text colour on the primary surface.
    palette = brand_for_company(company=company).palette
    assert (palette.primary.background, palette.primary.text) == ("#FFE066", "#111111")
    assert "--brand-primary: #FFE066; --brand-on-primary: #111111;" in html
    # The lines' header row is painted with it, never with white.
    css = pdf_engine.STYLESHEET.read_text()
    header_rule = re.search(r"table\.doc__lines th \{([^}]*)\}", css).group(1)
    assert "color: var(--brand-on-primary);" in header_rule
    assert "#fff" not in css.lower()
    # Headings on white paper get a darker shade of each colour.
    assert f"--brand-primary-ink: {ink_on_paper('#FFE066')};" in html
    assert f"--brand-accent-ink: {ink_on_paper('#FFF3B0')};" in html


def test_portal_page_and_pdf_print_the_same_partial(client):
    document, version = invoice_with_three_versions()
    portal = document.client
    page = client.get(
        reverse(
            "portal:document_version",
            kwargs={
                "token": portal.portal_token,
                "document_id": document.pk,
                "number": version.number,
            },
        )
    ).content.decode()

    html = pdf.version_pdf_html(version=version)

    def body(source: str) -> str:
        """The partial's output: from its root element to its payment section."""
        start = source.index('<div class="doc" data-document-kind="invoice"')
        return source[start : source.index("</section>", source.index("doc__payment"))]

    assert 'data-document-number="INV-2026-0001"' in body(html)
    assert body(page) == body(html)  # same markup, same language, same formatting
    for marker in ('id="doc-seller"', '<table class="doc__lines">', "doc__iban"):
        assert marker in body(html)


def test_sixty_line_invoice_flows_across_pages_repeating_the_table_header():
    lines = [line(f"Item number {n:02d}", "1", "10.00") for n in range(1, 61)]
    document = DocumentFactory(lines=lines, finalised=True)
    version = document.versions.get()

    data = pdf.version_pdf_render(version=version)

    for reader, pages in readers(data):
        assert len(pages) >= 2, reader
        count = len(pages)
        header = ["Description", "Quantity", "Unit price", "Total excl. VAT"]
        for number, page in enumerate(pages, start=1):
            text = normalised(page)
            if number < count:  # the last page may hold only the totals
                assert all(label in text for label in header), (reader, number)
            assert "Version 1 · issued" in text, (reader, number)
            assert f"Page {number} of {count}" in text, (reader, number)
        everything = normalised(" ".join(pages))
        assert all(f"Item number {n:02d}" in everything for n in range(1, 61))
        assert format_money(Decimal("720.00"), "EUR", "en") in everything


def test_quote_pdf_has_validity_date_and_signature_block_and_no_bank_details():
    document = DocumentFactory(kind="quote", finalised=True)

    data = pdf.version_pdf_render(version=document.versions.get())

    text = normalised(" ".join(pypdf_pages(data)))
    assert "Quote" in text and document.number in text
    assert f"Valid until {format_day(dt.date(2026, 4, 1), 'en')}" in text
    assert "Signature" in text and "Accepted for and on behalf of" in text
    assert "IBAN" not in text and "FR7630006000011234567890189" not in text


def test_amounts_and_dates_follow_the_clients_locale():
    client = ClientFactory(locale="fr")
    document = DocumentFactory(
        client=client, lines=[line("Conseil", "2", "1234.50")], finalised=True
    )

    data = pdf.version_pdf_render(version=document.versions.get())

    text = normalised(" ".join(pypdf_pages(data)))
    assert normalised(format_money(Decimal("2962.80"), "EUR", "fr")) in text
    assert normalised(format_day(dt.date(2026, 4, 1), "fr")) in text


def test_ensure_stores_once_at_a_deterministic_private_path(pdf_renders):
    document, version = invoice_with_three_versions()
    before = pdf_renders.count

    first = version_pdf_ensure(version=version)
    second = version_pdf_ensure(
        version=DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
    )

    assert pdf_renders.count - before == 1
    assert (
        first.pdf_file.name
        == second.pdf_file.name
        == (
            f"documents/{document.company_id}/{document.pk}/v2-{first.pdf_sha256[:16]}.pdf"
        )
    )
    assert second.pdf_sha256 == hashlib.sha256(stored_bytes(second)).hexdigest()


def test_a_writer_that_loses_the_race_keeps_the_winners_pdf_and_removes_its_own():
    document, version = invoice_with_three_versions()
    # Read before the winner attached its PDF: what a racer without row locks holds.
    stale = DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
    winner = version_pdf_ensure(version=version)
    storage = storages["documents"]

    kept = attach_once(
        stale,
        file_field="pdf_file",
        sha_field="pdf_sha256",
        data=b"%PDF-1.7 another rendering",
        path=lambda sha256: version_pdf_path(version=stale, sha256=sha256),
    )

    assert (kept.pdf_file.name, kept.pdf_sha256) == (
        winner.pdf_file.name,
        winner.pdf_sha256,
    )
    assert stale.pdf_file.name != winner.pdf_file.name
    assert not storage.exists(stale.pdf_file.name)
    assert storage.exists(winner.pdf_file.name)


def test_ensure_never_overwrites_a_file_already_at_the_path():
    _, version = invoice_with_three_versions()
    expected = pdf.version_pdf_render(version=version)  # rendering is deterministic
    path = version_pdf_path(
        version=version, sha256=hashlib.sha256(expected).hexdigest()
    )
    storage = storages["documents"]
    storage.save(path, ContentFile(b"something else"))

    version = version_pdf_ensure(version=version)

    assert version.pdf_file.name != path
    assert stored_bytes(version) == expected
    with storage.open(path, "rb") as untouched:
        assert untouched.read() == b"something else"


def test_new_version_renders_its_pdf_on_commit(
    django_capture_on_commit_callbacks, pdf_renders
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(finalised=True)

    version = document.versions.get()
    assert pdf_renders.count == 1
    assert version.pdf_sha256 == hashlib.sha256(stored_bytes(version)).hexdigest()


def test_nothing_renders_before_commit(django_capture_on_commit_callbacks, pdf_renders):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = DocumentFactory(finalised=True)

    assert (len(callbacks), pdf_renders.count) == (1, 0)
    assert document.versions.get().pdf_sha256 == ""


# --- Nothing a user typed, nor a stray URL in the markup, is fetched ----------


class CountingServer:
    """A real HTTP server on loopback that counts the requests it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                outer.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(png_bytes())

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "CountingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_server():
    with CountingServer() as server:
        yield server


def test_counting_server_does_count(counting_server):
    """The trap below is live: a plain fetch is seen."""
    import urllib.request

    with urllib.request.urlopen(f"{counting_server.url}/probe", timeout=5) as reply:
        reply.read()

    assert counting_server.requests == ["/probe"]


def test_urls_typed_into_document_content_are_not_fetched(counting_server):
    url = counting_server.url
    client = ClientFactory(name=f'<img src="{url}/client-name">')
    document = DocumentFactory(
        client=client,
        lines=[
            line(f'<img src="{url}/line">'),
            line(f"<link rel=stylesheet href='{url}/css'> file:///etc/passwd"),
        ],
        notes=(
            '<img src="file:///etc/passwd"> '
            f'<style>@import url("{url}/import");</style>'
            f'<a rel="attachment" href="file:///etc/passwd">x</a> {url}/notes'
        ),
        finalised=True,
    )

    data = pdf.version_pdf_render(version=document.versions.get())

    assert counting_server.requests == []
    text = normalised(" ".join(pypdf_pages(data)))
    assert f'<img src="{url}/line">' in text  # printed as the text it is
    assert "root:" not in text
    # The invoice's own Factur-X XML, and nothing the content named.
    assert list(pypdf.PdfReader(io.BytesIO(data)).attachments) == ["factur-x.xml"]


def test_urls_in_the_markup_itself_are_refused_by_the_fetcher(counting_server):
    """Even if a template ever carried a URL, rendering would not fetch it."""
    url = counting_server.url
    html = f"""<html><head>
      <link rel="stylesheet" href="{url}/style.css">
      <style>@import url("{url}/import.css");
             body {{ background: url("{url}/background.png"); }}
             @font-face {{ font-family: X; src: url("{url}/font.woff"); }}</style>
    </head><body style="font-family: X">
      <img src="{url}/image.png"> <img src="http://localhost:9/x.png">
      <img src="file:///etc/passwd"> <object data="file:///etc/passwd"></object>
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
      <link rel="attachment" href="{url}/attachment.txt">
      <p>Body text</p>
    </body></html>"""

    data = pdf_engine.html_to_pdf(html)

    assert counting_server.requests == []
    assert pypdf.PdfReader(io.BytesIO(data)).attachments == {}
    assert image_xobjects(data) == []
    assert "Body text" in pypdf_pages(data)[0]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://otherhost/static/pdf/document.css",
        f"{pdf_engine.PDF_STATIC_DIR.as_uri()}/../../config/settings.py",
        f"{pdf_engine.PDF_STATIC_DIR.as_uri()}/%2e%2e/%2e%2e/config/settings.py",
        "ftp://127.0.0.1/x",
        "https://example.com/logo.png",
    ],
)
def test_fetcher_refuses_anything_but_our_static_files_and_data(url):
    with pytest.raises(pdf_engine.FetchRefused):
        pdf_engine.PrivateURLFetcher()(url)


def test_fetcher_refuses_loopback_http_without_connecting(counting_server):
    with pytest.raises(pdf_engine.FetchRefused):
        pdf_engine.PrivateURLFetcher()(f"{counting_server.url}/x")

    assert counting_server.requests == []


def test_fetcher_serves_our_stylesheet_and_data_uris():
    fetcher = pdf_engine.PrivateURLFetcher()

    stylesheet = fetcher(pdf_engine.STYLESHEET.as_uri())
    inline = fetcher("data:text/plain;base64,aGVsbG8=")

    assert stylesheet.read() == pdf_engine.STYLESHEET.read_bytes()
    assert stylesheet.content_type == "text/css"
    assert inline.read() == b"hello"


def test_weasyprint_leaves_pillow_strict_about_truncated_images():
    """Its import flips a process-wide Pillow switch the logo checks rely on."""
    document = DocumentFactory(finalised=True)

    pdf.version_pdf_render(version=document.versions.get())

    assert pdf_engine.weasyprint_images.ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_garbage_collection_resumes_after_rendering_even_on_error():
    import gc

    with pytest.raises(Exception):  # noqa: B017 - any rendering failure
        pdf_engine.html_to_pdf(None)

    assert gc.isenabled()
    pdf_engine.html_to_pdf("<p>ok</p>")
    assert gc.isenabled()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_every_word_stays_inside_the_page_margins():
    _, version = invoice_with_three_versions()

    data = stored_bytes(version_pdf_ensure(version=version))

    layout = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    page_width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    right_edges = [float(x) for x in re.findall(r'<word [^>]*xMax="([\d.]+)"', layout)]
    ten_millimetres = 28.3
    assert right_edges and max(right_edges) <= page_width - ten_millimetres


def test_screen_only_labels_are_dropped_before_printing():
    _, version = invoice_with_three_versions()
    html = pdf.version_pdf_html(version=version)

    printed = pdf_engine._for_print(html)

    assert 'data-label="' in html
    assert 'data-label="' not in printed
    assert "Design &amp; build of the &lt;portal&gt;" in printed


@pytest.mark.parametrize("kind", ["invoice", "quote"])
def test_the_trimmed_user_agent_stylesheet_prints_the_same_bytes(kind, monkeypatch):
    """The engine leaves out of WeasyPrint's user-agent stylesheet only what
    our PDFs never match: with the whole stylesheet, the same bytes."""
    lines = [line(f"Item number {n:02d}", "1", "10.00") for n in range(1, 31)]
    company = branded_company()
    document = DocumentFactory(
        client=ClientFactory(company=company), lines=lines, finalised=True
    )
    if kind != "invoice":
        document = DocumentFactory(
            client=document.client, kind=kind, lines=lines, finalised=True
        )
    version = document.versions.get()

    trimmed = pdf.version_pdf_render(version=version)
    monkeypatch.setattr(pdf_engine, "_PrintHTML", pdf_engine.HTML)
    whole = pdf.version_pdf_render(version=version)

    assert trimmed == whole
    assert len(pypdf.PdfReader(io.BytesIO(trimmed)).pages) >= 2


def test_the_trimmed_user_agent_stylesheet_keeps_every_rule_we_may_match():
    from weasyprint import html as weasyprint_html

    trimmed = pdf_engine.print_user_agent_css(weasyprint_html.UA)

    assert "address, article, aside, blockquote, body," in trimmed  # display: block
    assert "td, th { display: table-cell }" in trimmed
    assert "h1 { font-size: 2em; font-weight: bold }" in trimmed
    assert "@page {" in trimmed and "@bottom-right" in trimmed
    for never in ("[dir", "input", "textarea", "::footnote", "[hidden]"):
        assert never not in trimmed

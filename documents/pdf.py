"""A document version printed to PDF: the only module that imports WeasyPrint.

The PDF is built from the version's frozen content and the company's brand
(the same validated palette the portal paints with), with the labels in the
client's language. Its page frame (masthead, running header, page numbers,
legal footer, a quote's signature block) is its own; the document inside is
``documents/_document_body.html``, the partial the portal page shows.

Nothing is fetched from the network while rendering: the URL fetcher serves our
own PDF stylesheet and ``data:`` URIs (the logo is embedded as one) and refuses
everything else, so nothing a user typed can make the server open a URL.
"""

import base64
import datetime as dt
import gc
import hashlib
import logging
import mimetypes
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML, Attachment
from weasyprint import images as weasyprint_images
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from branding.colours import colour_normalise, ink_on_paper
from branding.selectors import Brand, brand_for_company, brand_logo_png
from companies.money import format_day, format_moment, format_money
from documents import facturx
from documents.models import DocumentVersion, QuoteSignature

logger = logging.getLogger(__name__)

# Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES,
# which would let branding's logo checks accept truncated uploads in any
# process that imports this module. Our logos are validated and re-encoded
# before they reach a PDF, so the strict default is put back.
weasyprint_images.ImageFile.LOAD_TRUNCATED_IMAGES = False

# The only files a PDF may load from disk: static/pdf/ (its stylesheet).
PDF_STATIC_DIR = (Path(settings.BASE_DIR) / "static" / "pdf").resolve()
STYLESHEET = PDF_STATIC_DIR / "document.css"

_render_lock = threading.Lock()
_renders_in_progress = 0
_gc_was_enabled = True
_thread_state = threading.local()


class FetchRefused(ValueError):
    """The PDF asked for a URL outside our own static files."""


class RenderTimeout(TimeoutError):
    """Printing a PDF took longer than PDF_RENDER_TIME_LIMIT_SECONDS."""


class PrivateURLFetcher(URLFetcher):
    """Serve ``data:`` URIs and files under ``static/pdf/``; refuse anything else.

    No HTTP(S), FTP or other scheme reaches the network, whatever the host
    (loopback included), and ``file://`` is limited to one directory after
    symlinks and ``..`` are resolved.
    """

    def __init__(self, allowed_roots: tuple[Path, ...] = (PDF_STATIC_DIR,)) -> None:
        super().__init__(
            timeout=1, allowed_protocols=("data", "file"), allow_redirects=False
        )
        self.allowed_roots = tuple(root.resolve() for root in allowed_roots)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            # Decoded in memory by urllib's DataHandler: no I/O at all.
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._allowed_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0]
                return URLFetcherResponse(
                    url,
                    body=path.read_bytes(),
                    headers={
                        "Content-Type": content_type or "application/octet-stream"
                    },
                )
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise FetchRefused(f"Refused to fetch {url[:200]!r} while rendering a PDF.")

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_file():
            return None
        if any(path.is_relative_to(root) for root in self.allowed_roots):
            return path
        return None


def _font_config() -> FontConfiguration:
    # Building a FontConfiguration reads the fontconfig set; one per thread is
    # reused for every render in that thread (Pango objects are not shared
    # across threads).
    config = getattr(_thread_state, "font_config", None)
    if config is None:
        config = _thread_state.font_config = FontConfiguration()
    return config


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """No cyclic GC while laying out, until the last concurrent render ends."""
    # Still pays (measured): 60-line invoice 491 -> 377 ms, 1 line 150 -> 133 ms.
    global _renders_in_progress, _gc_was_enabled
    with _render_lock:
        if _renders_in_progress == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _renders_in_progress += 1
    try:
        yield
    finally:
        with _render_lock:
            _renders_in_progress -= 1
            if _renders_in_progress == 0 and _gc_was_enabled:
                gc.enable()


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the render with RenderTimeout after `seconds` of wall time.

    A timer signal interrupts the layout wherever it is, so it works in a
    process's main thread: where the task worker (`db_worker`) runs tasks.
    Elsewhere (a test's thread) the render simply runs to its end.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderTimeout(f"The PDF took more than {seconds} s to print.")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stylesheet() -> CSS:
    # Parsed once per thread, like the font configuration it is bound to:
    # parsing it again for every PDF was a tenth of a render.
    stylesheet = getattr(_thread_state, "stylesheet", None)
    if stylesheet is None:
        stylesheet = _thread_state.stylesheet = CSS(
            filename=str(STYLESHEET),
            url_fetcher=PrivateURLFetcher(),
            font_config=_font_config(),
        )
    return stylesheet


# Screen-only markup of the shared partial: the labels each table cell repeats
# for the portal's phone layout, and the templates' indentation. Dropping them
# before parsing leaves the printed page as it was and halves the HTML to parse.
SCREEN_ONLY_LABELS = re.compile(r' data-label="[^"]*"')
INDENTATION = re.compile(r">\s+<")


def _for_print(html: str) -> str:
    return INDENTATION.sub("> <", SCREEN_ONLY_LABELS.sub("", html))


# Every version's PDF is PDF/A-3b: archivable, fonts embedded, an sRGB output
# intent, and able to carry its Factur-X XML.
PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    relationship: str  # PDF/A-3 AFRelationship: Data, Source, Alternative…
    modified_at: dt.datetime  # from the version, never the clock: same bytes


def _pdfa_finisher(descriptions: bytes) -> Callable:
    """Put `descriptions` inside WeasyPrint's own rdf:RDF (one RDF element, as
    XMP readers and PDF/A validators expect), and list each associated file
    once in the catalog's /AF (WeasyPrint lists an attachment twice)."""

    def finish(document: Any, pdf: Any) -> None:
        if descriptions:
            reference = pdf.catalog["Metadata"]
            stream = pdf.objects[int(reference.split()[0])]
            packet = b"".join(stream.stream)
            stream.stream = [
                packet.replace(b"</rdf:RDF>", descriptions + b"</rdf:RDF>", 1)
            ]
        associated = pdf.catalog.get("AF")
        if associated:
            unique = list(dict.fromkeys(associated))
            associated.clear()
            associated.extend(unique)

    return finish


def html_to_pdf(
    html: str,
    *,
    embedded_files: Sequence[EmbeddedFile] = (),
    xmp_descriptions: bytes = b"",
    identifier: bytes | None = None,
    time_limit: float = 0,
) -> bytes:
    """Print HTML to a PDF/A-3b with the private URL fetcher and system fonts,
    carrying `embedded_files` and the extra XMP `rdf:Description`s.

    The same HTML gives the same bytes: WeasyPrint writes no date of its own
    (they come from the HTML's dcterms metadata) and the file identifier is
    `identifier` (PDF/A wants one; without it, one made from the bytes).

    :raises RenderTimeout: longer than `time_limit` seconds (0: no limit).
    """
    attachments = [
        Attachment(
            string=file.data,
            name=file.name,
            description=file.description,
            relationship=file.relationship,
            created=file.modified_at,
            modified=file.modified_at,
        )
        for file in embedded_files
    ]
    options: dict[str, Any] = {}
    if identifier is not None:
        options["pdf_identifier"] = identifier
    with _time_limit(time_limit), _garbage_collector_paused():
        document = HTML(
            string=_for_print(html),
            base_url=PDF_STATIC_DIR.as_uri() + "/",
            url_fetcher=PrivateURLFetcher(),
        )
        return document.write_pdf(
            stylesheets=[_stylesheet()],
            font_config=_font_config(),
            pdf_variant=PDF_VARIANT,
            attachments=attachments,
            finisher=_pdfa_finisher(xmp_descriptions),
            **options,
        )


def version_pdf_render(*, version: DocumentVersion) -> bytes:
    """The version's PDF, printed now (no storage, no database writes): for an
    invoice or a credit note, a Factur-X EN 16931 PDF/A-3 with its XML.

    Reproducible: rendering the same version again gives the same bytes (the
    dates are the version's, the file identifier is derived from it), which
    is how `manage.py pdf_repair` checks a re-rendered file against the stored
    SHA-256. Stopped after PDF_RENDER_TIME_LIMIT_SECONDS.

    :raises facturx.FacturXError: an e-invoice whose XML cannot be valid.
    :raises RenderTimeout: the render ran out of time.
    """
    html = version_pdf_html(version=version)
    identifier = hashlib.sha256(
        f"{version.pk}:{version.document_id}:{version.number}".encode()
    ).hexdigest()[:32]
    time_limit = settings.PDF_RENDER_TIME_LIMIT_SECONDS
    if not facturx.applies_to(version.content):
        return html_to_pdf(
            html, identifier=identifier.encode("ascii"), time_limit=time_limit
        )
    with translation.override(version.document.client.locale):
        xml = facturx.invoice_xml(version.content)
    factur_x = EmbeddedFile(
        name=facturx.FILENAME,
        data=xml,
        description="Factur-X invoice (EN 16931)",
        relationship="Data",
        modified_at=version.created_at.astimezone(dt.UTC),
    )
    return html_to_pdf(
        html,
        embedded_files=[factur_x],
        xmp_descriptions=facturx.xmp_descriptions(),
        identifier=identifier.encode("ascii"),
        time_limit=time_limit,
    )


def version_pdf_html(*, version: DocumentVersion) -> str:
    """The HTML the version's PDF is printed from, in the client's language."""
    document = version.document
    company, client = document.company, document.client
    brand = brand_for_company(company=company)
    with translation.override(client.locale):
        context = _context(version=version, brand=brand, locale=client.locale)
        return render_to_string(
            f"documents/pdf/{version.content['kind']}.html", context
        )


def _context(*, version: DocumentVersion, brand: Brand, locale: str) -> dict:
    content = version.content
    seller = content["seller"]
    # Printed once and kept: it names this version and its date, never how
    # many versions there are (a later one would make that wrong).
    version_label = _("Version %(number)s · issued %(date)s") % {
        "number": version.number,
        "date": format_day(timezone.localdate(version.created_at), locale),
    }
    if content["kind"] == "invoice":
        title = _("Invoice %(number)s") % {"number": content["number"] or ""}
    elif content["kind"] == "credit_note":
        title = _("Credit note %(number)s") % {"number": content["number"] or ""}
    else:
        title = _("Quote %(number)s") % {"number": content["number"] or ""}
    legal_bits = [
        seller.get("legal_name") or seller.get("name"),
        seller.get("vat_number")
        and _("VAT %(number)s") % {"number": seller["vat_number"]},
        seller.get("registration_number")
        and _("Reg. %(number)s") % {"number": seller["registration_number"]},
    ]
    return {
        "language": translation.get_language(),
        # The PDF's creation and modification dates: the version's own.
        "created_iso": version.created_at.astimezone(dt.UTC).isoformat(),
        "title": title.strip(),
        "content": content,  # what documents/_document_body.html prints
        "page_counter_css": _page_counter_css(),
        "brand": brand,
        "brand_css": _brand_css(brand),
        "brand_logo_data_uri": _logo_data_uri(brand),
        "version_label": version_label,
        "legal_line_css": _css_content(" · ".join(bit for bit in legal_bits if bit)),
    }


def _brand_css(brand: Brand) -> str:
    """The portal's custom properties (`--brand-primary`, `--brand-on-primary`,
    …), plus each colour as heading ink on white paper; every value is a
    `#RRGGBB` rebuilt from numbers, so nothing can leave the ``:root`` rule."""
    palette = brand.palette
    inks = {
        "--brand-primary-ink": ink_on_paper(palette.primary.background),
        "--brand-accent-ink": ink_on_paper(palette.accent.background),
    }
    return " ".join(
        [palette.css_declarations()]
        + [f"{name}: {colour_normalise(value)};" for name, value in inks.items()]
    )


def _logo_data_uri(brand: Brand) -> str | None:
    """The brand's logo as a data: URI, the one way an image reaches a PDF."""
    logo = brand_logo_png(brand=brand)
    if logo is None:
        return None
    return f"data:image/png;base64,{base64.b64encode(logo).decode('ascii')}"


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes, brackets and newlines escaped.

    Nothing can end the string or the <style> element it is written into.
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or not char.isprintable() else char
        for char in text
    )
    return f'"{escaped}"'


def _css_content(text: str) -> SafeString:
    """Text as a margin box's content, safe to put in <style>."""
    return mark_safe(_css_string(text))  # noqa: S308 - escaped by _css_string


def _page_counter_css() -> SafeString:
    """ "Page 1 of 2" as a margin box's content, from the translated label.

    Safe to put in <style>: every piece of text went through _css_string.
    """
    label = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", label)
    tokens = []
    for part in parts:
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(_css_string(part))
    return mark_safe(" ".join(tokens))  # noqa: S308 - escaped above


def signature_certificate_render(*, signature: QuoteSignature) -> bytes:
    """The certificate page appended to a signed quote's PDF: who accepted what,
    when, from where, with which consent, and the SHA-256 of the PDF signed."""
    return html_to_pdf(signature_certificate_html(signature=signature))


def signature_certificate_html(*, signature: QuoteSignature) -> str:
    """The certificate page's HTML, in the language the client signed in."""
    version = signature.version
    content = version.content
    png = signature.signature_png
    with translation.override(signature.language):
        locale = translation.to_locale(signature.language)
        local_time = timezone.localtime(signature.signed_at)
        return render_to_string(
            "documents/pdf/signature_certificate.html",
            {
                "language": translation.get_language(),
                "signature": signature,
                "content": content,
                "version_number": version.number,
                "total": format_money(version.total, content["currency"], locale),
                "signed_at_utc": signature.signed_at.astimezone(dt.UTC).strftime(
                    "%Y-%m-%d %H:%M:%S UTC"
                ),
                "signed_at_local": format_moment(
                    signature.signed_at, locale, local_time.tzinfo or dt.UTC
                ),
                "signature_data_uri": (
                    f"data:image/png;base64,{base64.b64encode(bytes(png)).decode()}"
                    if png
                    else None
                ),
            },
        )

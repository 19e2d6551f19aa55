"""WeasyPrint, sandboxed: the only module that imports it.

HTML in, PDF/A-3b out, within a time limit. Nothing is fetched from the
network while printing: the URL fetcher serves our own PDF stylesheet and
``data:`` URIs (the logo is embedded as one) and refuses everything else, so
nothing a user typed can make the server open a URL. `printing.pdf` decides
what a document's PDF says.
"""

import datetime as dt
import gc
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
from xml.etree import ElementTree

import cssselect2
from django.conf import settings
from lxml import etree as lxml_etree
from lxml import html as lxml_html
from weasyprint import CSS, HTML, Attachment
from weasyprint import html as weasyprint_html
from weasyprint import images as weasyprint_images
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

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

    message = f"The PDF took more than {seconds} s to print."
    expired = False

    def expire(signum: int, frame: object) -> None:
        nonlocal expired
        expired = True
        raise RenderTimeout(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # The signal may land in code that catches every Exception (WeasyPrint
    # loading an image or a font logs and goes on): the render then ran to
    # its end, but past its time all the same.
    if expired:
        raise RenderTimeout(message)


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


# WeasyPrint's user-agent stylesheet (HTML5's default rendering) is matched
# against every element of every PDF. Some of its selectors can never match
# what our templates print (no form fields, no `dir` or `hidden` attribute, no
# frame or rules table attribute, no footnotes, no iframe), yet attribute
# selectors are tried on each element: a tenth of a 60-line invoice's render
# (benchmarks/pdf.py --profile). They are left out; every other rule is
# WeasyPrint's own, unchanged, and a test prints each kind of PDF with both
# stylesheets and compares the bytes.
_NEVER_PRINTED = re.compile(
    r"\[dir|\[rules|\[frame|\[type|\[hidden\]|::footnote|::note|"
    r"\b(?:input|select|textarea|button|fieldset|keygen|option|optgroup|iframe)\b"
)


def _selectors(text: str) -> list[str]:
    """A rule's selector list, split on the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def print_user_agent_css(source: str) -> str:
    """WeasyPrint's user-agent stylesheet without the selectors our PDFs never
    match (one rule per line in its source; at-rules kept as they are; its
    counter styles, already registered by WeasyPrint, left out)."""
    source = source[: source.index("@counter-style")]
    lines = []
    for line in source.splitlines():
        rule = re.fullmatch(r"([^@{}][^{}]*)\{(.*)\}\s*", line)
        if rule is None:
            lines.append(line)
            continue
        kept = [s for s in _selectors(rule[1]) if not _NEVER_PRINTED.search(s)]
        if kept:
            lines.append(f"{', '.join(kept)} {{{rule[2]}}}")
    return "\n".join(lines)


_PRINT_USER_AGENT = CSS(string=print_user_agent_css(weasyprint_html.UA))


class _PrintHTML(HTML):
    """WeasyPrint's HTML document, parsed by libxml2 and styled with the
    trimmed user-agent stylesheet.

    WeasyPrint parses with tinyhtml5, an HTML5 parser in pure Python: 25 ms of
    CPU for a 60-line invoice, a tenth of its render. The HTML printed here is
    our own templates' (user text escaped by Django), for which libxml2's
    parser (through lxml, 0.5 ms) builds the same tree: the element tree
    WeasyPrint reads is rebuilt from it with the standard library's, and a
    test prints each kind of PDF both ways and compares the bytes.
    """

    def __init__(self, *, string: str, base_url: str, url_fetcher: URLFetcher) -> None:
        root = ElementTree.fromstring(
            lxml_etree.tostring(
                lxml_html.document_fromstring(string), encoding="unicode"
            )
        )
        # What HTML.__init__ sets, from the tree parsed above.
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            root, content_language=None
        )
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_PRINT_USER_AGENT]


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
        document = _PrintHTML(
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

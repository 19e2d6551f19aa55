"""Serving a version's PDF (or a signed quote's, or an e-invoice's Factur-X
XML) privately, to whoever the calling view let through.

A request never prints a PDF: the task worker does. A PDF not there yet (or
whose file went missing) answers "being prepared": a page that refreshes itself
for a browser, a bare 503 with Retry-After for anything else. The bytes are read
through SHA-256 before the first one is sent, and served only if they are
exactly what was stored: a file changed on disk or in the bucket is never
handed out (it is logged loudly; `manage.py pdf_repair` puts it back).
"""

import hashlib
import logging
import tempfile

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response

from documents.models import DocumentVersion, QuoteSignature, document_storage
from einvoicing import facturx

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
XML_CONTENT_TYPE = "application/xml"
# The portal middleware sets these on portal paths; the back office gets them
# here too, so a PDF is never cached by a proxy or indexed, wherever it leaves.
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
# How long a browser waits before asking again for a PDF being prepared.
RETRY_AFTER_SECONDS = 5
# Larger than any PDF we print (the documents' own limits keep them small):
# a bigger file is not ours and is refused without reading it all.
MAX_PDF_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
# Read into memory up to this size, then into a temporary file.
SPOOL_BYTES = 2 * 1024 * 1024


class StoredPdfUnavailable(Exception):
    """The stored file is missing or is not the bytes that were stored."""


def version_pdf_filename(version: DocumentVersion) -> str:
    """INV-2026-0007-v2.pdf: the document's number and the version's."""
    number = version.content.get("number") or version.document.number or "draft"
    safe_number = "".join(
        char if char.isalnum() or char in "-_" else "-" for char in number
    )
    return f"{safe_number}-v{version.number}.pdf"


def signed_pdf_filename(signature: QuoteSignature) -> str:
    """Q-2026-0003-v2-signed.pdf."""
    return version_pdf_filename(signature.version).replace(".pdf", "-signed.pdf")


def version_pdf_response(
    *, request: HttpRequest, version: DocumentVersion
) -> HttpResponseBase:
    """The response that delivers this version's PDF; the caller checked access.

    The PDF stored and intact: its bytes, as an attachment, with its SHA-256 as
    ETag (a matching If-None-Match gets a 304). Not stored yet, missing or
    altered: a 503 that says when to ask again; nothing is rendered here.
    """
    return _stored_pdf_response(
        request=request,
        name=version.pdf_file.name or "",
        sha256=version.pdf_sha256,
        filename=version_pdf_filename(version),
        what=f"version {version.pk}",
    )


def signed_pdf_response(
    *, request: HttpRequest, signature: QuoteSignature
) -> HttpResponseBase:
    """The response that delivers a signed quote's sealed PDF; the caller
    checked access. Sealed by the background task, never here: until then it
    is "being prepared", like a version's PDF."""
    return _stored_pdf_response(
        request=request,
        name=signature.signed_pdf_file.name or "",
        sha256=signature.signed_pdf_sha256,
        filename=signed_pdf_filename(signature),
        what=f"signature {signature.pk}",
    )


def stored_pdf_response(
    *, request: HttpRequest, name: str, sha256: str, filename: str, what: str
) -> HttpResponseBase:
    """Any made-once PDF another app stores (a receipt's), served like a
    version's: verified, private, or "being prepared"; the caller checked access."""
    return _stored_pdf_response(
        request=request, name=name, sha256=sha256, filename=filename, what=what
    )


def version_xml_filename(version: DocumentVersion) -> str:
    """INV-2026-0007-v2-factur-x.xml"""
    return version_pdf_filename(version).removesuffix(".pdf") + "-factur-x.xml"


def version_xml_response(
    *, request: HttpRequest, version: DocumentVersion
) -> HttpResponseBase:
    """The Factur-X XML embedded in an e-invoice version's PDF, as a download;
    the caller checked access. The bytes are the stored PDF's own attachment,
    read through its SHA-256 like the PDF itself; a PDF not stored yet is
    "being prepared" (nothing is rendered here).

    :raises Http404: a quote (no e-invoice), or a PDF that carries no XML.
    """
    if not facturx.applies_to(version.content):
        raise Http404("Not an e-invoice.")
    sha256, name = version.pdf_sha256, version.pdf_file.name or ""
    filename = version_xml_filename(version)
    etag = f'"{sha256}-xml"'
    if sha256:
        cached = get_conditional_response(request, etag=etag)
        if isinstance(cached, HttpResponseNotModified):
            return _private(cached, "", etag=etag)
    if not (sha256 and name):
        return _not_ready(request, filename=filename, sha256="", missing=False)
    try:
        with _verified_file(name, sha256) as verified:
            data = verified.read()
    except StoredPdfUnavailable as exc:
        logger.error(
            "XML of version %s (%s) NOT SERVED: the stored file %s. "
            "Run `manage.py pdf_repair`.",
            version.pk,
            name,
            exc,
        )
        return _not_ready(request, filename=filename, sha256="", missing=True)
    xml = facturx.xml_from_pdf(data)
    if xml is None:
        raise Http404("No Factur-X XML in this PDF.")
    response = HttpResponse(xml, content_type=f"{XML_CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response, "", etag=etag)


def _stored_pdf_response(
    *, request: HttpRequest, name: str, sha256: str, filename: str, what: str
) -> HttpResponseBase:
    not_modified = _not_modified(request, sha256)
    if not_modified is not None:
        return _private(not_modified, sha256)
    if not (sha256 and name):
        return _not_ready(request, filename=filename, sha256=sha256, missing=False)
    try:
        verified = _verified_file(name, sha256)
    except StoredPdfUnavailable as exc:
        logger.error(
            "PDF of %s (%s) NOT SERVED: the stored file %s. "
            "Run `manage.py pdf_repair`.",
            what,
            name,
            exc,
        )
        return _not_ready(request, filename=filename, sha256=sha256, missing=True)
    response = FileResponse(
        verified,
        as_attachment=True,
        filename=filename,
        content_type=PDF_CONTENT_TYPE,
    )
    return _private(response, sha256)


def _private(
    response: HttpResponseBase, sha256: str, *, etag: str = ""
) -> HttpResponseBase:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    if etag or sha256:
        response["ETag"] = etag or f'"{sha256}"'
    return response


def _not_modified(request: HttpRequest, sha256: str) -> HttpResponse | None:
    if not sha256:
        return None
    response = get_conditional_response(request, etag=f'"{sha256}"')
    if isinstance(response, HttpResponseNotModified):
        return response
    return None


def verified_stored_file(name: str, sha256: str) -> tempfile.SpooledTemporaryFile:
    """A stored PDF's bytes, verified (`_verified_file`), for another reader
    (`printing.archive`).

    :raises StoredPdfUnavailable: missing, too large, or not the stored bytes.
    """
    return _verified_file(name, sha256)


def _verified_file(name: str, sha256: str) -> tempfile.SpooledTemporaryFile:
    """The stored bytes, read in full through SHA-256, rewound, ready to send.

    :raises StoredPdfUnavailable: missing, too large, or not the stored bytes.
    """
    digest = hashlib.sha256()
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    size = 0
    try:
        with document_storage().open(name, "rb") as stored:
            for chunk in iter(lambda: stored.read(CHUNK_BYTES), b""):
                size += len(chunk)
                if size > MAX_PDF_BYTES:
                    raise StoredPdfUnavailable("larger than any PDF we print")
                digest.update(chunk)
                spooled.write(chunk)
    except (FileNotFoundError, OSError) as exc:
        spooled.close()
        raise StoredPdfUnavailable(f"cannot be read: {exc.__class__.__name__}") from exc
    except StoredPdfUnavailable:
        spooled.close()
        raise
    if digest.hexdigest() != sha256:
        spooled.close()
        raise StoredPdfUnavailable(f"SHA-256 {digest.hexdigest()} instead of {sha256}")
    spooled.seek(0)
    return spooled


def _wants_html(request: HttpRequest) -> bool:
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


def _not_ready(
    request: HttpRequest, *, filename: str, sha256: str, missing: bool
) -> HttpResponseBase:
    """503: the PDF is being prepared (or, when `missing`, temporarily
    unavailable); a browser gets a page that asks again by itself."""
    response: HttpResponseBase
    if _wants_html(request):
        response = HttpResponse(
            render_to_string(
                "printing/pdf_not_ready.html",
                {
                    "missing": missing,
                    "retry_after": RETRY_AFTER_SECONDS,
                    "filename": filename,
                },
                request=request,
            ),
            status=503,
        )
        response["Refresh"] = str(RETRY_AFTER_SECONDS)
        # What a portal tells on its own branded page (portal.error_pages).
        response.pdf_not_ready = {  # type: ignore[attr-defined]
            "missing": missing,
            "filename": filename,
        }
    else:
        response = HttpResponse(
            "The PDF is temporarily unavailable.\n"
            if missing
            else "The PDF is being prepared.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return _private(response, sha256)

"""Serving a version's PDF, and an e-invoice's Factur-X XML, privately, to
whoever the calling view let through."""

import hashlib

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response

from documents import facturx
from documents.models import DocumentVersion, QuoteSignature, document_storage
from documents.pdf_store import version_pdf_ensure

PDF_CONTENT_TYPE = "application/pdf"
XML_CONTENT_TYPE = "application/xml"
# The portal middleware sets these on portal paths; the back office gets them
# here too, so a PDF is never cached by a proxy or indexed, wherever it leaves.
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}


def version_pdf_filename(version: DocumentVersion) -> str:
    """INV-2026-0007-v2.pdf: the document's number and the version's."""
    number = version.content.get("number") or version.document.number or "draft"
    safe_number = "".join(
        char if char.isalnum() or char in "-_" else "-" for char in number
    )
    return f"{safe_number}-v{version.number}.pdf"


def _etag(version: DocumentVersion) -> str:
    return f'"{version.pdf_sha256}"'


def _private(response: HttpResponseBase, version: DocumentVersion) -> HttpResponseBase:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["ETag"] = _etag(version)
    return response


def _not_modified(
    request: HttpRequest, version: DocumentVersion
) -> HttpResponse | None:
    if not version.pdf_sha256:
        return None
    response = get_conditional_response(request, etag=_etag(version))
    if isinstance(response, HttpResponseNotModified):
        return response
    return None


def version_pdf_response(
    *, request: HttpRequest, version: DocumentVersion
) -> HttpResponseBase:
    """The response that delivers this version's PDF; the caller checked access.

    Renders the PDF first if it is not stored yet (once, even under a race).
    From local disk the file is streamed; from S3 the answer is a redirect to
    a short-lived presigned URL. A matching If-None-Match gets a 304.
    """
    not_modified = _not_modified(request, version)
    if not_modified is not None:
        return _private(not_modified, version)
    version = version_pdf_ensure(version=version)
    not_modified = _not_modified(request, version)
    if not_modified is not None:
        return _private(not_modified, version)
    filename = version_pdf_filename(version)
    storage = document_storage()
    if getattr(storage, "querystring_auth", False):
        # S3 through django-storages: the bytes go straight from the bucket,
        # behind a signature that expires after AWS_QUERYSTRING_EXPIRE seconds.
        url = storage.url(  # type: ignore[call-arg]  # S3Storage takes parameters
            version.pdf_file.name,
            parameters={
                "ResponseContentType": PDF_CONTENT_TYPE,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
        )
        return _private(HttpResponseRedirect(url), version)
    response = FileResponse(
        storage.open(version.pdf_file.name or "", "rb"),
        as_attachment=True,
        filename=filename,
        content_type=PDF_CONTENT_TYPE,
    )
    return _private(response, version)


def signed_pdf_filename(signature: QuoteSignature) -> str:
    """Q-2026-0003-v2-signed.pdf."""
    return version_pdf_filename(signature.version).replace(".pdf", "-signed.pdf")


def signed_pdf_response(
    *, request: HttpRequest, signature: QuoteSignature
) -> HttpResponseBase:
    """The response that delivers a signed quote's sealed PDF; the caller
    checked access. Made now if the background task has not made it yet."""
    from documents.signed_pdf import signed_pdf_ensure  # loads pyHanko

    signature = signed_pdf_ensure(signature=signature)
    etag = f'"{signature.signed_pdf_sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if isinstance(not_modified, HttpResponseNotModified):
        response: HttpResponseBase = not_modified
    else:
        response = _stored_file_response(
            name=signature.signed_pdf_file.name or "",
            filename=signed_pdf_filename(signature),
        )
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["ETag"] = etag
    return response


def version_xml_filename(version: DocumentVersion) -> str:
    """INV-2026-0007-v2-factur-x.xml"""
    return version_pdf_filename(version).removesuffix(".pdf") + "-factur-x.xml"


def version_xml_response(
    *, request: HttpRequest, version: DocumentVersion
) -> HttpResponse:
    """The Factur-X XML embedded in an e-invoice version's PDF, as a download;
    the caller checked access. The bytes are the PDF's own attachment, read
    from the stored PDF once its SHA-256 matches.

    :raises Http404: a quote (no e-invoice), or a stored PDF that does not
        match its digest or carries no XML.
    """
    if not facturx.applies_to(version.content):
        raise Http404("Not an e-invoice.")
    etag = f'"{version.pdf_sha256}-xml"'
    if version.pdf_sha256:
        cached = get_conditional_response(request, etag=etag)
        if isinstance(cached, HttpResponseNotModified):
            return _private_headers(cached, etag)
    version = version_pdf_ensure(version=version)
    with document_storage().open(str(version.pdf_file.name), "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        raise Http404("The stored PDF does not match its digest.")
    xml = facturx.xml_from_pdf(data)
    if xml is None:
        raise Http404("No Factur-X XML in this PDF.")
    response = HttpResponse(xml, content_type=f"{XML_CONTENT_TYPE}; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{version_xml_filename(version)}"'
    )
    return _private_headers(response, f'"{version.pdf_sha256}-xml"')


def _private_headers(response: HttpResponse, etag: str) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["ETag"] = etag
    return response


def _stored_file_response(*, name: str, filename: str) -> HttpResponseBase:
    """A stored PDF as an attachment: streamed from disk, or a short-lived
    presigned redirect from S3."""
    storage = document_storage()
    if getattr(storage, "querystring_auth", False):
        return HttpResponseRedirect(
            storage.url(  # type: ignore[call-arg]  # S3Storage takes parameters
                name,
                parameters={
                    "ResponseContentType": PDF_CONTENT_TYPE,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
            )
        )
    return FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=PDF_CONTENT_TYPE,
    )

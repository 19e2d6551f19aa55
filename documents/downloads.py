"""Serving a version's PDF privately (the PDF work fills this in)."""

from django.http import HttpRequest, HttpResponse

from documents.models import DocumentVersion


def version_pdf_response(*, request: HttpRequest, version: DocumentVersion) -> HttpResponse:
    """The response that delivers this version's PDF; the caller checked access."""
    raise NotImplementedError("PDF download lands with the PDF issue")

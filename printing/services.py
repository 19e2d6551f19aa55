"""Printing's state changes: a version written is printed, a failed print is
tried again. The printing itself runs in a task (`printing.tasks`)."""

from django.db import transaction
from django.utils import timezone

from documents.models import DocumentVersion, VersionPdfRender
from printing.tasks import version_render_pdf, version_render_pdf_enqueue


def version_print_on_commit(version: DocumentVersion) -> None:
    """Print a version just written, off the request path, once its
    transaction commits (registered in `documents.hooks.version_written`)."""
    version_id = version.pk
    transaction.on_commit(lambda: version_render_pdf.enqueue(version_id))


def version_pdf_retry(*, version: DocumentVersion) -> None:
    """Try a failed PDF again from the start (the owner asked, or pdf_repair)."""
    with transaction.atomic():
        # unscoped: the caller scoped this version
        VersionPdfRender.objects.filter(version=version).update(
            attempts=0, failed_at=None, updated_at=timezone.now()
        )
        transaction.on_commit(lambda: version_render_pdf_enqueue(version.pk))

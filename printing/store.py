"""One PDF per version, made once and never rewritten.

The file goes to the private "documents" storage (local disk, or S3 through
django-storages) at a path derived from the version and the bytes' SHA-256;
the version row records the name and the digest, in the one update the
database trigger allows.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, models, transaction

from documents.models import (
    DocumentVersion,
    VersionPdfRender,
    document_storage,
)
from printing import pdf

logger = logging.getLogger(__name__)
# A row holding a made-once PDF: a version, a signed quote, a receipt.
AttachedPdf = TypeVar("AttachedPdf", bound=models.Model)

SHA_PREFIX_LENGTH = 16


def version_pdf_path(*, version: DocumentVersion, sha256: str) -> str:
    """Where a version's PDF lives in the documents storage."""
    return (
        f"documents/{version.company_id}/{version.document_id}/"
        f"v{version.number}-{sha256[:SHA_PREFIX_LENGTH]}.pdf"
    )


def _stored_sha256(storage: Storage, name: str) -> str | None:
    try:
        with storage.open(name, "rb") as existing:
            digest = hashlib.sha256()
            for chunk in iter(lambda: existing.read(1024 * 1024), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, OSError):
        return None


def _store(*, storage: Storage, path: str, data: bytes, sha256: str) -> str:
    """Save the bytes; reuse a file already there only if it holds these bytes.

    A file can already be at the path when an earlier attempt stored it and
    then rolled back. Anything else there is never overwritten: the storage
    picks another name.
    """
    if storage.exists(path) and _stored_sha256(storage, path) == sha256:
        return path
    return storage.save(path, ContentFile(data))


def attach_once(
    locked: AttachedPdf,
    *,
    file_field: str,
    sha_field: str,
    data: bytes,
    path: Callable[[str], str],
) -> AttachedPdf:
    """Store a made-once PDF (a version's, a signed quote's) and record it on
    the row the caller has locked; returns the row that holds the PDF.

    The database refuses a second attachment (a trigger). Without row locks
    (SQLite) another writer can win the race: then theirs is kept and the
    file we stored is removed.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    storage = document_storage()
    name = _store(storage=storage, path=path(sha256), data=data, sha256=sha256)
    getattr(locked, file_field).name = name
    setattr(locked, sha_field, sha256)
    try:
        with transaction.atomic():
            locked.save(update_fields=[file_field, sha_field])
    except IntegrityError:
        logger.info("PDF of %r attached concurrently", locked)
        # unscoped: the row in hand, re-read
        winner = type(locked)._default_manager.select_for_update().get(pk=locked.pk)
        if getattr(winner, file_field).name != name:
            storage.delete(name)
        return winner
    return locked


def version_pdf_ensure(*, version: DocumentVersion) -> DocumentVersion:
    """The version with its PDF stored, rendering it now if it is missing.

    Safe when several requests or workers race: the version row is locked
    while rendering, and whoever comes second finds the PDF recorded and
    renders nothing. Returns a fresh copy of the version.

    :raises DocumentVersion.DoesNotExist: the version is gone.
    """
    if version.pdf_sha256 and version.pdf_file:
        return version
    rendered = None
    if connection.vendor == "sqlite":
        # SQLite has one writer at a time and our transactions take the write
        # lock when they begin: rendering inside one would hold every other
        # writer (the web processes' cache included) back for the whole render.
        # So the bytes are made first; rendering is reproducible, so a racer
        # that renders too makes the same file, and the first to attach wins.
        # unscoped: re-read, the caller scoped this version
        fresh = DocumentVersion.objects.select_related(
            "document__company", "document__client"
        ).get(pk=version.pk)
        if fresh.pdf_sha256:
            return fresh
        rendered = pdf.version_pdf_render(version=fresh)
    with transaction.atomic():
        # Lock the version row only: locking the joined company and client rows
        # would block every insert that references them (foreign-key checks take
        # KEY SHARE locks) for as long as the render takes, and could deadlock.
        locked = (
            # unscoped: re-read under lock, the caller scoped this version
            DocumentVersion.objects.select_for_update(of=("self",))
            .select_related("document__company", "document__client")
            .get(pk=version.pk)
        )
        if locked.pdf_sha256:
            return locked
        return attach_once(
            locked,
            file_field="pdf_file",
            sha_field="pdf_sha256",
            data=rendered or pdf.version_pdf_render(version=locked),
            path=lambda sha256: version_pdf_path(version=locked, sha256=sha256),
        )


@transaction.atomic
def version_pdf_render_failed(
    *, version: DocumentVersion, error: BaseException, now: dt.datetime
) -> VersionPdfRender:
    """Record a failed attempt at the version's PDF; give up (`failed_at`) once
    PDF_RENDER_ATTEMPTS attempts have failed."""
    # unscoped: the version in hand, its own render record
    render, _ = VersionPdfRender.objects.select_for_update().get_or_create(
        version=version, defaults={"company_id": version.company_id}
    )
    render.attempts += 1
    render.last_error = f"{error.__class__.__name__}: {error}"[:500]
    if render.attempts >= settings.PDF_RENDER_ATTEMPTS:
        render.failed_at = now
    render.save()
    return render

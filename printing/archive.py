"""Every document of a portal in one ZIP, streamed: each version's stored PDF
(and the Factur-X XML it carries, for an e-invoice), never printed here.

The ZIP is written into a generator as the response is sent: `zipfile` writes
to a sink that hands back what it holds after each chunk, so the memory used
is one chunk and one document's PDF (read through its SHA-256 into a spooled
file, as a single download is), whatever the number of documents. A PDF not
printed yet, or whose stored file is not the one printed, is left out and
named in a note at the end of the ZIP.
"""

import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from documents.models import DocumentVersion
from einvoicing import facturx
from printing.downloads import (
    CHUNK_BYTES,
    StoredPdfUnavailable,
    verified_stored_file,
    version_pdf_filename,
    version_xml_filename,
)

logger = logging.getLogger(__name__)


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


@dataclass(frozen=True)
class ArchiveNote:
    """The words of the note on what was left out (in the client's language)."""

    file_name: str
    heading: str
    not_printed: str  # "%(file)s: being prepared, download it again later."
    unavailable: str  # "%(file)s: temporarily unavailable."


def documents_zip_stream(
    versions: Iterable[DocumentVersion],
    *,
    note: Callable[[], ArchiveNote],
) -> Iterator[bytes]:
    """The ZIP of `versions`' PDFs and XMLs, chunk by chunk. `note` gives the
    note's words when the first document is left out (called while the
    response is sent: it must set its own language)."""
    sink = _Sink()
    left_out: list[tuple[str, str]] = []
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for version in versions:
            pdf_name = version_pdf_filename(version)
            sha256, stored = version.pdf_sha256, version.pdf_file.name or ""
            if not (sha256 and stored):
                left_out.append(("not_printed", pdf_name))
                continue
            try:
                verified = verified_stored_file(stored, sha256)
            except StoredPdfUnavailable as exc:
                logger.error(
                    "PDF of version %s (%s) left out of a ZIP: the stored file %s.",
                    version.pk,
                    stored,
                    exc,
                )
                left_out.append(("unavailable", pdf_name))
                continue
            with verified, archive.open(pdf_name, mode="w") as entry:
                while chunk := verified.read(CHUNK_BYTES):
                    entry.write(chunk)
                    yield sink.take()
                if facturx.applies_to(version.content):
                    verified.seek(0)
                    xml = facturx.xml_from_pdf(verified.read())
                else:
                    xml = None
            yield sink.take()
            if xml is not None:
                archive.writestr(version_xml_filename(version), xml)
                yield sink.take()
        if left_out:
            words = note()
            lines = [words.heading, ""]
            for reason, name in left_out:
                template = (
                    words.not_printed if reason == "not_printed" else words.unavailable
                )
                lines.append(template % {"file": name})
            archive.writestr(words.file_name, "\n".join(lines) + "\n")
    yield sink.take()

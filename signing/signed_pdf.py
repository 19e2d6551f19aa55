"""A signed quote's PDF: made once, stored with its SHA-256, never rewritten.

The version's PDF, read back from storage and checked against the SHA-256 the
client signed, followed by the certificate page, sealed by the platform
(`signing.seal`). Made after the signature commits (a background task), or
by the first download that finds it missing.
"""

import hashlib
import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from documents.models import QuoteSignature, document_storage
from printing.store import SHA_PREFIX_LENGTH, attach_once
from signing import certificate, seal

logger = logging.getLogger(__name__)


class SignedPdfError(Exception):
    """The signed PDF cannot be made: the version's PDF is not what was signed."""


def signed_pdf_path(*, signature: QuoteSignature, sha256: str) -> str:
    """Where a signed quote's PDF lives in the documents storage."""
    return (
        f"documents/{signature.company_id}/{signature.document_id}/"
        f"v{signature.version.number}-signed-{sha256[:SHA_PREFIX_LENGTH]}.pdf"
    )


def _version_pdf_bytes(signature: QuoteSignature) -> bytes:
    version = signature.version
    if not version.pdf_file.name:
        raise SignedPdfError(f"Version {version.pk} has no stored PDF.")
    with document_storage().open(version.pdf_file.name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != signature.version_pdf_sha256:
        raise SignedPdfError(
            f"The stored PDF of version {version.pk} does not match the SHA-256 "
            f"signed in signature {signature.pk}."
        )
    return data


def signed_pdf_build(*, signature: QuoteSignature) -> bytes:
    """The sealed PDF for this signature (nothing stored, nothing written).

    :raises SignedPdfError: the version's stored PDF is not the one signed.
    :raises seal.SealError: the PDF could not be sealed.
    """
    original = _version_pdf_bytes(signature)
    certificate_page = certificate.signature_certificate_render(signature=signature)
    content = signature.version.content
    with translation.override(signature.language):
        reason = _("Quote %(number)s, version %(version)s, accepted by %(name)s") % {
            "number": content["number"],
            "version": signature.version.number,
            "name": signature.signer_name,
        }
    return seal.pdf_seal(
        original=original,
        appendix=certificate_page,
        reason=reason,
        location=content["seller"]["name"],
    )


def signed_pdf_ensure(*, signature: QuoteSignature) -> QuoteSignature:
    """The signature with its sealed PDF stored, making it now if missing.

    Safe when a worker and a download race: the signature row is locked while
    the PDF is made, and whoever comes second finds it recorded. Returns a
    fresh copy of the signature.

    :raises SignedPdfError: the version's stored PDF is not the one signed.
    :raises seal.SealError: the PDF could not be sealed.
    """
    if signature.signed_pdf_sha256 and signature.signed_pdf_file:
        return signature
    with transaction.atomic():
        locked = (
            # unscoped: re-read under lock, the caller scoped this signature
            QuoteSignature.objects.select_for_update(of=("self",))
            .select_related("version", "document")
            .get(pk=signature.pk)
        )
        if locked.signed_pdf_sha256:
            return locked
        return attach_once(
            locked,
            file_field="signed_pdf_file",
            sha_field="signed_pdf_sha256",
            data=signed_pdf_build(signature=locked),
            path=lambda sha256: signed_pdf_path(signature=locked, sha256=sha256),
        )

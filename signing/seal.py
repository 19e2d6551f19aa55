"""The platform's seal on signed quotes: the only module that imports pyHanko
(and `cryptography`, which pyHanko builds on, to make a demo certificate).

A signed quote's PDF is the version's PDF exactly as the client was shown it,
followed by an incremental update that appends the certificate page and a
PAdES signature (baseline B-B) over the whole file. The original bytes stay a
byte-for-byte prefix of the sealed file, and any PDF reader can tell that
nothing changed since the seal.

The sealing certificate and key come from SIGNING_CERT_FILE and
SIGNING_KEY_FILE (PEM or DER; the certificate file may carry the chain after
it). Without them a self-signed certificate is generated once into the private
documents storage: good for the demo and the tests, not trusted by anyone else.
"""

import datetime as dt
import functools
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.models import document_storage

logger = logging.getLogger(__name__)

# Where the generated demo identity lives in the documents storage.
GENERATED_IDENTITY_NAME = "signing/seal-identity.pem"
SEAL_FIELD_NAME = "PlatformSeal"
GENERATED_VALIDITY = dt.timedelta(days=3650)


class SealError(Exception):
    """The seal could not be applied (bad configuration or a broken PDF)."""


@dataclass(frozen=True)
class SealIdentity:
    """The sealing key and certificate(s), as PEM or DER bytes."""

    key: bytes
    certificates: bytes  # the sealing certificate first, then its chain
    passphrase: bytes | None = None

    @property
    def certificate_pem(self) -> bytes:
        """The sealing certificate alone, as PEM."""
        first = next(iter(load_certs_from_pemder_data(self.certificates)))
        return pem.armor("CERTIFICATE", first.dump())

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the sealing certificate (DER), in hex."""
        first = next(iter(load_certs_from_pemder_data(self.certificates)))
        return hashlib.sha256(first.dump()).hexdigest()


def seal_identity() -> SealIdentity:
    """The configured sealing identity, else the generated one (made once).

    :raises ImproperlyConfigured: only one of the two files is set, or one
        cannot be read.
    """
    cert_file = settings.SIGNING_CERT_FILE
    key_file = settings.SIGNING_KEY_FILE
    if cert_file or key_file:
        if not (cert_file and key_file):
            raise ImproperlyConfigured(
                "Set both SIGNING_CERT_FILE and SIGNING_KEY_FILE, or neither."
            )
        try:
            return SealIdentity(
                key=Path(key_file).read_bytes(),
                certificates=Path(cert_file).read_bytes(),
                passphrase=settings.SIGNING_KEY_PASSPHRASE.encode() or None,
            )
        except OSError as exc:
            raise ImproperlyConfigured(f"Cannot read the sealing files: {exc}") from exc
    return _generated_identity()


def _generated_identity() -> SealIdentity:
    """The self-signed identity in private storage, generated the first time.

    Two processes generating at once both save; the storage never overwrites
    (local disk: exclusive create; S3: file_overwrite off), so the loser's file
    lands under another name, is deleted, and everyone uses the winner's.
    """
    storage = document_storage()
    try:
        with storage.open(GENERATED_IDENTITY_NAME, "rb") as stored:
            return _identity_from_bundle(stored.read())
    except (FileNotFoundError, OSError):
        pass
    bundle = _self_signed_bundle()
    saved = storage.save(GENERATED_IDENTITY_NAME, ContentFile(bundle))
    if saved != GENERATED_IDENTITY_NAME:
        storage.delete(saved)
        with storage.open(GENERATED_IDENTITY_NAME, "rb") as stored:
            bundle = stored.read()
    else:
        logger.warning(
            "Generated a self-signed sealing certificate into private storage; "
            "set SIGNING_CERT_FILE and SIGNING_KEY_FILE for a real one."
        )
    return _identity_from_bundle(bundle)


def _identity_from_bundle(bundle: bytes) -> SealIdentity:
    key_start = bundle.index(b"-----BEGIN PRIVATE KEY-----")
    return SealIdentity(key=bundle[key_start:], certificates=bundle[:key_start])


def _self_signed_bundle() -> bytes:
    """A new P-256 key and a self-signed sealing certificate, as one PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Client Portal"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, "Client Portal document seal (self-signed)"
            ),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@functools.lru_cache(maxsize=4)
def _signer(identity: SealIdentity) -> signers.SimpleSigner:
    try:
        key = load_private_key_from_pemder_data(
            identity.key, passphrase=identity.passphrase
        )
        certificates = list(load_certs_from_pemder_data(identity.certificates))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Cannot load the sealing key: {exc}") from exc
    if not certificates:
        raise ImproperlyConfigured("The sealing certificate file holds no certificate.")
    registry = SimpleCertificateStore()
    registry.register_multiple(certificates[1:])
    return signers.SimpleSigner(
        signing_cert=certificates[0], signing_key=key, cert_registry=registry
    )


def _page_count(reader: PdfFileReader) -> int:
    return int(reader.root["/Pages"]["/Count"])


def _pages_append(writer: IncrementalPdfFileWriter, appendix: bytes) -> None:
    """Append every page of `appendix` to the document, each drawn from a form
    XObject holding that page's content."""
    reader = PdfFileReader(io.BytesIO(appendix))
    for index in range(_page_count(reader)):
        form = writer.import_page_as_xobject(reader, page_ix=index)
        box = form.get_object()["/BBox"]
        contents = writer.add_object(
            generic.StreamObject(stream_data=b"q /Appendix Do Q")
        )
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): box,
                generic.pdf_name("/Resources"): generic.DictionaryObject(
                    {
                        generic.pdf_name("/XObject"): generic.DictionaryObject(
                            {generic.pdf_name("/Appendix"): form}
                        )
                    }
                ),
                generic.pdf_name("/Contents"): contents,
            }
        )
        writer.insert_page(page)


def pdf_seal(
    *,
    original: bytes,
    appendix: bytes,
    reason: str,
    location: str,
    identity: SealIdentity | None = None,
) -> bytes:
    """`original` with the pages of `appendix` added and a PAdES seal over all.

    An incremental update: `original` is left byte for byte at the start of
    the result.

    :raises SealError: a PDF that cannot be read or updated.
    """
    identity = identity or seal_identity()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(original))
        _pages_append(writer, appendix)
        metadata = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        output = signers.sign_pdf(writer, metadata, signer=_signer(identity))
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # pyHanko raises many kinds; all mean "not sealed"
        raise SealError(f"Could not seal the PDF: {exc}") from exc
    return output.getvalue()

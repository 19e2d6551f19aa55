"""The signed quote's PDF: the version's PDF exactly as signed, a certificate
page, and a PAdES seal that pyHanko validates against the sealing certificate,
and that one changed byte breaks."""

import datetime as dt
import hashlib
import io

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.models import QuoteSignature
from signing import certificate, seal
from signing import services as signing_services
from signing.signed_pdf import SignedPdfError, signed_pdf_ensure
from tests.printing.test_pdf import stored_bytes
from tests.signing.signing_helpers import (
    accept_arguments,
    drawing,
    sign_arguments,
    signable_quote,
)

pytestmark = pytest.mark.django_db


def _signed(**overrides) -> QuoteSignature:
    quote = signable_quote()
    signature = signing_services.quote_sign(**sign_arguments(quote, **overrides))
    return signed_pdf_ensure(signature=signature)


def _signed_bytes(signature: QuoteSignature) -> bytes:
    with storages["documents"].open(signature.signed_pdf_file.name, "rb") as stored:
        return stored.read()


def _validation(data: bytes, certificate_pem: bytes):
    """pyHanko's verdict on the file's one signature, trusting `certificate_pem`
    alone (as a reader who was given the platform's certificate would)."""
    root = next(iter(_certificates(certificate_pem)))
    context = ValidationContext(trust_roots=[root])
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (embedded,) = reader.embedded_signatures
    return embedded, validate_pdf_signature(embedded, context)


def _certificates(pem: bytes):
    return list(load_certs_from_pemder_data(pem))


def test_the_signed_pdf_is_the_version_pdf_then_the_certificate_page():
    signature = _signed(
        signer_name="Ada Lovelace",
        method="drawn",
        signature_png=drawing(),
        typed_name="",
    )
    original = stored_bytes(signature.version)
    signed = _signed_bytes(signature)

    pages = pypdf.PdfReader(io.BytesIO(signed)).pages
    original_pages = pypdf.PdfReader(io.BytesIO(original)).pages
    certificate = pages[-1].extract_text()

    # The bytes signed are untouched: the seal is an incremental update after them.
    assert signed[: len(original)] == original
    assert hashlib.sha256(original).hexdigest() == signature.version_pdf_sha256
    assert hashlib.sha256(signed).hexdigest() == signature.signed_pdf_sha256
    assert len(pages) == len(original_pages) + 1
    assert [page.extract_text() for page in pages[:-1]] == [
        page.extract_text() for page in original_pages
    ]
    assert "Signature certificate" in certificate
    assert "Ada Lovelace <ada@example.org>" in certificate
    assert signature.version_pdf_sha256 in certificate
    assert "203.0.113.7" in certificate
    assert "and I sign it electronically" in certificate
    assert "Drawn by hand on screen." in certificate


def test_its_pades_seal_validates_against_the_sealing_certificate():
    signature = _signed()
    identity = seal.seal_identity()

    embedded, status = _validation(_signed_bytes(signature), identity.certificate_pem)

    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (
        True,
        True,
        True,
        True,
    )
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert (
        status.signing_cert.dump() == _certificates(identity.certificate_pem)[0].dump()
    )
    assert embedded.sig_object["/Reason"].startswith(
        f"Quote {signature.document.number}, version 1, accepted by Ada Lovelace"
    )


@pytest.mark.parametrize("where", ["original", "certificate page"])
def test_a_copy_with_one_byte_changed_fails_validation(where):
    signature = _signed()
    signed = bytearray(_signed_bytes(signature))
    original_length = len(stored_bytes(signature.version))
    if where == "original":
        # A byte of the binary comment on the PDF's second line: any reader
        # still opens the file, and every byte after it is where it was.
        position = signed.index(b"\n", 0) + 2
    else:
        # A byte of the appended page's content, inside the signed range.
        position = signed.index(b"stream", original_length) + 20
    signed[position] ^= 0x01

    try:
        _embedded, status = _validation(
            bytes(signed), seal.seal_identity().certificate_pem
        )
    except Exception as exc:  # a file pyHanko cannot even read is not valid either
        pytest.fail(f"the changed copy could not be read to validate: {exc!r}")

    assert (status.intact, status.bottom_line) == (False, False)


def test_a_seal_from_another_certificate_is_not_trusted():
    signature = _signed()
    other = seal._identity_from_bundle(seal._self_signed_bundle())

    _embedded, status = _validation(_signed_bytes(signature), other.certificate_pem)

    assert (status.intact, status.valid, status.trusted) == (True, True, False)


def test_the_signed_pdf_is_made_once(monkeypatch):
    signature = _signed()
    renders = []
    monkeypatch.setattr(
        certificate,
        "signature_certificate_render",
        lambda **kwargs: renders.append(kwargs) or b"",
    )

    again = signed_pdf_ensure(signature=signature)
    fresh = QuoteSignature.objects.for_company(signature.company).get(pk=signature.pk)
    again_from_the_database = signed_pdf_ensure(signature=fresh)

    assert renders == []
    assert (
        again.signed_pdf_sha256,
        again_from_the_database.signed_pdf_file.name,
    ) == (signature.signed_pdf_sha256, signature.signed_pdf_file.name)


def test_a_version_pdf_changed_in_storage_is_never_sealed():
    quote = signable_quote()
    signature = signing_services.quote_sign(**sign_arguments(quote))
    storage = storages["documents"]
    name = quote.current_version.pdf_file.name
    storage.delete(name)
    storage.save(name, ContentFile(b"%PDF-1.7 something else"))

    with pytest.raises(SignedPdfError):
        signed_pdf_ensure(signature=signature)

    signature.refresh_from_db()
    assert (signature.signed_pdf_file.name, signature.signed_pdf_sha256) == ("", "")


def test_an_online_acceptance_gets_a_sealed_acceptance_certificate():
    quote = signable_quote(requires_signature=False)
    signature = signed_pdf_ensure(
        signature=signing_services.quote_accept_online(**accept_arguments(quote))
    )

    page = pypdf.PdfReader(io.BytesIO(_signed_bytes(signature))).pages[-1]
    certificate = " ".join(page.extract_text().split())
    _embedded, status = _validation(
        _signed_bytes(signature), seal.seal_identity().certificate_pem
    )

    assert "Acceptance certificate" in certificate
    assert "Accepted by Ada Lovelace <ada@example.org>" in certificate
    assert "(no signature required)" in certificate
    assert status.bottom_line is True


# --- the sealing identity -----------------------------------------------------------


def test_the_generated_identity_is_made_once_into_private_storage():
    first = seal.seal_identity()
    second = seal.seal_identity()

    assert first == second
    assert storages["documents"].exists(seal.GENERATED_IDENTITY_NAME)
    certificate = x509.load_pem_x509_certificate(first.certificate_pem)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Client Portal document seal (self-signed)"
    )
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment) == (True, True)


def test_a_configured_certificate_and_key_seal_instead(settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atelier Seal")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "seal.pem", tmp_path / "seal.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    settings.SIGNING_CERT_FILE = str(cert_file)
    settings.SIGNING_KEY_FILE = str(key_file)
    settings.SIGNING_KEY_PASSPHRASE = "s3cret"

    signature = _signed()

    _embedded, status = _validation(_signed_bytes(signature), cert_file.read_bytes())
    assert status.bottom_line is True
    assert status.signing_cert.subject.human_friendly == "Common Name: Atelier Seal"
    assert load_cert_from_pemder(str(cert_file)).dump() == status.signing_cert.dump()
    assert not storages["documents"].exists(seal.GENERATED_IDENTITY_NAME)


def test_half_a_configuration_is_refused(settings):
    settings.SIGNING_CERT_FILE = "/nowhere/seal.pem"
    settings.SIGNING_KEY_FILE = ""

    with pytest.raises(ImproperlyConfigured, match="both SIGNING_CERT_FILE"):
        seal.seal_identity()

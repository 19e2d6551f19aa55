"""A client's answer to a quote: its signature or its decline."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.models import CompanyOwned
from documents.models import document_storage
from documents.models.document import Document
from documents.models.versions import DocumentVersion

SHA256_HEX = r"^[0-9a-f]{64}$"


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Drawn signature")
    TYPED = "typed", _("Typed name")
    CLICK = "click", _("Accepted online")


class QuoteSignature(CompanyOwned, AppendOnly):
    """The client's acceptance of a quote from its portal: the evidence.

    Bound to the exact bytes the client was shown: the version and the SHA-256
    of that version's PDF. Written once; only the signed PDF (the version's
    PDF, a certificate page and the platform's seal) is attached later, once.
    """

    Method = SignatureMethod

    attach_once = ("signed_pdf_file", "signed_pdf_sha256")

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="signature"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="+"
    )
    version_pdf_sha256 = models.CharField(_("SHA-256 of the PDF signed"), max_length=64)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    signer_name = models.CharField(_("signer's name"), max_length=200)
    signer_email = models.EmailField(_("signer's e-mail"))
    signature_png = models.BinaryField(_("drawn signature (PNG)"), null=True)
    typed_name = models.CharField(_("typed name"), max_length=200, blank=True)
    consent_text = models.TextField(_("consent shown"))
    language = models.CharField(_("language"), max_length=8)
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    signed_pdf_file = models.FileField(
        storage=document_storage, blank=True, max_length=255
    )
    signed_pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=SignatureMethod.values),
                name="signature_method_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(method="drawn", signature_png__isnull=False, typed_name="")
                    | (
                        Q(method="typed", signature_png__isnull=True)
                        & ~Q(typed_name="")
                    )
                    | Q(method="click", signature_png__isnull=True, typed_name="")
                ),
                name="signature_evidence_fits_method",
            ),
            models.CheckConstraint(
                condition=Q(version_pdf_sha256__regex=SHA256_HEX),
                name="signature_version_pdf_sha256",
            ),
            models.CheckConstraint(
                condition=~Q(signer_name="")
                & ~Q(signer_email="")
                & ~Q(consent_text=""),
                name="signature_signer_and_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.signer_name}"


class QuoteDecline(CompanyOwned, AppendOnly):
    """The client's refusal of a quote from its portal: what, when, from where."""

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="decline"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="+"
    )
    # Empty when the version's PDF was still being prepared: a client may
    # decline without waiting for it.
    version_pdf_sha256 = models.CharField(
        _("SHA-256 of the PDF declined"), max_length=64, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    declined_at = models.DateTimeField(_("declined at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("decline")
        verbose_name_plural = _("declines")
        constraints = [
            models.CheckConstraint(
                condition=Q(version_pdf_sha256="")
                | Q(version_pdf_sha256__regex=SHA256_HEX),
                name="decline_version_pdf_sha256",
            ),
        ]

    def __str__(self) -> str:
        return str(self.document)

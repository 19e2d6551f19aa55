"""A document's immutable versions and the printing of their PDFs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from companies.append_only import AppendOnly
from companies.models import CompanyOwned
from companies.money import MoneyField
from documents.models import document_storage
from documents.models.document import Document


class DocumentVersion(CompanyOwned, AppendOnly):
    """A full, immutable snapshot of a finalised document's content.

    Written once. Only its PDF may be attached later, once.
    """

    attach_once = ("pdf_file", "pdf_sha256")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField()
    total_excl_tax = MoneyField()
    total_tax = MoneyField()
    total = MoneyField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    pdf_file = models.FileField(storage=document_storage, blank=True, max_length=255)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(document)s, version %(number)s")
            % {"document": self.document, "number": self.number}
        )


class VersionPdfRender(CompanyOwned):
    """How printing a version's PDF went, while it has none: each failed
    attempt, the last error, and when the task worker gave up (the owner is
    then shown the failure and may try again)."""

    version = models.OneToOneField(
        DocumentVersion, on_delete=models.PROTECT, related_name="pdf_render"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("PDF rendering")
        verbose_name_plural = _("PDF renderings")

    def __str__(self) -> str:
        return ngettext(
            "%(version)s: %(attempts)s attempt",
            "%(version)s: %(attempts)s attempts",
            self.attempts,
        ) % {"version": self.version, "attempts": self.attempts}

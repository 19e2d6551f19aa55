"""The e-mails a document is sent to its client by."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned
from documents.models.document import Document
from documents.models.versions import DocumentVersion


class ClientEmailKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    REMINDER = "reminder", _("Reminder")
    PORTAL_LINK = "portal_link", _("Portal link")
    # What the client is told of its own actions (see `mail.hooks`).
    RECEIPT = "receipt", _("Receipt")
    QUOTE_SIGNED = "quote_signed", _("Signed quote")
    QUOTE_DECLINED = "quote_declined", _("Declined quote")
    TRANSFER_DECLARED = "transfer_declared", _("Declared transfer")


class ClientEmailStatus(models.TextChoices):
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ClientEmail(CompanyOwned):
    """One e-mail to a client: a document, a reminder, its new portal link, or
    what it did (a receipt, a signed or declined quote, a declared transfer).

    Written when it is asked for, then delivered by a task that retries with
    backoff; a delivery that keeps failing stays here as failed, for the owner
    to see on the document. A reminder's row is unique per document and date,
    which is what makes `send_reminders` send each reminder once.
    """

    Kind = ClientEmailKind
    Status = ClientEmailStatus

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, related_name="emails"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    reminder_date = models.DateField(_("reminder of"), null=True, blank=True)
    recipients = models.JSONField(_("to"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(_("asked at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails to the client")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ClientEmailKind.values),
                name="client_email_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClientEmailStatus.values),
                name="client_email_status_known",
            ),
            models.UniqueConstraint(
                fields=["document", "kind", "reminder_date"],
                condition=Q(reminder_date__isnull=False),
                name="client_email_reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="client_email_due"),
        ]

    def __str__(self) -> str:
        # Read by a member (the admin's links and messages): names, not ids.
        about = self.document if self.document_id else self.client
        return str(
            _("%(kind)s: %(about)s (%(status)s)")
            % {
                "kind": self.get_kind_display(),
                "about": about,
                "status": self.get_status_display(),
            }
        )

"""A document's append-only history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.models import CompanyOwned
from documents.models.document import Document
from documents.models.versions import DocumentVersion


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    FINALISED = "finalised", _("Finalised")
    NEW_VERSION = "new_version", _("New version")
    SENT = "sent", _("Sent")
    VIEWED = "viewed", _("Viewed")
    HIDDEN = "hidden", _("Hidden from the portal")
    SHOWN = "shown", _("Shown in the portal")
    ACCEPTED = "accepted", _("Accepted")
    SIGNED = "signed", _("Signed")
    DECLINED = "declined", _("Declined")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    PAID = "paid", _("Paid")
    PAYMENT_PROCESSING = "payment_processing", _("Payment processing")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    REFUNDED = "refunded", _("Refunded")
    TRANSFER_DECLARED = "transfer_declared", _("Paid by transfer, says the client")
    CANCELED = "canceled", _("Canceled")
    INVOICED = "invoiced", _("Converted to an invoice")
    FROM_QUOTE = "from_quote", _("Created from a quote")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    SEND_FAILED = "send_failed", _("Sending failed")
    CREDITED = "credited", _("Credit note issued")


class DocumentEvent(CompanyOwned, AppendOnly):
    """One thing that happened to a document: the history the portal shows."""

    Kind = EventKind

    # Events that concern only the business: never shown to the client.
    INTERNAL_KINDS = (
        Kind.CREATED,
        Kind.HIDDEN,
        Kind.SHOWN,
        Kind.VIEWED,
        Kind.INVOICED,
        Kind.FROM_QUOTE,
        Kind.REMINDER_SENT,
        Kind.SEND_FAILED,
    )

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="events"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, null=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="event_kind_known",
            ),
            # A version is "viewed" once: the first real opening in a browser.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(kind="viewed"),
                name="event_viewed_once_per_version",
            ),
        ]
        indexes = [models.Index(fields=["document", "at"], name="event_document_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.document}"

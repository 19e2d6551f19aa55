"""A company's approved e-invoicing platform, what we sent it, and the
lifecycle statuses (XP Z12-012) each invoice and credit note went through."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.models import CompanyOwned, Timestamped
from documents.models import Document


class PlatformConnection(CompanyOwned, Timestamped):
    """Where a company's e-invoices go: its platform's Flow and Directory
    Services (AFNOR XP Z12-013) and the OAuth2 client credentials it gave the
    company. The secret and the webhook signing key are stored encrypted
    (Fernet under PORTAL_TOKEN_KEYS, `transmission.secrets`)."""

    flow_url = models.URLField(
        _("Flow Service URL"),
        help_text=_("The base address, without /v1/flows."),
    )
    directory_url = models.URLField(_("Directory Service URL"), blank=True)
    token_url = models.URLField(_("OAuth2 token URL"))
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret_encrypted = models.TextField(editable=False)
    webhook_secret_encrypted = models.TextField(editable=False, blank=True)
    enabled = models.BooleanField(_("send e-invoices through it"), default=True)
    # Statuses are searched from this instant on (`updatedAfter`), then from
    # the latest flow seen: polling never reads the same page twice.
    polled_until = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = _("e-invoicing platform")
        verbose_name_plural = _("e-invoicing platform")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="platform_connection_one_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.flow_url


class ChorusConnection(CompanyOwned, Timestamped):
    """Chorus Pro through PISTE, for public buyers no approved platform
    reaches: the PISTE application's OAuth2 client credentials, and the
    Chorus Pro technical account sent as `cpro-account` on every call. The
    client secret and the account's password are stored encrypted like the
    platform's (`transmission.secrets`)."""

    api_url = models.URLField(
        _("PISTE API URL"),
        help_text=_("https://api.piste.gouv.fr (its sandbox for tests)."),
    )
    token_url = models.URLField(
        _("PISTE token URL"),
        help_text=_("https://oauth.piste.gouv.fr/api/oauth/token"),
    )
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret_encrypted = models.TextField(editable=False)
    login = models.CharField(_("technical account login"), max_length=200)
    password_encrypted = models.TextField(editable=False)
    enabled = models.BooleanField(
        _("send public buyers' invoices through it"), default=True
    )

    class Meta:
        verbose_name = _("Chorus Pro connection")
        verbose_name_plural = _("Chorus Pro connection")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="chorus_connection_one_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"Chorus Pro ({self.login})"


class Channel(models.TextChoices):
    """Where an invoice flow goes."""

    PLATFORM = "platform", _("Approved platform")
    CHORUS = "chorus", _("Chorus Pro")


class Ack(models.TextChoices):
    """The Flow Service's acknowledgement of a flow (FlowAckStatus)."""

    PENDING = "pending", _("Pending")
    OK = "ok", _("Accepted by the platform")
    ERROR = "error", _("Refused by the platform")


class FlowState(models.TextChoices):
    """Where our side of a flow is."""

    QUEUED = "queued", _("Waiting to be sent")
    SUBMITTED = "submitted", _("Sent to the platform")
    FAILED = "failed", _("Could not be sent")


class Flow(CompanyOwned, Timestamped):
    """One file we deposit on the Flow Service: an invoice or credit note
    (Factur-X), or a lifecycle status of ours (CDAR: 212 Encaissée)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("E-invoice")
        STATUS = "status", _("Lifecycle status")

    Ack = Ack
    State = FlowState
    Channel = Channel

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="platform_flows"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Chorus Pro for a public buyer no approved platform reaches; its flow_id
    # is then Chorus Pro's numeroFluxDepot.
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.PLATFORM
    )
    # Chorus Pro's identifiantFactureCPP, once the deposit is integrated.
    chorus_invoice_id = models.CharField(max_length=32, blank=True)
    # The status a STATUS flow carries (212), "" for an invoice.
    status_code = models.CharField(max_length=3, blank=True)
    # What the flow says: sent as `trackingId`, `processingRule`, `sha256`.
    tracking_id = models.CharField(max_length=64)
    processing_rule = models.CharField(max_length=16, default="B2B")
    state = models.CharField(
        max_length=12, choices=FlowState.choices, default=FlowState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The platform's answers.
    flow_id = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True)
    ack_status = models.CharField(
        max_length=8, choices=Ack.choices, default=Ack.PENDING
    )
    ack_reason = models.TextField(blank=True)
    ack_checked_at = models.DateTimeField(null=True)
    # The CDAR we built (a STATUS flow), kept as sent.
    payload = models.BinaryField(blank=True, default=b"")

    class Meta:
        verbose_name = _("platform flow")
        verbose_name_plural = _("platform flows")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["invoice", "status"]),
                name="platform_flow_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=FlowState.values),
                name="platform_flow_state_known",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="platform_flow_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(ack_status__in=Ack.values),
                name="platform_flow_ack_known",
            ),
            # An invoice goes once; each status of ours once per invoice.
            models.UniqueConstraint(
                fields=["document", "kind", "status_code"],
                name="platform_flow_once_per_document",
            ),
            models.UniqueConstraint(
                fields=["company", "flow_id"],
                condition=~Q(flow_id=""),
                name="platform_flow_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id} ({self.get_kind_display()})"


class StatusCode(models.TextChoices):
    """The lifecycle statuses of XP Z12-012 (FNFE CDAR schematron V1.4.0)."""

    DEPOSITED = "200", _("Submitted (Déposée)")
    ISSUED = "201", _("Issued by the platform (Émise)")
    RECEIVED = "202", _("Received by the buyer's platform (Reçue)")
    MADE_AVAILABLE = "203", _("Made available to the buyer (Mise à disposition)")
    TAKEN_IN_CHARGE = "204", _("Taken in charge (Prise en charge)")
    APPROVED = "205", _("Approved (Approuvée)")
    PARTLY_APPROVED = "206", _("Partly approved (Approuvée partiellement)")
    DISPUTED = "207", _("Disputed (En litige)")
    SUSPENDED = "208", _("Suspended (Suspendue)")
    COMPLETED = "209", _("Completed (Complétée)")
    REFUSED = "210", _("Refused (Refusée)")
    PAYMENT_SENT = "211", _("Payment sent (Paiement transmis)")
    PAID = "212", _("Paid (Encaissée)")
    REJECTED = "213", _("Rejected (Rejetée)")
    CANCELED = "220", _("Canceled (Annulée)")
    ROUTING_ERROR = "221", _("Routing error (Erreur de routage)")
    INADMISSIBLE = "501", _("Inadmissible (Irrecevable)")
    # Ours, not XP Z12-012's (whose codes are all three digits): the business
    # answers a client's refusal by reopening the invoice. Never sent to the
    # platform, never accepted from it (`lifecycle.lifecycle_record`).
    REOPENED = "reopened", _("Reopened by the business")


# The codes of this product alone, outside XP Z12-012.
PRODUCT_ONLY_CODES = frozenset({StatusCode.REOPENED.value})


class StatusSource(models.TextChoices):
    PLATFORM = "platform", _("The platform")
    PRODUCT = "product", _("This product")
    CLIENT = "client", _("The client")
    COMPANY = "company", _("The business")


class LifecycleStatus(CompanyOwned, AppendOnly):
    """One lifecycle status of an issued invoice or credit note, as a CDAR
    brought it (or as we set it: 212 when payments cover the invoice). The
    history is append-only; the invoice's status is its latest row."""

    Code = StatusCode
    Source = StatusSource

    # The statuses the owner is e-mailed about at once.
    ALERTING: ClassVar[tuple[str, ...]] = ("207", "210", "213", "501")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="lifecycle_statuses"
    )
    code = models.CharField(_("status"), max_length=8, choices=StatusCode.choices)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("from"), max_length=8, choices=StatusSource.choices)
    # The CDAR's flow on the platform: a flow delivered twice is recorded once.
    flow_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("at"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("lifecycle status")
        verbose_name_plural = _("lifecycle statuses")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=StatusCode.values),
                name="lifecycle_status_code_known",
            ),
            models.CheckConstraint(
                condition=Q(source__in=StatusSource.values),
                name="lifecycle_status_source_known",
            ),
            models.UniqueConstraint(
                fields=["company", "flow_id"],
                condition=~Q(flow_id=""),
                name="lifecycle_status_flow_once",
            ),
        ]
        indexes = [
            models.Index(fields=["document", "at"], name="lifecycle_document_at")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.document}"


class DirectoryStatus(models.TextChoices):
    """A buyer's line in the Directory Service (directoryLineStatus)."""

    ENABLED = "enabled", _("Receives e-invoices")
    UPCOMING = "upcoming", _("Will receive e-invoices soon")
    DISABLED = "disabled", _("No platform chosen")
    NOT_FOUND = "not_found", _("Not in the directory")


class DirectoryEntry(CompanyOwned):
    """What the Directory Service said of a client (by its SIREN), kept on the
    client with the date it was checked: where its e-invoices go (BT-49,
    scheme 0225), and what a public buyer requires."""

    Status = DirectoryStatus

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="directory_entry"
    )
    siren = models.CharField(max_length=9)
    status = models.CharField(max_length=10, choices=DirectoryStatus.choices)
    addressing_identifier = models.CharField(max_length=125, blank=True)
    routing_identifier = models.CharField(max_length=100, blank=True)
    platform_type = models.CharField(max_length=3, blank=True)
    public_buyer = models.BooleanField(default=False)
    requires_commitment = models.BooleanField(default=False)
    requires_service_code = models.BooleanField(default=False)
    checked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DirectoryStatus.values),
                name="directory_entry_status_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.siren}: {self.status}"

"""Quotes and invoices, their immutable versions and their history."""

from decimal import Decimal
from typing import ClassVar, Self

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.models import CompanyOwned, CompanyQuerySet
from companies.validators import NOTES_MAX_LENGTH, single_line

# The VAT rates a line may carry (France: standard, intermediate, reduced,
# super-reduced, and zero for exempt or reverse-charged supplies).
VAT_RATES = (Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))
VAT_RATE_CHOICES = [(rate, f"{rate} %") for rate in VAT_RATES]


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class DocumentStatus(models.TextChoices):
    """What is stored; `documents.status` derives what the client sees."""

    DRAFT = "draft", _("Draft")
    TO_PAY = "to_pay", _("To pay")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELED = "canceled", _("Canceled")
    ISSUED = "issued", _("Issued")


_S = DocumentStatus
INVOICE_STATUSES = (_S.DRAFT, _S.TO_PAY, _S.PARTIALLY_PAID, _S.PAID, _S.CANCELED)
QUOTE_STATUSES = (_S.DRAFT, _S.PENDING, _S.ACCEPTED, _S.DECLINED, _S.CANCELED)
# A credit note is issued whole, in the transaction that numbers it: never a
# draft, never changed, never canceled (another invoice would undo it).
CREDIT_NOTE_STATUSES = (_S.ISSUED,)


class OperationCategory(models.TextChoices):
    """What an invoice is for, a mention French invoices carry from 2026."""

    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    MIXED = "mixed", _("Goods and services")


class VatExemption(models.TextChoices):
    """Why a line carries 0 % VAT: the mention and the EN 16931 category."""

    FRANCHISE = "franchise", _("VAT not applicable (art. 293 B of the French tax code)")
    REVERSE_CHARGE = "reverse_charge", _("Reverse charge (the client pays the VAT)")
    EXPORT = "export", _("Export outside the EU (art. 262 I of the French tax code)")


def document_storage() -> Storage:
    """The private storage of document files, read as configured now.

    Looked up on each call rather than kept by the FileField, which would hold
    on to the storage it met at import (and miss a settings change).
    """
    return storages["documents"]


class DocumentQuerySet(CompanyQuerySet):
    def finalised(self) -> Self:
        return self.exclude(status=Document.Status.DRAFT)

    def visible_in_portal(self) -> Self:
        return self.finalised().filter(hidden_from_portal=False)


DocumentManager = models.Manager.from_queryset(DocumentQuerySet)


class Document(CompanyOwned):
    """A quote or an invoice addressed to one client."""

    Kind = DocumentKind
    Status = DocumentStatus

    OperationCategory = OperationCategory
    VatExemption = VatExemption

    NUMBER_PREFIXES: ClassVar[dict[str, str]] = {
        DocumentKind.QUOTE: "Q",
        DocumentKind.INVOICE: "INV",
        DocumentKind.CREDIT_NOTE: "CN",
    }

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("client"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # NULL, not "", until finalised: the unique constraint then ignores drafts.
    number = models.CharField(  # noqa: DJ001
        _("number"), max_length=32, null=True, blank=True, editable=False
    )
    number_year = models.PositiveSmallIntegerField(null=True, editable=False)
    number_sequence = models.PositiveIntegerField(null=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    expiry_date = models.DateField(_("valid until"), null=True, blank=True)
    requires_signature = models.BooleanField(_("requires signature"), default=False)
    hidden_from_portal = models.BooleanField(
        _("hidden from client's portal"), default=False
    )
    reminders_enabled = models.BooleanField(
        _("payment reminders"), default=True, editable=False
    )
    notes = models.TextField(
        _("notes for the client"), blank=True, max_length=NOTES_MAX_LENGTH
    )
    operation_category = models.CharField(
        _("invoice for"),
        max_length=8,
        choices=OperationCategory.choices,
        default=OperationCategory.SERVICES,
    )
    vat_exemption = models.CharField(
        _("reason for 0 % VAT"),
        max_length=16,
        choices=VatExemption.choices,
        blank=True,
        help_text=_("Required when a line carries 0 % VAT."),
    )
    # A credit note names the invoice it credits.
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    # A deposit invoice (facture d'acompte) names the accepted quote it bills
    # part of; the quote's invoice (`source_quote`) then deducts it.
    deposit_quote = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="deposit_invoices",
        verbose_name=_("deposit on quote"),
    )
    total_excl_tax = models.DecimalField(
        _("total excl. VAT"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    total_tax = models.DecimalField(
        _("VAT"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    total = models.DecimalField(
        _("total"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    amount_paid = models.DecimalField(
        _("amount paid"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    # Money given back (refunds) and money on its way (a bank debit Stripe has
    # not confirmed yet: counted nowhere until it succeeds).
    amount_refunded = models.DecimalField(
        _("amount refunded"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    amount_processing = models.DecimalField(
        _("payment processing"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    # What credit notes took off the invoice's total.
    amount_credited = models.DecimalField(
        _("amount credited"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
    )
    current_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    finalised_at = models.DateTimeField(null=True, editable=False)
    sent_at = models.DateTimeField(null=True, editable=False)
    # An invoice made from an accepted quote; a quote becomes one invoice at most.
    source_quote = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="converted_invoice",
        verbose_name=_("from quote"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[DocumentManager] = DocumentManager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=DocumentKind.INVOICE, status__in=INVOICE_STATUSES)
                    | Q(kind=DocumentKind.QUOTE, status__in=QUOTE_STATUSES)
                    | Q(kind=DocumentKind.CREDIT_NOTE, status__in=CREDIT_NOTE_STATUSES)
                ),
                name="document_status_fits_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", number__isnull=True)
                    | (~Q(status="draft") & Q(number__isnull=False))
                ),
                name="document_number_iff_final",
            ),
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=Q(number__isnull=False),
                name="document_number_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "number_year", "number_sequence"],
                condition=Q(number_sequence__isnull=False),
                name="document_sequence_unique",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="document_currency_iso_4217",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("issue_date")),
                name="document_due_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(expiry_date__gte=F("issue_date")),
                name="document_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="invoice", expiry_date__isnull=True, requires_signature=False
                )
                | Q(kind="quote", due_date__isnull=True)
                | Q(
                    kind="credit_note",
                    due_date__isnull=True,
                    expiry_date__isnull=True,
                    requires_signature=False,
                ),
                name="document_dates_fit_kind",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(total__gte=0),
                name="document_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(source_quote__isnull=True) | Q(kind="invoice"),
                name="document_source_quote_on_invoice",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_processing__gte=0),
                name="document_payment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0)
                & Q(amount_credited__lte=F("total")),
                name="document_credit_within_total",
            ),
            models.CheckConstraint(
                condition=Q(kind="credit_note", credited_invoice__isnull=False)
                | (~Q(kind="credit_note") & Q(credited_invoice__isnull=True)),
                name="document_credit_note_names_invoice",
            ),
            # A deposit invoice bills part of a quote; the quote's own invoice
            # is not a deposit.
            models.CheckConstraint(
                condition=Q(deposit_quote__isnull=True)
                | Q(kind="invoice", source_quote__isnull=True),
                name="document_deposit_on_invoice",
            ),
            models.CheckConstraint(
                condition=Q(operation_category__in=OperationCategory.values),
                name="document_operation_category_known",
            ),
            models.CheckConstraint(
                condition=Q(vat_exemption="")
                | Q(vat_exemption__in=VatExemption.values),
                name="document_vat_exemption_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["client", "kind", "status"], name="document_client_kind"
            ),
            # The portal reads a tab's settled documents newest first, a page at a
            # time, straight from this index (see portal.selectors.UrgentFirst).
            models.Index(
                fields=["client", "kind", "-issue_date", "-id"],
                condition=Q(hidden_from_portal=False) & ~Q(status="draft"),
                name="document_portal_recent",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(
            _("Draft %(kind)s") % {"kind": self.get_kind_display()}
        )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_deposit(self) -> bool:
        return self.deposit_quote_id is not None

    @property
    def amount_due(self) -> Decimal:
        """What the client still owes on it: the total, less the payments
        received, plus what was refunded, less what credit notes took off
        (negative when money is owed back to the client). In SQL:
        `amount_due_expression()`."""
        return (
            self.total - self.amount_paid + self.amount_refunded - self.amount_credited
        )


class Invoice(Document):
    """Invoices, deposit invoices and credit notes: their own back-office pages."""

    class Meta:
        proxy = True
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")


class Quote(Document):
    """Quotes: their own back-office pages."""

    class Meta:
        proxy = True
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")


def amount_due_expression() -> ExpressionWrapper:
    """`Document.amount_due` for the database (sums, filters): the same terms."""
    return ExpressionWrapper(
        F("total") - F("amount_paid") + F("amount_refunded") - F("amount_credited"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
    )


class DocumentLine(CompanyOwned):
    """One line of a document's working copy; finalised content lives in versions."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(
        _("description"), max_length=500, validators=[single_line]
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1")
    )
    unit_price = models.DecimalField(
        _("unit price (excl. VAT)"), max_digits=14, decimal_places=2
    )
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=4,
        decimal_places=1,
        choices=VAT_RATE_CHOICES,
        default=Decimal("20"),
    )

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__in=VAT_RATES), name="line_vat_rate_known"
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="line_has_description"
            ),
        ]

    def __str__(self) -> str:
        return self.description


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
    total_excl_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total_tax = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
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
        return f"{self.document} v{self.number}"


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
        return f"{self.version}: {self.attempts} attempt(s)"


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


class DocumentNumberSequence(CompanyOwned):
    """The last number used per company, kind and year; locked while finalising."""

    kind = models.CharField(max_length=16, choices=Document.Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "year"], name="number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"


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


class ClientEmailKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    REMINDER = "reminder", _("Reminder")
    PORTAL_LINK = "portal_link", _("Portal link")


class ClientEmailStatus(models.TextChoices):
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ClientEmail(CompanyOwned):
    """One e-mail to a client: a document, a reminder or its new portal link.

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
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
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
        return f"{self.get_kind_display()} — {self.client_id} ({self.status})"

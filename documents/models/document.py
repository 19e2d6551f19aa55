"""Quotes and invoices: their kinds, statuses and the document itself."""

from decimal import Decimal
from typing import ClassVar, Self

from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned, CompanyQuerySet, Timestamped
from companies.money import MoneyField, active_locale, format_rate
from companies.validators import NOTES_MAX_LENGTH, single_line

# The VAT rates a line may carry (France: standard, intermediate, reduced,
# super-reduced, and zero for exempt or reverse-charged supplies).
VAT_RATES = (Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))


def vat_rate_choices() -> list[tuple[Decimal, str]]:
    """The rates, labelled in the reader's language when they are read
    ("5,5 %" in French, "5.5%" in English): a callable, so migrations keep
    no label and each request gets its own."""
    locale = active_locale()
    return [(rate, format_rate(rate, locale)) for rate in VAT_RATES]


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
    # Late-payment interest and the recovery indemnity pay for no supply: they
    # are outside the scope of VAT (EN 16931 category O, "not subject to VAT").
    NOT_SUBJECT = "not_subject", _("Not subject to VAT (late-payment fees)")


class DocumentQuerySet(CompanyQuerySet):
    def finalised(self) -> Self:
        return self.exclude(status=Document.Status.DRAFT)

    def visible_in_portal(self) -> Self:
        return self.finalised().filter(hidden_from_portal=False)


DocumentManager = models.Manager.from_queryset(DocumentQuerySet)


class Document(CompanyOwned, Timestamped):
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
    # The owner gave up claiming them (French late-payment law, L441-10).
    late_interest_waived = models.BooleanField(
        _("late-payment interest waived"), default=False, editable=False
    )
    recovery_indemnity_waived = models.BooleanField(
        _("recovery indemnity waived"), default=False, editable=False
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
    # When the goods or services were delivered, if not on the issue date: a
    # day, or a period up to `delivery_end_date` (BT-72, BG-14).
    delivery_date = models.DateField(
        _("delivery date"),
        null=True,
        blank=True,
        help_text=_("Empty: the issue date. With an end date: the period's start."),
    )
    delivery_end_date = models.DateField(
        _("delivery period end"),
        null=True,
        blank=True,
        help_text=_("For services delivered over a period."),
    )
    # A French seller's invoice in another currency states its VAT in euros
    # too (CGI art. 242 nonies A; BR-FR-CO-12): euros for one unit of it.
    euro_rate = models.DecimalField(
        _("exchange rate to euros"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_(
            "Euros for one unit of the currency, on the issue date: required for "
            "an invoice not in euros from a French company."
        ),
    )
    purchase_order = models.CharField(
        _("purchase order reference"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_("The client's order number, if it gave one."),
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
    # An invoice made by "Correct this invoice" names the invoice it replaces
    # (which a credit note annulled): "replaces INV-…" / "replaced by INV-…".
    corrected_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="corrections",
        verbose_name=_("replaces"),
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
    # The invoice that bills this overdue invoice's late fees, once: from
    # then on it claims none (`documents.late_fees`). Deleting that draft
    # clears it, and the fees run again.
    late_fees_invoice = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="late_fees_of",
        verbose_name=_("late fees billed on"),
    )
    total_excl_tax = MoneyField(
        _("total excl. VAT"), default=Decimal("0"), editable=False
    )
    total_tax = MoneyField(_("VAT"), default=Decimal("0"), editable=False)
    total = MoneyField(_("total"), default=Decimal("0"), editable=False)
    amount_paid = MoneyField(_("amount paid"), default=Decimal("0"), editable=False)
    # Money given back (refunds) and money on its way (a bank debit Stripe has
    # not confirmed yet: counted nowhere until it succeeds).
    amount_refunded = MoneyField(
        _("amount refunded"), default=Decimal("0"), editable=False
    )
    amount_processing = MoneyField(
        _("payment processing"), default=Decimal("0"), editable=False
    )
    # What credit notes took off the invoice's total.
    amount_credited = MoneyField(
        _("amount credited"), default=Decimal("0"), editable=False
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
                condition=Q(delivery_end_date__isnull=True)
                | Q(
                    delivery_date__isnull=False,
                    delivery_end_date__gte=F("delivery_date"),
                ),
                name="document_delivery_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(corrected_invoice__isnull=True) | Q(kind="invoice"),
                name="document_correction_is_invoice",
            ),
            models.CheckConstraint(
                condition=Q(late_fees_invoice__isnull=True) | Q(kind="invoice"),
                name="document_late_fees_on_invoice",
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
        output_field=MoneyField(),
    )

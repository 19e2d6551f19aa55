"""Money received against invoices, and how it arrives.

- `Payment`: money for (part of) an invoice, by card (Stripe), by transfer or
  recorded by hand. One per Stripe payment intent, whatever announces it.
- `Refund`: money given back on a payment.
- `StripeAccount`: the company's own connected Stripe account (Connect); card
  payments are direct charges on it, never on the platform.
- `CheckoutSession`: each Stripe Checkout Session we opened, so an event can be
  checked against what we asked for (invoice, amount, currency).
- `StripeEvent`: every webhook delivery we accepted, once per event id, with
  what we did with it (append-only); discrepancies are the ones not applied.
- `TransferDeclaration`: a client saying "I have paid by transfer".
- `TransferBatch`: several invoices of a client paid by one bank transfer, under
  one RF reference (`TransferBatchLine`: each invoice and the amount it asked).
- `Receipt`: what the client is given for every payment received, numbered
  per company and year without gaps (`ReceiptNumberSequence`).
"""

from decimal import Decimal
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.models import Company, CompanyOwned, CompanyQuerySet, Timestamped
from companies.money import MoneyField, format_money_active
from documents.models import ClientEmail, document_storage


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Bank transfer")
    MANUAL = "manual", _("Recorded by hand")


class PaymentStatus(models.TextChoices):
    # A bank debit started through Checkout that Stripe has not confirmed yet.
    PENDING = "pending", _("Processing")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class PaymentQuerySet(CompanyQuerySet):
    def succeeded(self) -> Self:
        return self.filter(status=PaymentStatus.SUCCEEDED)

    def overpaid(self) -> Self:
        return self.filter(overpaid_amount__gt=0)


PaymentManager = models.Manager.from_queryset(PaymentQuerySet)


class Payment(CompanyOwned, Timestamped):
    """A payment of (part of) an invoice, by card, by transfer or recorded by hand."""

    Method = PaymentMethod
    Status = PaymentStatus

    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("invoice"),
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # The Stripe payment intent id for card payments; NULL for the others, so
    # that uniqueness binds only real references: one payment per intent.
    provider_reference = models.CharField(  # noqa: DJ001
        _("provider reference"), max_length=255, null=True, blank=True
    )
    checkout_session_id = models.CharField(
        _("Checkout Session"), max_length=255, blank=True
    )
    # Received above what the invoice still asked for (paid twice, or after it
    # was canceled): recorded, since it was received, and flagged for review.
    overpaid_amount = MoneyField(_("overpaid"), default=0)
    amount_refunded = MoneyField(_("refunded"), default=0)
    received_at = models.DateTimeField(_("received at"), null=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects: ClassVar[PaymentManager] = PaymentManager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values),
                name="payment_method_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values),
                name="payment_status_known",
            ),
            models.UniqueConstraint(
                fields=["provider_reference"],
                condition=Q(provider_reference__isnull=False),
                name="payment_provider_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(overpaid_amount__gte=0)
                & Q(overpaid_amount__lte=models.F("amount")),
                name="payment_overpaid_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0)
                & Q(amount_refunded__lte=models.F("amount")),
                name="payment_refunded_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(method=PaymentMethod.CARD)
                | Q(status=PaymentStatus.SUCCEEDED),
                name="payment_only_cards_wait",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-received_at"], name="payment_recent"),
        ]

    def __str__(self) -> str:
        # In the reader's language: page titles, breadcrumbs, messages.
        return f"{format_money_active(self.amount, self.currency)} — {self.invoice}"

    @property
    def refundable_amount(self) -> Decimal:
        return self.amount - self.amount_refunded


class Refund(CompanyOwned):
    """Money given back on a payment: by Stripe for a card, by hand otherwise."""

    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("payment"),
    )
    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("invoice"),
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    # For a card payment: the charge and how much Stripe says was refunded on it
    # in all once this refund counts ("ch_…:1500"), whoever announced it first
    # (our own refund call or the charge.refunded webhook). NULL by hand.
    provider_reference = models.CharField(  # noqa: DJ001
        _("provider reference"), max_length=255, null=True, blank=True
    )
    refunded_at = models.DateTimeField(_("refunded at"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="refund_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["provider_reference"],
                condition=Q(provider_reference__isnull=False),
                name="refund_provider_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"−{format_money_active(self.amount, self.currency)} — {self.invoice}"


class StripeAccount(CompanyOwned, Timestamped):
    """The company's own Stripe account, connected to our platform (Connect).

    Kept when disconnected, so that connecting again reuses the same account and
    a late event for it is still recognised as the company's.
    """

    account_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    is_connected = models.BooleanField(_("connected"), default=True)
    charges_enabled = models.BooleanField(_("can take card payments"), default=False)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    checked_at = models.DateTimeField(_("checked at"), null=True)

    class Meta:
        verbose_name = _("Stripe connection")
        verbose_name_plural = _("Stripe connection")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="stripe_account_one_per_company"
            ),
            models.CheckConstraint(
                condition=Q(account_id__startswith="acct_"),
                name="stripe_account_id_format",
            ),
        ]

    def __str__(self) -> str:
        return self.account_id

    @property
    def can_take_payments(self) -> bool:
        return self.is_connected and self.charges_enabled


class CheckoutSession(CompanyOwned):
    """A Stripe Checkout Session we opened for an invoice, as we asked for it."""

    session_id = models.CharField(max_length=255, unique=True)
    account_id = models.CharField(max_length=255)
    invoice = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+"
    )
    version_number = models.PositiveIntegerField()
    amount = MoneyField()
    currency = models.CharField(max_length=3)
    url = models.URLField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Checkout Session")
        verbose_name_plural = _("Checkout Sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="checkout_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.session_id


class CheckoutSessionLine(CompanyOwned):
    """One invoice of a Checkout Session that pays several at once: the amount
    due we asked for it. The session's own `invoice` is the batch's first."""

    checkout = models.ForeignKey(
        CheckoutSession, on_delete=models.CASCADE, related_name="lines"
    )
    invoice = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+"
    )
    version_number = models.PositiveIntegerField()
    amount = MoneyField()

    class Meta:
        verbose_name = _("Checkout Session line")
        verbose_name_plural = _("Checkout Session lines")
        constraints = [
            models.UniqueConstraint(
                fields=["checkout", "invoice"], name="checkout_line_once"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="checkout_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkout_id}: {self.invoice_id}"


class StripeEventOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Nothing to do")
    DISCREPANCY = "discrepancy", _("Discrepancy: not applied")


class StripeEventQuerySet(CompanyQuerySet):
    def discrepancies(self) -> Self:
        return self.filter(outcome=StripeEventOutcome.DISCREPANCY)


StripeEventManager = models.Manager.from_queryset(StripeEventQuerySet)


class StripeEvent(CompanyOwned, AppendOnly):
    """One Stripe webhook event, stored once per event id, never changed.

    Written with its outcome, in the transaction that applied it (or not). The
    company is the one the event concerns, when known: an event naming no
    invoice and no account of ours belongs to nobody.
    """

    Outcome = StripeEventOutcome

    # Nullable here: an event may concern no company of ours.
    company = models.ForeignKey(  # type: ignore[assignment]
        Company, on_delete=models.PROTECT, null=True, related_name="+"
    )
    event_id = models.CharField(_("event"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    account_id = models.CharField(_("account"), max_length=255, blank=True)
    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("invoice"),
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(_("received at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # A short code saying why (e.g. "account_mismatch", "payment_recorded").
    reason = models.CharField(_("reason"), max_length=64)

    objects: ClassVar[StripeEventManager] = StripeEventManager()

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=StripeEventOutcome.values),
                name="stripe_event_outcome_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "outcome", "-received_at"],
                name="stripe_event_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class TransferDeclarationQuerySet(CompanyQuerySet):
    def waiting(self) -> Self:
        """Neither recorded nor rejected: the owner has yet to answer."""
        return self.filter(payment__isnull=True, rejected_at__isnull=True)


TransferDeclarationManager = models.Manager.from_queryset(TransferDeclarationQuerySet)


class TransferDeclaration(CompanyOwned, Timestamped):
    """The client says it paid the invoice by bank transfer (changes no status).

    The owner records the payment once it shows on the bank account; the
    declaration then points at that payment. A transfer that never arrives is
    rejected: the invoice is plainly to pay again, and may be declared anew.
    """

    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="transfer_declarations",
        verbose_name=_("invoice"),
    )
    amount = MoneyField(_("amount due then"))
    paid_on_date = models.DateField(_("paid on (says the client)"), null=True)
    declared_at = models.DateTimeField(_("declared at"))
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded payment"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    # Declared with others, as one transfer: recorded or rejected all at once.
    batch = models.ForeignKey(
        "TransferBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("paid with"),
    )

    objects: ClassVar[TransferDeclarationManager] = TransferDeclarationManager()

    class Meta:
        verbose_name = _("declared transfer")
        verbose_name_plural = _("declared transfers")
        constraints = [
            # One open declaration per invoice: pressing the button again
            # changes nothing.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(payment__isnull=True, rejected_at__isnull=True),
                name="transfer_declaration_one_open",
            ),
            models.CheckConstraint(
                condition=Q(payment__isnull=True) | Q(rejected_at__isnull=True),
                name="transfer_declaration_recorded_or_rejected",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="transfer_declaration_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(self.invoice)


class TransferBatchQuerySet(CompanyQuerySet):
    def waiting(self) -> Self:
        """Neither recorded nor rejected: the transfer may still come."""
        return self.filter(recorded_at__isnull=True, rejected_at__isnull=True)


TransferBatchManager = models.Manager.from_queryset(TransferBatchQuerySet)


class TransferBatch(CompanyOwned, Timestamped):
    """Several invoices of one client, in one currency, paid by one bank
    transfer: one RF creditor reference and one EPC QR code for the total.

    Opened when the client asks for the details (a page of its own, at an
    address no one can guess: `public_id`); declared when the client says it
    sent the transfer (one `TransferDeclaration` per invoice, pointing here);
    recorded by the owner once the money shows on the account (a payment per
    invoice), or rejected when it never comes.
    """

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("client"),
    )
    public_id = models.CharField(max_length=32, unique=True)
    # The ISO 11649 reference, compact (RF47PAY12345678): what the bank line says.
    reference = models.CharField(_("payment reference"), max_length=25)
    currency = models.CharField(_("currency"), max_length=3)
    amount = MoneyField(_("amount"))
    opened_at = models.DateTimeField(_("asked at"))
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    paid_on_date = models.DateField(_("paid on (says the client)"), null=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )

    objects: ClassVar[TransferBatchManager] = TransferBatchManager()

    class Meta:
        verbose_name = _("transfer for several invoices")
        verbose_name_plural = _("transfers for several invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"], name="transfer_batch_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="transfer_batch_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(recorded_at__isnull=True) | Q(rejected_at__isnull=True),
                name="transfer_batch_recorded_or_rejected",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TransferBatchLine(CompanyOwned):
    """One invoice of a transfer for several: the amount due it asked for, and
    the payment recorded for it once the transfer arrived."""

    batch = models.ForeignKey(
        TransferBatch, on_delete=models.CASCADE, related_name="lines"
    )
    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invoice"),
    )
    amount = MoneyField(_("amount"))
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded payment"),
    )

    class Meta:
        verbose_name = _("invoice paid with others")
        verbose_name_plural = _("invoices paid with others")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "invoice"], name="transfer_batch_line_once"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="transfer_batch_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.invoice_id}"


class Overpayment(Payment):
    """Payments that brought more than was due: the owner's list to review."""

    class Meta:
        proxy = True
        verbose_name = _("overpayment")
        verbose_name_plural = _("overpayments")


class Discrepancy(StripeEvent):
    """Stripe events stored but not applied: the owner's list to review."""

    class Meta:
        proxy = True
        verbose_name = _("discrepancy")
        verbose_name_plural = _("Stripe discrepancies")


class ReceiptNumberSequence(CompanyOwned):
    """The last receipt number used per company and year; locked while issuing
    (the mechanism of `documents.DocumentNumberSequence`)."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "year"], name="receipt_number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Receipt(CompanyOwned):
    """The receipt of one payment received: who paid, what, how, when, and what
    was left to pay then. Written with the payment, in its transaction, and
    never changed but for its PDF (printed once, off the request path) and the
    e-mail that carried it."""

    NUMBER_PREFIX = "REC"

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt"
    )
    invoice = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("invoice"),
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=32)
    number_year = models.PositiveSmallIntegerField()
    number_sequence = models.PositiveIntegerField()
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    received_at = models.DateTimeField(_("received at"))
    # What the invoice still asked for once this payment was counted.
    amount_due_after = MoneyField(_("left to pay"))
    issued_at = models.DateTimeField(_("issued at"))
    pdf_file = models.FileField(storage=document_storage, blank=True, max_length=255)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    email = models.OneToOneField(
        ClientEmail, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="receipt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "number_year", "number_sequence"],
                name="receipt_sequence_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="receipt_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values),
                name="receipt_method_known",
            ),
        ]

    def __str__(self) -> str:
        return self.number

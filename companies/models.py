"""The tenant: a company, its members and their roles."""

from typing import Self

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.append_only import AppendOnly
from companies.payment_terms import MAX_TERM_DAYS, TERM_DAYS_VALIDATORS
from companies.validators import ADDRESS_MAX_LENGTH, single_line


class Timestamped(models.Model):
    """When a row was made and last changed: for audit only, never a business
    time (services take `now`)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Locale(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class LegalForm(models.TextChoices):
    """A French business's legal form: what its invoices must then state."""

    INDIVIDUAL = "ei", _("Sole trader (EI)")
    EURL = "eurl", _("EURL")
    SARL = "sarl", _("SARL")
    SASU = "sasu", _("SASU")
    SAS = "sas", _("SAS")
    SA = "sa", _("SA")
    SNC = "snc", _("SNC")
    OTHER = "other", _("Other")


# Commercial companies: registered at a commercial court's registry (RCS,
# named by its city) with a share capital, both printed on their invoices
# (French commercial code, art. R123-237 and R123-238).
FORMS_WITH_RCS_AND_CAPITAL = frozenset(
    {
        LegalForm.EURL,
        LegalForm.SARL,
        LegalForm.SASU,
        LegalForm.SAS,
        LegalForm.SA,
        LegalForm.SNC,
    }
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra
    ) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to the back office with an e-mail and a password."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(
        _("full name"), max_length=200, blank=True, validators=[single_line]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    notify_client_activity = models.BooleanField(
        _("e-mail me about client activity"),
        default=True,
        help_text=_(
            "When a client first opens a document, pays, signs or declines a "
            "quote, or declares a transfer."
        ),
    )
    date_joined = models.DateTimeField(_("joined at"), default=timezone.now)
    # The back office speaks it for this member whatever the company's or the
    # browser's language; blank until they choose (the browser's then).
    language = models.CharField(
        _("back-office language"),
        max_length=2,
        choices=Locale.choices,
        blank=True,
        default="",
        help_text=_("Blank: your browser's language."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012 - Django reads a plain class list

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(language="") | Q(language__in=Locale.values),
                name="user_language_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    # The back office greets the member by these ("Welcome, Camille Durand").
    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


# Who did something: a signed-in member, or None for the system or a client.
Actor = User | None


class Company(Timestamped):
    """A business that issues quotes and invoices: the tenant."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, validators=[single_line]
    )
    address = models.TextField(_("address"), blank=True, max_length=ADDRESS_MAX_LENGTH)
    vat_number = models.CharField(
        _("VAT number"), max_length=32, blank=True, validators=[single_line]
    )
    registration_number = models.CharField(
        _("SIREN or registration number"),
        max_length=32,
        blank=True,
        validators=[single_line],
        help_text=_("In France, the SIREN (nine digits)."),
    )
    legal_form = models.CharField(
        _("legal form"), max_length=8, choices=LegalForm.choices, blank=True
    )
    rcs_city = models.CharField(
        _("RCS city"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_(
            "The city of the commercial court where the company is registered "
            "(RCS Paris): required for a commercial company."
        ),
    )
    share_capital = models.DecimalField(
        _("share capital"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In the default currency: required for a commercial company."),
    )
    electronic_address = models.CharField(
        _("electronic invoicing address"),
        max_length=125,
        blank=True,
        validators=[single_line],
        help_text=_(
            "Where you receive e-invoices. Empty: your SIREN in the French "
            "directory (scheme 0225), else your contact e-mail."
        ),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="FR",
        help_text=_("ISO 3166 code: FR, BE, GB…"),
    )
    vat_on_debits = models.BooleanField(
        _("VAT on debits"),
        default=False,
        help_text=_(
            "Opted to pay VAT on services when invoiced rather than when paid."
        ),
    )
    late_payment_rate = models.DecimalField(
        _("late-payment penalty rate (% a year)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Blank: the legal rate, the ECB's refinancing rate plus 10 points."
        ),
    )
    early_payment_discount = models.CharField(
        _("early-payment discount"),
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=_("Blank: invoices say no discount is given for early payment."),
    )
    email = models.EmailField(_("contact e-mail"), blank=True)
    iban = models.CharField(
        _("IBAN"), max_length=34, blank=True, validators=[single_line]
    )
    bic = models.CharField(
        _("BIC"), max_length=11, blank=True, validators=[single_line]
    )
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="EUR"
    )
    default_locale = models.CharField(
        _("default language"),
        max_length=2,
        choices=Locale.choices,
        default=Locale.FRENCH,
    )
    has_receivables_addon = models.BooleanField(
        _("Accounts Receivable add-on"),
        default=False,
        help_text=_("Clients have a portal only while the add-on is active."),
    )
    reminder_days = models.CharField(
        _("invoice reminders"),
        max_length=60,
        blank=True,
        # The dunning plan: 3 days before, the day itself, then a week, two
        # weeks and a month late.
        default="-3,0,7,15,30",
        help_text=_(
            "Days from the due date, comma-separated: -3 is three days before, "
            "0 the day itself, 7 a week after. Empty: no reminders."
        ),
    )
    quote_reminder_days = models.PositiveSmallIntegerField(
        _("quote reminder (days before expiry)"),
        null=True,
        blank=True,
        default=3,
        help_text=_("Empty: quotes get no reminder."),
    )
    payment_terms_days = models.SmallIntegerField(
        _("payment terms (days)"),
        default=30,
        validators=TERM_DAYS_VALIDATORS,
        help_text=_(
            "Days a client has to pay an invoice, from its issue date (0: on "
            "receipt). A new invoice's due date is computed from them."
        ),
    )
    payment_terms_end_of_month = models.BooleanField(
        _("end of month"),
        default=False,
        help_text=_(
            "Then move the due date to the last day of that month (30 days end "
            "of month)."
        ),
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_currency__regex=r"^[A-Z]{3}$"),
                name="company_currency_iso_4217",
            ),
            models.CheckConstraint(
                condition=Q(default_locale__in=Locale.values),
                name="company_default_locale_known",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"),
                name="company_country_iso_3166",
            ),
            models.CheckConstraint(
                condition=Q(payment_terms_days__gte=0)
                & Q(payment_terms_days__lte=MAX_TERM_DAYS),
                name="company_payment_terms_in_range",
            ),
            models.CheckConstraint(
                condition=Q(late_payment_rate__isnull=True)
                | Q(late_payment_rate__gte=0),
                name="company_late_payment_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(legal_form="") | Q(legal_form__in=LegalForm.values),
                name="company_legal_form_known",
            ),
            models.CheckConstraint(
                condition=Q(share_capital__isnull=True) | Q(share_capital__gt=0),
                name="company_share_capital_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The most reminder days a company may set, and how far from the due date.
REMINDER_DAYS_MAX = 8
REMINDER_DAYS_RANGE = range(-60, 366)


def reminder_offsets(value: str) -> list[int]:
    """The days from the due date that `Company.reminder_days` lists, sorted;
    what is not a whole number in range is left out (the form refuses it)."""
    offsets = set()
    for part in value.replace(";", ",").split(","):
        try:
            day = int(part.strip())
        except ValueError:
            continue
        if day in REMINDER_DAYS_RANGE:
            offsets.add(day)
    return sorted(offsets)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    REPORTING = "reporting", _("Reporting")


class Membership(Timestamped):
    """A user's place in a company, and so what they may do there."""

    Role = Role

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="membership_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.company} ({self.get_role_display()})"

    @property
    def can_change_receivables(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def can_view_receivables(self) -> bool:
        return self.role != self.Role.MANAGER


class CompanyQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> Self:
        if company is None:  # fail closed: an unscoped query must be written on purpose
            raise ValueError("for_company() needs a Company, got None")
        return self.filter(company=company)


class CompanyOwned(models.Model):
    """A row that belongs to one company and is read through `for_company`."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")

    objects = CompanyQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditKind(models.TextChoices):
    SETTINGS_CHANGED = "settings_changed", _("Company settings changed")
    BRAND_CHANGED = "brand_changed", _("Brand kit changed")
    PORTAL_LINK_ROTATED = "portal_link_rotated", _("Portal link rotated")
    PORTAL_LINK_DISABLED = "portal_link_disabled", _("Portal link disabled")
    PORTAL_LINK_ENABLED = "portal_link_enabled", _("Portal link enabled again")
    DRAFT_DELETED = "draft_deleted", _("Draft deleted")
    CLIENT_ARCHIVED = "client_archived", _("Client archived")
    CLIENT_RESTORED = "client_restored", _("Client restored")
    CLIENT_DELETED = "client_deleted", _("Client deleted")
    STRIPE_CONNECTED = "stripe_connected", _("Stripe connected")
    STRIPE_DISCONNECTED = "stripe_disconnected", _("Stripe disconnected")


class AuditEvent(CompanyOwned, AppendOnly):
    """Who changed what the company shows or how its clients get in.

    Documents keep their own history (`DocumentEvent`); this is the rest.
    """

    Kind = AuditKind

    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    # What it happened to, named without a foreign key: `companies` is the base
    # app and knows nothing of clients or brand kits.
    subject_type = models.CharField(max_length=100)
    subject_id = models.PositiveBigIntegerField(null=True)
    subject_name = models.CharField(_("subject"), max_length=200, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity log")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AuditKind.values), name="audit_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["company", "-at"], name="audit_company_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject_name}"

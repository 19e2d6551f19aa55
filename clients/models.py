"""A company's clients, each with one private portal link."""

from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.portal_link import portal_token_decrypt
from companies.models import CompanyOwned, CompanyQuerySet, Locale, Timestamped
from companies.payment_terms import MAX_TERM_DAYS, TERM_DAYS_VALIDATORS
from companies.validators import ADDRESS_MAX_LENGTH, single_line

# A client has a working portal when its company has the Accounts Receivable
# add-on and its link is enabled: `Client.has_portal`, and this in SQL.
HAS_PORTAL = models.Q(
    company__has_receivables_addon=True, portal_disabled_at__isnull=True
)


class ClientQuerySet(CompanyQuerySet):
    def with_portal(self) -> Self:
        """The clients whose portal link opens (`Client.has_portal`)."""
        return self.filter(HAS_PORTAL)

    def active(self) -> Self:
        """The clients the business works with: not archived. Lists and
        pickers offer these; an archived client's portal link still works."""
        return self.filter(archived_at__isnull=True)


ClientManager = models.Manager.from_queryset(ClientQuerySet)


class Client(CompanyOwned, Timestamped):
    """Someone a company sends quotes and invoices to.

    The portal token is the whole capability: 256 random bits. It is looked up
    by its SHA-256 (so a timing difference in the index says nothing about the
    token) and stored only encrypted (`clients.portal_link`): `portal_token`
    decrypts it, to show or e-mail the link.
    """

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    email = models.EmailField(_("e-mail address"), blank=True)
    address = models.TextField(_("address"), blank=True, max_length=ADDRESS_MAX_LENGTH)
    vat_number = models.CharField(
        _("VAT number"), max_length=32, blank=True, validators=[single_line]
    )
    is_business = models.BooleanField(
        _("business client"),
        default=True,
        help_text=_("A company or a professional, not a private person."),
    )
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        help_text=_("Nine digits; required on invoices to a business in France."),
    )
    electronic_address = models.CharField(
        _("electronic invoicing address"),
        max_length=125,
        blank=True,
        validators=[single_line],
        help_text=_(
            "Where the client receives e-invoices, if it gave one. Empty: its "
            "SIREN in the French directory (scheme 0225), else its e-mail."
        ),
    )
    # A French public buyer (State, local authority, hospital…): its invoices
    # go through Chorus Pro when its directory line names no platform.
    is_public_buyer = models.BooleanField(
        _("public buyer"),
        default=False,
        help_text=_("A French public body, invoiced through Chorus Pro."),
    )
    # BT-10 (BuyerReference): the public buyer's "code service". Kept on the
    # client (a public buyer gives one per service it buys for; a client per
    # service is how owners already split them) and frozen into each invoice.
    service_code = models.CharField(
        _("service code"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_(
            "The public buyer's service code (code service), when it asks for one."
        ),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="FR",
        help_text=_("ISO 3166 code: FR, BE, GB…"),
    )
    delivery_address = models.TextField(
        _("delivery address"),
        blank=True,
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("Only when goods or services go elsewhere than the address."),
    )
    locale = models.CharField(
        _("language"), max_length=2, choices=Locale.choices, default=Locale.FRENCH
    )
    portal_token_encrypted = models.CharField(max_length=255, editable=False)
    portal_token_digest = models.CharField(max_length=64, unique=True, editable=False)
    portal_token_issued_at = models.DateTimeField(editable=False)
    portal_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Set while an owner or admin has switched the link off: it answers 404.
    portal_disabled_at = models.DateTimeField(null=True, editable=False)
    extra_emails = models.TextField(
        _("other recipients"),
        blank=True,
        help_text=_("More e-mail addresses that receive documents, one per line."),
    )
    reminders_enabled = models.BooleanField(
        _("payment reminders"),
        default=True,
        help_text=_("Send this client the company's reminder e-mails."),
    )
    # Empty: the company's terms apply.
    payment_terms_days = models.SmallIntegerField(
        _("payment terms (days)"),
        null=True,
        blank=True,
        validators=TERM_DAYS_VALIDATORS,
        help_text=_("Empty: the company's payment terms apply."),
    )
    payment_terms_end_of_month = models.BooleanField(
        _("end of month"),
        default=False,
        help_text=_("With this client's own terms: due the last day of that month."),
    )
    # Set while the client is archived: out of lists and pickers, never deleted
    # (its documents keep it), its portal link working as before.
    archived_at = models.DateTimeField(_("archived at"), null=True, editable=False)

    objects: ClassVar[ClientManager] = ClientManager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(locale__in=Locale.values), name="client_locale_known"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="client_name_not_empty"),
            models.CheckConstraint(
                condition=Q(payment_terms_days__isnull=True)
                | (
                    Q(payment_terms_days__gte=0)
                    & Q(payment_terms_days__lte=MAX_TERM_DAYS)
                ),
                name="client_payment_terms_in_range",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"),
                name="client_country_iso_3166",
            ),
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"),
                name="client_siren_nine_digits",
            ),
        ]
        indexes = [models.Index(fields=["company", "name"], name="client_company_name")]

    def __str__(self) -> str:
        return self.name

    def __getstate__(self) -> dict[str, Any]:
        # A pickled client (a cache, a task) never carries the token in clear.
        state: dict[str, Any] = super().__getstate__()
        state.pop("_portal_token", None)
        return state

    @property
    def portal_token(self) -> str:
        """The link's token, decrypted: to show or e-mail the link, nothing else.

        :raises PortalLinkUnreadable: no key of PORTAL_TOKEN_KEYS decrypts it.
        """
        known = self.__dict__.get("_portal_token")
        if known is None or known[0] != self.portal_token_encrypted:
            known = (
                self.portal_token_encrypted,
                portal_token_decrypt(self.portal_token_encrypted),
            )
            self._portal_token = known
        return known[1]

    def portal_token_remember(self, token: str) -> None:
        """The token is known already (the request's own link, checked against
        the digest; a token just issued): no need to decrypt it."""
        self._portal_token = (self.portal_token_encrypted, token)

    @property
    def recipients(self) -> list[str]:
        """Every address documents go to: the main one first, no duplicates."""
        found: list[str] = []
        for address in [self.email, *email_lines(self.extra_emails)]:
            if address and address.lower() not in (seen.lower() for seen in found):
                found.append(address)
        return found

    @property
    def portal_enabled(self) -> bool:
        return self.portal_disabled_at is None

    @property
    def has_portal(self) -> bool:
        """Its portal link opens: the company has the add-on, the link is
        enabled (`HAS_PORTAL` in SQL)."""
        return self.company.has_receivables_addon and self.portal_enabled

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def email_lines(text: str) -> list[str]:
    """The addresses in a text of one per line (commas and semicolons too)."""
    for separator in ",;":
        text = text.replace(separator, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


def validate_email_lines(text: str) -> None:
    """Every address in `text` (see `email_lines`) is a valid e-mail address."""
    for address in email_lines(text):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("%(address)s is not a valid e-mail address."),
                code="invalid_email",
                params={"address": address},
            ) from None


class ClientPortalAccess(CompanyOwned):
    """A client's portal opened in a real browser (the page's beacon): when,
    which document, from roughly where and with what. Never the token, never
    the full address or user agent."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="portal_accesses"
    )
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("document"),
    )
    at = models.DateTimeField(_("opened at"))
    network = models.CharField(_("network"), max_length=50, blank=True)
    browser = models.CharField(_("browser"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal accesses")
        indexes = [
            models.Index(fields=["client", "-at"], name="portal_access_client_at")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.at:%Y-%m-%d %H:%M}"

"""A company's clients, each with one private portal link."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned, Locale


class Client(CompanyOwned):
    """Someone a company sends quotes and invoices to.

    The portal token is the whole capability: 256 random bits. It is looked up
    by its SHA-256 (so a timing difference in the index says nothing about the
    token) and then compared in constant time.
    """

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    address = models.TextField(_("address"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    locale = models.CharField(
        _("language"), max_length=2, choices=Locale.choices, default=Locale.FRENCH
    )
    portal_token = models.CharField(max_length=64, editable=False)
    portal_token_digest = models.CharField(max_length=64, unique=True, editable=False)
    portal_token_issued_at = models.DateTimeField(editable=False)
    portal_revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["portal_token"], name="client_portal_token_unique"
            ),
            models.CheckConstraint(
                condition=Q(locale__in=Locale.values), name="client_locale_known"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="client_name_not_empty"),
        ]
        indexes = [models.Index(fields=["company", "name"], name="client_company_name")]

    def __str__(self) -> str:
        return self.name

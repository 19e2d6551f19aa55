"""The company's catalogue: the products and services its lines reuse."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned, Timestamped
from companies.money import MoneyField
from companies.validators import single_line
from documents.models.document import VAT_RATES, vat_rate_choices


class CatalogueItem(CompanyOwned, Timestamped):
    """A product or service: picking it in a line fills its description,
    unit price and VAT rate (the line is then the owner's to change)."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    unit = models.CharField(
        _("unit"),
        max_length=20,
        blank=True,
        validators=[single_line],
        help_text=_("Hour, day, piece…: shown when picking it."),
    )
    unit_price = MoneyField(_("unit price (excl. VAT)"))
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=4,
        decimal_places=1,
        choices=vat_rate_choices,
        default=Decimal("20"),
    )

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("catalogue")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="catalogue_item_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="catalogue_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__in=VAT_RATES), name="catalogue_vat_rate_known"
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="catalogue_item_has_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

"""The lines of a draft document."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyOwned
from companies.money import MoneyField
from companies.validators import single_line
from documents.models.document import VAT_RATES, Document, vat_rate_choices


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
    unit_price = MoneyField(_("unit price (excl. VAT)"))
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=4,
        decimal_places=1,
        choices=vat_rate_choices,
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

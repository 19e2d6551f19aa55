"""How a company looks to its clients: name, logo and colours."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branding.colours import DEFAULT_ACCENT, DEFAULT_PRIMARY, HEX_COLOUR_PATTERN
from companies.models import CompanyOwned, Timestamped
from companies.validators import single_line

DISPLAY_NAME_MAX_LENGTH = 200


class BrandKit(CompanyOwned, Timestamped):
    """A company's brand as its clients see it in the portal, PDFs and e-mails."""

    display_name = models.CharField(
        _("display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        validators=[single_line],
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default=DEFAULT_PRIMARY
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT
    )

    class Meta:
        verbose_name = _("brand kit")
        verbose_name_plural = _("brand kits")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="brand_kit_one_per_company"
            ),
            models.CheckConstraint(
                condition=Q(primary_colour__regex=HEX_COLOUR_PATTERN),
                name="brand_primary_hex",
            ),
            models.CheckConstraint(
                condition=Q(accent_colour__regex=HEX_COLOUR_PATTERN),
                name="brand_accent_hex",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

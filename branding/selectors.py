"""Reads of a company's brand, as every portal page, icon and manifest uses it."""

from dataclasses import dataclass

from branding.colours import DEFAULT_ACCENT, DEFAULT_PRIMARY, Palette, palette_for
from branding.models import BrandKit
from companies.models import Company


@dataclass(frozen=True)
class Brand:
    """What a client sees of a company: name, logo (a storage name) and palette."""

    name: str
    logo_name: str
    palette: Palette
    version: str  # changes whenever the kit does, for cache keys and URLs

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_name)


def brand_for_company(*, company: Company) -> Brand:
    """The company's brand kit, or its name and the default colours without one."""
    kit = (
        BrandKit.objects.for_company(company)
        .only("display_name", "logo", "primary_colour", "accent_colour", "updated_at")
        .order_by("-pk")
        .first()
    )
    if kit is None:
        return Brand(
            name=company.name,
            logo_name="",
            palette=palette_for(primary=DEFAULT_PRIMARY, accent=DEFAULT_ACCENT),
            version="default",
        )
    return Brand(
        name=kit.display_name or company.name,
        logo_name=kit.logo.name or "",
        palette=palette_for(primary=kit.primary_colour, accent=kit.accent_colour),
        version=f"{kit.pk}-{kit.updated_at:%Y%m%d%H%M%S%f}",
    )

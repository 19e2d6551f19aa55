"""Reads of a company's brand, as every portal page, icon and manifest uses it."""

import functools
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage

from branding.colours import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    Palette,
    logo_plate,
    palette_for,
)
from branding.images import MAX_LOGO_BYTES, logo_luminance
from branding.models import BrandKit
from companies.models import Company

logger = logging.getLogger(__name__)


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


@functools.lru_cache(maxsize=256)
def _palette(primary: str, accent: str) -> Palette:
    """`palette_for`, remembered: the contrast search depends on the colours only."""
    return palette_for(primary=primary, accent=accent)


def brand_values(*, company: Company) -> dict[str, str] | None:
    """The company's brand kit as plain strings, small enough for any cache;
    None without a kit. `brand_from_values` turns them into a `Brand`."""
    kit = (
        BrandKit.objects.for_company(company)
        .only("display_name", "logo", "primary_colour", "accent_colour", "updated_at")
        .order_by("-pk")
        .first()
    )
    if kit is None:
        return None
    return {
        "display_name": kit.display_name,
        "logo_name": kit.logo.name or "",
        "primary_colour": kit.primary_colour,
        "accent_colour": kit.accent_colour,
        "version": f"{kit.pk}-{kit.updated_at:%Y%m%d%H%M%S%f}",
    }


def brand_from_values(*, company: Company, values: dict[str, str] | None) -> Brand:
    """The brand for `brand_values`' output; the company's own name is read live,
    so a cached kit never holds on to an old one."""
    if values is None:
        return Brand(
            name=company.name,
            logo_name="",
            palette=_palette(DEFAULT_PRIMARY, DEFAULT_ACCENT),
            version="default",
        )
    return Brand(
        name=values["display_name"] or company.name,
        logo_name=values["logo_name"],
        palette=_palette(values["primary_colour"], values["accent_colour"]),
        version=values["version"],
    )


def brand_for_company(*, company: Company) -> Brand:
    """The company's brand kit, or its name and the default colours without one."""
    return brand_from_values(company=company, values=brand_values(company=company))


def brand_logo_plate(*, brand: Brand) -> str:
    """The surface the brand's logo needs on its primary colour (the portal's
    header): "", "light" or "dark" (`branding.colours.logo_plate`)."""
    png = brand_logo_png(brand=brand)
    if png is None:
        return ""
    try:
        luminance = logo_luminance(png)
    except (OSError, ValueError, SyntaxError):
        logger.warning("Logo %s could not be measured", brand.logo_name[:200])
        return ""
    return logo_plate(
        logo_luminance=luminance, background=brand.palette.primary.background
    )


def brand_logo_png(*, brand: Brand) -> bytes | None:
    """The brand's stored logo (a PNG `branding.images` made), or None when there
    is none or it cannot be read."""
    if not brand.has_logo:
        return None
    try:
        with default_storage.open(brand.logo_name, "rb") as stored:
            data = stored.read(MAX_LOGO_BYTES + 1)
    except OSError:
        logger.warning("Logo %s could not be read", brand.logo_name[:200])
        return None
    return data if 0 < len(data) <= MAX_LOGO_BYTES else None

"""Every change to a company's brand kit."""

import datetime as dt
import secrets
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from branding.colours import InvalidColour, colour_normalise
from branding.images import LogoRejected, logo_normalise
from branding.models import DISPLAY_NAME_MAX_LENGTH, BrandKit
from clients.models import Client
from companies import audit
from companies.models import Actor, Company


class BrandKitInvalid(ValueError):
    """A brand kit that cannot be saved; `field` names the culprit, for forms."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def brand_colour_clean(value: object, *, field: str) -> str:
    """A `#RRGGBB` colour, upper-cased.

    :raises BrandKitInvalid: anything else.
    """
    try:
        return colour_normalise(value)
    except InvalidColour:
        raise BrandKitInvalid(
            _("Enter a colour as # followed by six hexadecimal digits, like #1F3A5F."),
            field=field,
        ) from None


@transaction.atomic
def brand_kit_save(
    *,
    company: Company,
    actor: Actor,
    now: dt.datetime,
    display_name: str,
    primary_colour: str,
    accent_colour: str,
    logo: IO[bytes] | None = None,
    remove_logo: bool = False,
) -> BrandKit:
    """Create or change the company's one brand kit; its clients' portals follow.

    A new logo is validated and re-encoded (see `branding.images`); the file it
    replaces is deleted once the change is committed.

    :raises BrandKitInvalid: an empty name, a colour not `#RRGGBB`, a bad logo.
    """
    display_name = (display_name or "").strip()
    if not display_name:
        raise BrandKitInvalid(
            _("Enter the name your clients will see."), field="display_name"
        )
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        raise BrandKitInvalid(_("The name is too long."), field="display_name")
    primary = brand_colour_clean(primary_colour, field="primary_colour")
    accent = brand_colour_clean(accent_colour, field="accent_colour")
    normalised = None
    if logo is not None:
        try:
            normalised = logo_normalise(logo)
        except LogoRejected as exc:
            raise BrandKitInvalid(str(exc), field="logo") from None

    kit = BrandKit.objects.for_company(company).select_for_update().first()
    if kit is None:
        kit = BrandKit(company=company)
    old_logo = kit.logo.name if kit.logo else ""
    changed = [
        name
        for name, value in (
            ("display_name", display_name),
            ("primary_colour", primary),
            ("accent_colour", accent),
        )
        if kit.pk is None or getattr(kit, name) != value
    ]
    kit.display_name = display_name
    kit.primary_colour, kit.accent_colour = primary, accent
    if normalised is not None:
        name = f"{company.pk}-{secrets.token_hex(8)}.png"
        kit.logo.save(name, ContentFile(normalised.png), save=False)
    elif remove_logo:
        kit.logo = ""
    new_logo = kit.logo.name if kit.logo else ""
    if new_logo != old_logo:
        changed.append("logo")
    kit.save()
    if old_logo and old_logo != new_logo:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    if changed:
        audit.brand_changed(
            company=company, kit=kit, actor=actor, at=now, fields=changed
        )
    _company_portal_revision_bump(company=company)
    return kit


def _company_portal_revision_bump(*, company: Company) -> None:
    """Every client of the company sees the brand: tell all their open portals.

    The portal also keys its cached brand on this revision (`portal.selectors`).
    """
    Client.objects.for_company(company).update(portal_revision=F("portal_revision") + 1)

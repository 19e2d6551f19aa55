"""The company's logo, home-screen icons and web app manifest, from our origin."""

import json

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from branding import images
from branding.selectors import brand_logo_png
from portal.door import portal_visit
from portal.views.page import portal_path

ICON_CACHE_SECONDS = 24 * 3600


@login_not_required
@require_safe
def brand_logo(request: HttpRequest, token: str) -> HttpResponse:
    """The company's logo, from our origin (the CSP allows no other for images)."""
    logo = brand_logo_png(brand=portal_visit(request, token).brand)
    if logo is None:
        raise Http404("No logo.")
    return HttpResponse(logo, content_type="image/png")


@login_not_required
@require_safe
def brand_icon(request: HttpRequest, token: str, size: int) -> HttpResponse:
    """A square home-screen icon made from the logo (or the initial), 192 or 512 px."""
    if size not in images.ICON_SIZES:
        raise Http404("No such icon.")
    visit = portal_visit(request, token)
    brand = visit.brand
    key = f"portal:icon:{visit.link.company_id}:{brand.version}:{size}"
    icon = cache.get(key)
    if icon is None:
        icon = images.icon_png(
            logo_png=brand_logo_png(brand=brand),
            size=size,
            background=brand.palette.primary.background,
            foreground=brand.palette.primary.text,
            letter=brand.name[:1],
        )
        cache.set(key, icon, ICON_CACHE_SECONDS)
    return HttpResponse(icon, content_type="image/png")


@login_not_required
@require_safe
def manifest(request: HttpRequest, token: str) -> HttpResponse:
    """The web app manifest: add the branded portal to a phone's home screen."""
    visit = portal_visit(request, token)
    brand = visit.brand
    start = portal_path(visit)
    body = {
        "name": brand.name,
        "short_name": brand.name[:12],
        "description": translation.gettext("Your quotes and invoices from %(company)s")
        % {"company": brand.name},
        "lang": translation.get_language(),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "theme_color": brand.palette.primary.background,
        "background_color": "#FFFFFF",
        "icons": [
            {
                "src": reverse("portal:icon", kwargs={"token": token, "size": size}),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in images.ICON_SIZES
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )

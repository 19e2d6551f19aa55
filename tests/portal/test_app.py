"""The portal as a phone app: manifest, icons and the logo, all from our origin."""

import io
import json

import pytest
from PIL import Image

from branding.services import brand_kit_save
from tests.branding.helpers import image_bytes, upload
from tests.factories import NOW, BrandKitFactory, ClientFactory
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db


def _branded(**kit):
    portal = ClientFactory(locale="fr")
    values = {
        "display_name": "Atelier Lumière",
        "primary_colour": "#1F3A5F",
        "accent_colour": "#E07A1F",
    }
    brand_kit_save(company=portal.company, actor=None, now=NOW, **(values | kit))
    return portal


def test_manifest_names_the_brand_and_starts_at_the_portal_link(client):
    portal = _branded(primary_colour="#777777")

    response = client.get(url("manifest", portal))

    body = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert body == {
        "name": "Atelier Lumière",
        "short_name": "Atelier Lumi",
        "description": "Vos devis et factures de Atelier Lumière",
        "lang": "fr",
        "start_url": url("home", portal),
        "scope": url("home", portal),
        "display": "standalone",
        "theme_color": "#767676",
        "background_color": "#FFFFFF",
        "icons": [
            {
                "src": url("icon", portal, size=size),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }


def test_pages_link_the_manifest_and_icons(client):
    portal = _branded()

    html = client.get(url("home", portal)).content.decode()

    assert f'<link rel="manifest" href="{url("manifest", portal)}">' in html
    assert (
        f'<link rel="apple-touch-icon" href="{url("icon", portal, size=192)}">' in html
    )
    assert '<meta name="theme-color" content="#1F3A5F">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


@pytest.mark.parametrize("size", [192, 512])
def test_icons_are_made_from_the_logo(client, size):
    portal = _branded(
        logo=upload(image_bytes("PNG", size=(400, 100), colour=(255, 0, 0)))
    )

    response = client.get(url("icon", portal, size=size))

    icon = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert icon.size == (size, size)
    assert icon.getpixel((size // 2, size // 2)) == (255, 0, 0)


def test_other_icon_sizes_do_not_exist(client):
    portal = _branded()

    assert client.get(url("icon", portal, size=100)).status_code == 404


def test_icon_without_a_logo_uses_the_brand_colour(client):
    portal = ClientFactory()
    BrandKitFactory(company=portal.company, primary_colour="#FFE066")

    icon = Image.open(io.BytesIO(client.get(url("icon", portal, size=192)).content))

    assert icon.convert("RGB").getpixel((2, 2)) == (255, 224, 102)


def test_logo_is_served_from_the_portal_and_shown_in_the_header(client):
    portal = _branded(logo=upload(image_bytes("JPEG", size=(600, 300)), "l.jpg"))

    response = client.get(url("logo", portal))
    html = client.get(url("home", portal)).content.decode()

    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert Image.open(io.BytesIO(response.content)).size == (512, 256)
    assert f'<img class="brand-logo" src="{url("logo", portal)}" alt=""' in html


def test_no_logo_is_a_404(client):
    portal = _branded()

    assert client.get(url("logo", portal)).status_code == 404


def test_a_company_sees_only_its_own_logo(client):
    branded = _branded(logo=upload(image_bytes("PNG")))
    neighbour = ClientFactory()  # another company, no kit

    assert client.get(url("logo", branded)).status_code == 200
    assert client.get(url("logo", neighbour)).status_code == 404

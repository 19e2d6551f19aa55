"""The logo's surface in the portal header: bare when it stands out from the
brand colour, else on the plate (light or dark) it contrasts with."""

import io

import pytest
from PIL import Image, ImageDraw

from branding.colours import logo_plate
from branding.images import logo_luminance
from branding.selectors import brand_for_company, brand_logo_plate
from branding.services import brand_kit_save
from tests.factories import NOW, CompanyFactory

WHITE, NAVY, NEAR_BLACK = "#FFFFFF", "#1F3A5F", "#111111"


def drawn_logo(ink: tuple[int, int, int], opaque: bool = False) -> bytes:
    """A mark in one colour on a transparent background (or on white), as a PNG
    as logos are stored."""
    mode, paper = ("RGB", (255, 255, 255)) if opaque else ("RGBA", (0, 0, 0, 0))
    image = Image.new(mode, (200, 80), paper)
    ImageDraw.Draw(image).rectangle((20, 20, 180, 60), fill=ink)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_luminance_is_the_marks_not_the_transparent_background():
    assert logo_luminance(drawn_logo((255, 255, 255))) == pytest.approx(1.0)
    assert logo_luminance(drawn_logo((0, 0, 0))) == pytest.approx(0.0)


def test_a_logo_without_transparency_brings_its_own_background():
    assert logo_luminance(drawn_logo((255, 255, 255), opaque=True)) is None
    assert logo_plate(logo_luminance=None, background=WHITE) == ""


@pytest.mark.parametrize(
    ("ink", "background", "plate"),
    [
        ((255, 255, 255), WHITE, "dark"),  # a white logo on a white header
        ((255, 255, 255), NAVY, ""),  # stands out: no plate
        ((17, 17, 17), NAVY, "light"),  # a dark logo on a dark brand colour
        ((17, 17, 17), WHITE, ""),
        ((224, 122, 31), NAVY, ""),  # orange on navy: 3:1 and more
        ((31, 58, 95), NAVY, "light"),  # the brand's own colour vanishes on it
    ],
)
def test_the_plate_is_chosen_by_contrast(ink, background, plate):
    luminance = logo_luminance(drawn_logo(ink))

    assert logo_plate(logo_luminance=luminance, background=background) == plate


@pytest.mark.django_db
def test_the_brands_plate_reads_the_stored_logo():
    company = CompanyFactory()
    brand_kit_save(
        company=company,
        actor=None,
        now=NOW,
        display_name="Blanc",
        primary_colour=WHITE,
        accent_colour=NEAR_BLACK,
        logo=io.BytesIO(drawn_logo((255, 255, 255))),
    )

    assert brand_logo_plate(brand=brand_for_company(company=company)) == "dark"

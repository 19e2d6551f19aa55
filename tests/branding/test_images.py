import io

import pytest
from PIL import Image

from branding import images
from branding.images import LogoRejected, icon_png, logo_normalise
from tests.branding.helpers import (
    image_bytes,
    jpeg_with_exif,
    png_claiming_size,
    png_with_text,
    upload,
)

NOT_AN_IMAGE = (
    "Upload a PNG, JPEG or WebP image. Other formats, SVG included, are not accepted."
)


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_are_accepted_and_become_png(fmt):
    logo = logo_normalise(upload(image_bytes(fmt, size=(300, 120))))

    stored = _open(logo.png)
    assert (stored.format, stored.size, (logo.width, logo.height)) == (
        "PNG",
        (300, 120),
        (300, 120),
    )


def test_format_is_judged_by_content_not_by_name_or_content_type():
    jpeg_named_gif = upload(image_bytes("JPEG"), "logo.gif", "image/gif")

    assert _open(logo_normalise(jpeg_named_gif).png).format == "PNG"


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>",
            "logo.svg",
            "image/svg+xml",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "image/png"),
        (b"just some text, renamed\n", "logo.png", "image/png"),
        (image_bytes("GIF"), "logo.png", "image/png"),
        (image_bytes("BMP"), "logo.jpg", "image/jpeg"),
        (image_bytes("TIFF"), "logo.webp", "image/webp"),
    ],
    ids=["svg", "svg-renamed-png", "text-renamed-png", "gif", "bmp", "tiff"],
)
def test_svg_text_and_other_formats_are_refused(data, name, content_type):
    with pytest.raises(LogoRejected) as refusal:
        logo_normalise(upload(data, name, content_type))

    assert str(refusal.value) == NOT_AN_IMAGE


def test_an_empty_file_is_refused():
    with pytest.raises(LogoRejected, match="empty"):
        logo_normalise(upload(b""))


def test_a_file_over_2_mb_is_refused_before_it_is_opened():
    data = image_bytes("PNG", size=(10, 10)) + b"\0" * (2 * 1024 * 1024)

    with pytest.raises(LogoRejected, match="2 MB or smaller"):
        logo_normalise(upload(data))


def test_an_image_wider_than_4096_pixels_is_refused():
    with pytest.raises(LogoRejected, match="4096 × 4096"):
        logo_normalise(upload(image_bytes("PNG", size=(4097, 1))))


@pytest.mark.parametrize("side", [5_000, 100_000])
def test_a_decompression_bomb_is_refused_from_its_header(side, monkeypatch):
    bomb = png_claiming_size(side, side)
    assert len(bomb) < 100
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self))

    with pytest.raises(LogoRejected, match="4096 × 4096"):
        logo_normalise(upload(bomb))

    assert decoded == []  # refused before any pixel was decoded


def test_pillows_own_bomb_guard_is_honoured_too(monkeypatch):
    # With a lower pixel ceiling, even an image inside 4096² trips Pillow's
    # warning, which this module turns into a refusal.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)

    with pytest.raises(LogoRejected, match="4096 × 4096"):
        logo_normalise(upload(image_bytes("PNG", size=(100, 100))))


def test_a_truncated_image_is_refused():
    data = image_bytes("PNG", size=(200, 200), colour=(1, 2, 3))

    with pytest.raises(LogoRejected, match="damaged or incomplete"):
        logo_normalise(upload(data[: len(data) // 2]))


def test_exif_metadata_is_stripped():
    original = _open(jpeg_with_exif())
    assert original.getexif()[0x010F] == "SecretCamera Inc."

    stored = _open(logo_normalise(upload(jpeg_with_exif(), "photo.jpg")).png)

    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert b"SecretCamera" not in logo_normalise(upload(jpeg_with_exif())).png


def test_png_text_chunks_and_icc_profiles_are_stripped():
    stored_png = logo_normalise(upload(png_with_text())).png

    assert b"do not publish" not in stored_png
    assert set(_open(stored_png).info) <= {"dpi"}  # nothing but what PNG requires


def test_a_large_logo_is_scaled_to_256_pixels_high_keeping_its_ratio():
    logo = logo_normalise(upload(image_bytes("PNG", size=(1000, 600))))

    assert (logo.width, logo.height) == (427, 256)
    assert _open(logo.png).size == (427, 256)


def test_a_very_wide_logo_fits_the_box():
    logo = logo_normalise(upload(image_bytes("PNG", size=(4000, 400))))

    assert (logo.width, logo.height) == (1024, 102)


def test_a_small_logo_is_never_enlarged():
    logo = logo_normalise(upload(image_bytes("PNG", size=(40, 20))))

    assert (logo.width, logo.height) == (40, 20)


def test_transparency_is_kept():
    data = image_bytes("PNG", size=(50, 50), colour=(0, 0, 0, 0), mode="RGBA")

    stored = _open(logo_normalise(upload(data)).png)

    assert (stored.mode, stored.getpixel((10, 10))) == ("RGBA", (0, 0, 0, 0))


@pytest.mark.parametrize("size", images.ICON_SIZES)
def test_icons_are_square_pngs_from_the_logo(size):
    red = image_bytes("PNG", size=(300, 120), colour=(255, 0, 0))
    logo = logo_normalise(upload(red))

    icon = _open(
        icon_png(
            logo_png=logo.png,
            size=size,
            background="#1F3A5F",
            foreground="#FFFFFF",
            letter="A",
        )
    )

    assert (icon.format, icon.size) == ("PNG", (size, size))
    assert icon.convert("RGB").getpixel((size // 2, size // 2)) == (255, 0, 0)
    assert icon.convert("RGB").getpixel((1, 1)) == (31, 58, 95)


def test_icon_without_a_logo_is_the_brand_colour_with_the_initial():
    icon = _open(
        icon_png(
            logo_png=None,
            size=192,
            background="#1F3A5F",
            foreground="#FFFFFF",
            letter="acme",
        )
    ).convert("RGB")

    colours = {colour for _count, colour in icon.getcolors(maxcolors=100_000)}
    assert icon.getpixel((1, 1)) == (31, 58, 95)
    assert (255, 255, 255) in colours

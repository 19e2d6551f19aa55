"""Logos, icons and drawn signatures: the one module that imports Pillow.

An upload is trusted only once Pillow has opened it as PNG, JPEG or WebP, its
size has been checked from the header before any pixel is decoded, and it has
been re-encoded from bare pixels: a fresh PNG with no metadata (EXIF, ICC, text
chunks) and a sensible size.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO, cast

from django.utils.translation import gettext as _
from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageFont,
    ImageOps,
    ImageStat,
    UnidentifiedImageError,
)

from branding.colours import colour_format, colour_parse, relative_luminance

ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4096
# Stored logos are scaled down to fit this box (never up), keeping their ratio.
LOGO_BOX = (1024, 256)
ICON_SIZES = (192, 512)


class LogoRejected(ValueError):
    """An upload that is not an acceptable logo; the message is for people."""


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int


def _read_limited(upload: IO[bytes]) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRejected(_("The logo must be 2 MB or smaller."))
    if not data:
        raise LogoRejected(_("The logo file is empty."))
    return data


def _open_checked(data: bytes) -> Image.Image:
    """Open, check the header's format and size, and only then decode the pixels."""
    not_an_image = _(
        "Upload a PNG, JPEG or WebP image. Other formats, SVG included, "
        "are not accepted."
    )
    too_large = _("The logo must be at most %(side)s × %(side)s pixels.") % {
        "side": MAX_LOGO_SIDE
    }
    with warnings.catch_warnings():
        # Pillow warns, then errs, on images with too many pixels: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise LogoRejected(too_large) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise LogoRejected(not_an_image) from None
        if image.format not in ACCEPTED_FORMATS:
            raise LogoRejected(not_an_image)
        # The header's size, checked before a single pixel is decoded.
        width, height = image.size
        if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
            raise LogoRejected(too_large)
        if width < 1 or height < 1:
            raise LogoRejected(not_an_image)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise LogoRejected(too_large) from None
        except (OSError, SyntaxError, ValueError):
            raise LogoRejected(
                _("The logo file is damaged or incomplete. Please export it again.")
            ) from None
    return image


def _bare_pixels(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no EXIF, ICC profile or text chunks."""
    image = ImageOps.exif_transpose(image)  # honour the camera's rotation first
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def logo_normalise(upload: IO[bytes]) -> Logo:
    """Validate an uploaded logo and re-encode it as a clean, scaled PNG.

    :raises LogoRejected: not PNG/JPEG/WebP by its content, over 2 MB, over
        4096 × 4096 pixels, a decompression bomb, or a damaged file.
    """
    image = _bare_pixels(_open_checked(_read_limited(upload)))
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return Logo(png=output.getvalue(), width=image.width, height=image.height)


# A logo whose pixels are all at least this opaque brings its own background.
OPAQUE_ALPHA = 250
# Pixels at least this opaque are the logo's ink (antialiased edges are not).
INK_ALPHA = 128


def logo_luminance(png: bytes) -> float | None:
    """The relative luminance (WCAG, 0 black to 1 white) of a stored logo's
    visible pixels on average, or None for a logo without transparency (its
    own background shows around it, whatever is behind). A logo with nothing
    visible is None too: there is nothing to keep visible."""
    with Image.open(io.BytesIO(png), formats=["PNG"]) as stored:
        image = stored.convert("RGBA")
    image.thumbnail((256, 256))  # plenty for an average, and fast
    alpha = image.getchannel("A")
    lowest, _highest = cast(tuple[int, int], alpha.getextrema())  # one band
    if lowest >= OPAQUE_ALPHA:
        return None
    ink = alpha.point(lambda value: 255 if value >= INK_ALPHA else 0)
    if ink.getbbox() is None:
        return None
    red, green, blue = ImageStat.Stat(image.convert("RGB"), mask=ink).mean[:3]
    return relative_luminance(colour_format((round(red), round(green), round(blue))))


def icon_png(
    *, logo_png: bytes | None, size: int, background: str, foreground: str, letter: str
) -> bytes:
    """A square home-screen icon: the logo centred on the brand colour, or the
    company's initial when there is no logo. `logo_png` is a stored, already
    normalised logo; colours are validated `#RRGGBB` values."""
    canvas = Image.new("RGB", (size, size), colour_parse(background))
    if logo_png:
        with Image.open(io.BytesIO(logo_png), formats=["PNG"]) as stored:
            logo = stored.convert("RGBA")
        inner = round(size * 0.8)  # keep clear of the masks phones apply
        logo.thumbnail((inner, inner), Image.Resampling.LANCZOS)
        if logo.width < inner and logo.height < inner:
            scale = inner / max(logo.width, logo.height)
            logo = logo.resize(
                (max(1, round(logo.width * scale)), max(1, round(logo.height * scale))),
                Image.Resampling.LANCZOS,
            )
        offset = ((size - logo.width) // 2, (size - logo.height) // 2)
        canvas.paste(logo, offset, logo)
    elif letter:
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=round(size * 0.5))
        draw.text(
            (size / 2, size / 2),
            letter[:1].upper(),
            fill=colour_parse(foreground),
            font=font,
            anchor="mm",
        )
    output = io.BytesIO()
    canvas.save(output, format="PNG", optimize=True)
    return output.getvalue()


# A drawn signature, posted from the portal's canvas as a PNG.
MAX_SIGNATURE_BYTES = 256 * 1024
MAX_SIGNATURE_WIDTH = 2000
MAX_SIGNATURE_HEIGHT = 1000
MIN_SIGNATURE_SIDE = 20
# Fewer inked pixels than this is a stray tap, not a signature.
MIN_SIGNATURE_INK_PIXELS = 40


class SignatureRejected(ValueError):
    """A posted drawing that cannot be kept as a signature; the message is for
    people."""


class SignatureBlank(SignatureRejected):
    """A drawing with nothing (or next to nothing) drawn on it."""


def signature_png_check(data: bytes) -> bytes:
    """Validate a drawn signature and return it re-encoded as a clean PNG.

    Only PNG is accepted (what a canvas exports), at most 256 KB and
    2000 × 1000 pixels, read from the header before any pixel is decoded. The
    pixels are re-encoded with no metadata. A drawing whose pixels are all the
    background colour (or almost: a stray tap) is blank.

    :raises SignatureBlank: nothing drawn.
    :raises SignatureRejected: not a PNG, too large, or damaged.
    """
    not_png = _("The signature must be a PNG image drawn on the page.")
    too_large = _(
        "The signature image is too large (at most %(kb)s KB and "
        "%(width)s × %(height)s pixels)."
    ) % {
        "kb": MAX_SIGNATURE_BYTES // 1024,
        "width": MAX_SIGNATURE_WIDTH,
        "height": MAX_SIGNATURE_HEIGHT,
    }
    if not data:
        raise SignatureBlank(_("Draw your signature, or type your name instead."))
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureRejected(too_large)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SignatureRejected(not_png)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if width > MAX_SIGNATURE_WIDTH or height > MAX_SIGNATURE_HEIGHT:
                raise SignatureRejected(too_large)
            if width < MIN_SIGNATURE_SIDE or height < MIN_SIGNATURE_SIDE:
                raise SignatureRejected(not_png)
            image.load()
        except SignatureRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise SignatureRejected(too_large) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise SignatureRejected(not_png) from None
    rgba = Image.frombytes("RGBA", image.size, image.convert("RGBA").tobytes())
    if _ink_pixels(rgba) < MIN_SIGNATURE_INK_PIXELS:
        raise SignatureBlank(
            _("The signature is blank: draw it, or type your name instead.")
        )
    output = io.BytesIO()
    rgba.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _ink_pixels(image: Image.Image) -> int:
    """How many pixels differ from the background (the top-left pixel's colour,
    fully transparent pixels counting as background whatever their colour)."""
    background = image.getpixel((0, 0))
    assert isinstance(background, tuple)  # an RGBA image's pixel
    opaque = image.getchannel("A").point(lambda alpha: 255 if alpha else 0)
    if background[3] == 0:
        return image.width * image.height - opaque.histogram()[0]
    plain = Image.new("RGBA", image.size, background)
    difference = ImageChops.difference(image, plain).convert("L")
    return image.width * image.height - difference.histogram()[0]

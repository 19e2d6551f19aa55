"""Brand colours: `#RRGGBB` only, and text on brand surfaces that stays readable.

WCAG 2.x AA asks 4.5:1 between text and its background. For any colour the
owner picks, the text is white or near-black, whichever contrasts more; when
neither reaches 4.5:1 (a few mid tones with near-black), the surface itself is
darkened or lightened, the smaller change winning, until one does.
"""

import re
from dataclasses import dataclass

# `#RRGGBB`, as the database's check constraints and `colour_parse` both read it.
HEX_COLOUR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
HEX_COLOUR = re.compile(HEX_COLOUR_PATTERN)
WHITE = "#FFFFFF"
NEAR_BLACK = "#111111"
AA_CONTRAST = 4.5

DEFAULT_PRIMARY = "#1F3A5F"
DEFAULT_ACCENT = "#E07A1F"

RGB = tuple[int, int, int]


class InvalidColour(ValueError):
    """Not a `#RRGGBB` colour."""


def colour_parse(value: object) -> RGB:
    """The red, green and blue of a `#RRGGBB` string.

    :raises InvalidColour: anything else (names, `rgb()`, short forms, CSS).
    """
    if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value):
        raise InvalidColour(value)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def colour_normalise(value: object) -> str:
    """`#rrggbb` → `#RRGGBB`, rebuilt from the parsed numbers, never echoed.

    :raises InvalidColour: not a `#RRGGBB` colour.
    """
    return colour_format(colour_parse(value))


def colour_format(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = colour_parse(colour)
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (same) to 21 (black on white)."""
    return _ratio(relative_luminance(first), relative_luminance(second))


def ink_on_paper(colour: str) -> str:
    """`colour` as text on white paper: kept when it reads at 4.5:1, else the
    closest darker shade that does (a pale amber becomes a deep amber).

    :raises InvalidColour: not a `#RRGGBB` colour.
    """
    colour = colour_normalise(colour)
    for step in range(101):
        darker = _mix(colour, (0, 0, 0), step / 100)
        if contrast_ratio(darker, WHITE) >= AA_CONTRAST:
            return darker
    return "#000000"  # unreachable: black on white is 21:1


def _mix(colour: str, target: RGB, amount: float) -> str:
    red, green, blue = (
        round(c + (t - c) * amount)
        for c, t in zip(colour_parse(colour), target, strict=True)
    )
    return colour_format((red, green, blue))


@dataclass(frozen=True)
class Surface:
    """A brand colour as painted: its background and the text drawn on it."""

    background: str
    text: str

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.background, self.text)


def surface_for(colour: str) -> Surface:
    """The readable surface closest to `colour`: contrast is always ≥ 4.5:1.

    :raises InvalidColour: not a `#RRGGBB` colour.
    """
    colour = colour_normalise(colour)
    best = max((WHITE, NEAR_BLACK), key=lambda text: contrast_ratio(colour, text))
    if contrast_ratio(colour, best) >= AA_CONTRAST:
        return Surface(colour, best)
    # Walk towards black under white text and towards white under dark text;
    # keep whichever reaches AA first (the smaller visible change).
    for step in range(1, 101):
        amount = step / 100
        darker = _mix(colour, (0, 0, 0), amount)
        if contrast_ratio(darker, WHITE) >= AA_CONTRAST:
            return Surface(darker, WHITE)
        lighter = _mix(colour, (255, 255, 255), amount)
        if contrast_ratio(lighter, NEAR_BLACK) >= AA_CONTRAST:
            return Surface(lighter, NEAR_BLACK)
    return Surface("#000000", WHITE)  # unreachable: black on white is 21:1


# WCAG 1.4.11: graphics that must be seen stand out at 3:1 from what is around.
GRAPHIC_CONTRAST = 3.0


def logo_plate(*, logo_luminance: float | None, background: str) -> str:
    """The surface a logo needs on `background`: "" when it stands out at 3:1
    (or brings its own background: None), else "light" (a white plate) or
    "dark" (a near-black one), whichever contrasts more with the logo: a dark
    logo on a dark brand colour gets a light plate, a white logo on white a
    dark one.

    :raises InvalidColour: `background` is not a `#RRGGBB` colour.
    """
    if logo_luminance is None:
        return ""
    if _ratio(logo_luminance, relative_luminance(background)) >= GRAPHIC_CONTRAST:
        return ""
    on_light = _ratio(logo_luminance, relative_luminance(WHITE))
    on_dark = _ratio(logo_luminance, relative_luminance(NEAR_BLACK))
    return "light" if on_light >= on_dark else "dark"


def _ratio(first: float, second: float) -> float:
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Palette:
    """Every brand colour a page uses, validated and contrast-checked."""

    primary: Surface
    accent: Surface

    def css_properties(self) -> dict[str, str]:
        """CSS custom property → value; every value is a rebuilt `#RRGGBB`."""
        return {
            "--brand-primary": self.primary.background,
            "--brand-on-primary": self.primary.text,
            "--brand-accent": self.accent.background,
            "--brand-on-accent": self.accent.text,
        }

    def css_declarations(self) -> str:
        """`--brand-primary: #1F3A5F; …` for a `:root` rule in a nonce'd style."""
        return " ".join(
            f"{name}: {colour_normalise(value)};"
            for name, value in self.css_properties().items()
        )


def palette_for(*, primary: str, accent: str) -> Palette:
    """The palette for two stored colours; an invalid one falls back to the default."""

    def safe(value: str, default: str) -> str:
        try:
            return colour_normalise(value)
        except InvalidColour:
            return default

    return Palette(
        primary=surface_for(safe(primary, DEFAULT_PRIMARY)),
        accent=surface_for(safe(accent, DEFAULT_ACCENT)),
    )

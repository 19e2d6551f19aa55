import itertools

import pytest

from branding.colours import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    NEAR_BLACK,
    WHITE,
    InvalidColour,
    colour_normalise,
    colour_parse,
    contrast_ratio,
    ink_on_paper,
    palette_for,
    surface_for,
)

SWEEP = [
    "#{:02X}{:02X}{:02X}".format(*rgb)
    for rgb in itertools.product(range(0, 256, 17), repeat=3)
]


def test_contrast_ratio_matches_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#FFFFFF"), 2) == 21.0
    assert round(contrast_ratio("#777777", "#FFFFFF"), 2) == 4.48
    assert contrast_ratio("#1F3A5F", "#1F3A5F") == 1.0


def test_every_swept_colour_gets_text_at_aa_contrast_or_better():
    failures = [colour for colour in SWEEP if surface_for(colour).contrast < 4.5]

    assert len(SWEEP) == 4096
    assert failures == []


def test_colour_that_already_passes_is_kept_as_picked():
    assert surface_for("#1f3a5f") == surface_for("#1F3A5F")
    assert (surface_for("#1F3A5F").background, surface_for("#1F3A5F").text) == (
        "#1F3A5F",
        WHITE,
    )
    assert (surface_for("#FFE066").background, surface_for("#FFE066").text) == (
        "#FFE066",
        NEAR_BLACK,
    )


def test_mid_tone_is_adjusted_minimally_until_it_passes():
    # #777777 passes with neither white (4.48) nor near-black.
    assert contrast_ratio("#777777", WHITE) < 4.5
    assert contrast_ratio("#777777", NEAR_BLACK) < 4.5

    surface = surface_for("#777777")

    assert surface.background != "#777777"
    assert surface.contrast >= 4.5
    assert (
        max(
            abs(a - b)
            for a, b in zip(
                bytes.fromhex(surface.background[1:]),
                bytes.fromhex("777777"),
                strict=True,
            )
        )
        <= 10
    )


@pytest.mark.parametrize(
    "value",
    [
        "red",
        "#FFF",
        "#12345G",
        "1F3A5F",
        "#1F3A5F ",
        " #1F3A5F",
        "#1F3A5F\n",
        "#1F3A5F;}body{display:none}",
        "#1F3A5F</style><script>alert(1)</script>",
        "rgb(0,0,0)",
        "var(--x)",
        "url(https://evil.example/x.png)",
        "expression(alert(1))",
        "",
        None,
        0x1F3A5F,
    ],
)
def test_anything_but_hash_rrggbb_is_refused(value):
    with pytest.raises(InvalidColour):
        colour_normalise(value)


def test_palette_css_is_rebuilt_from_numbers_and_invalid_values_fall_back():
    palette = palette_for(
        primary="#1F3A5F;}body{display:none}", accent="</style><script>x</script>"
    )

    assert palette.primary.background == DEFAULT_PRIMARY
    assert palette.accent == surface_for(DEFAULT_ACCENT)
    assert palette.css_declarations() == (
        "--brand-primary: #1F3A5F; --brand-on-primary: #FFFFFF; "
        "--brand-accent: #E07A1F; --brand-on-accent: #111111;"
    )


def test_ink_on_paper_keeps_readable_colours_and_darkens_the_rest():
    assert ink_on_paper("#1f3a5f") == "#1F3A5F"  # the default navy reads on paper
    for colour in SWEEP:
        ink = ink_on_paper(colour)
        assert contrast_ratio(ink, WHITE) >= 4.5, colour
        if contrast_ratio(colour, WHITE) < 4.5:
            # darkened, never lightened or shifted in hue
            darker = zip(colour_parse(ink), colour_parse(colour), strict=True)
            assert all(i <= c for i, c in darker), colour
    # a pale yellow becomes a dark one, not near-black
    assert ink_on_paper("#FFE066") not in ("#FFE066", NEAR_BLACK)

"""Every French message follows French typography: a narrow no-break space
(U+202F) before : ; ! ? and inside « », and the apostrophe ’. Other helpers add
messages in parallel: `uv run python locale/french_typography.py` fixes them."""

import importlib.util
import re
from pathlib import Path

import pytest

from tests.test_translations import catalogue

SCRIPT = Path(__file__).resolve().parents[1] / "locale" / "french_typography.py"
_spec = importlib.util.spec_from_file_location("french_typography", SCRIPT)
assert _spec is not None and _spec.loader is not None
typography = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(typography)

HINT = "run: uv run python locale/french_typography.py, then compilemessages -l fr"


def french_strings() -> list[str]:
    strings = []
    for message in catalogue():
        values = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        strings += [value for value in values if value]
    return strings


def test_the_whole_catalogue_has_french_typography():
    strings = french_strings()
    wrong = [text for text in strings if typography.fix(text) != text]

    assert len(strings) > 250
    assert wrong == [], f"{len(wrong)} messages, e.g. {wrong[:3]}: {HINT}"


def test_no_plain_space_before_high_punctuation_nor_inside_guillemets():
    # Read straight from the catalogue, not through the script's own rules.
    plain_space = re.compile(
        r"[ \u00a0][:;!?]|«[ \u00a0]|[ \u00a0]»|«(?!\u202f)|(?<!\u202f)»"
    )
    assert [text for text in french_strings() if plain_space.search(text)] == []
    assert [
        text for text in french_strings() if re.search(r"[^\W\d_]'[^\W\d_]", text)
    ] == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Statut :", "Statut\u202f:"),
        ("Statut:", "Statut\u202f:"),
        ("Annuler ?", "Annuler\u202f?"),
        ("Merci!", "Merci\u202f!"),
        ("lisible ; une", "lisible\u202f; une"),
        ("Vraiment ?!", "Vraiment\u202f?!"),
        ("avec « Renvoyer » ici", "avec «\u202fRenvoyer\u202f» ici"),
        ("avec «Renvoyer» ici", "avec «\u202fRenvoyer\u202f» ici"),
        ("%(document)s : émis.", "%(document)s\u202f: émis."),
        ("l'échéance", "l’échéance"),
        # Not prose: times, ratios, addresses, URLs, placeholders, tags.
        ("à 09:30", "à 09:30"),
        ("au moins 4,5:1", "au moins 4,5:1"),
        ("voir https://exemple.fr/?a=1", "voir https://exemple.fr/?a=1"),
        (
            '<a href="mailto:%(email)s">écrire</a>',
            '<a href="mailto:%(email)s">écrire</a>',
        ),
        ("%%(ratio)s:1", "%%(ratio)s:1"),
        ("{name}: {value}", "{name}\u202f: {value}"),
    ],
)
def test_the_script_fixes_prose_and_leaves_the_rest(before, after):
    assert typography.fix(before) == after
    assert typography.fix(after) == after  # and running it again changes nothing

"""French typography for the French catalogue.

Run: `uv run python locale/french_typography.py`.

French sets a narrow no-break space (U+202F) before the high punctuation
(: ; ! ?) and inside guillemets (« … »), so that "Statut :" never breaks
before its colon at the end of a line; and it writes the apostrophe as ’.
This script puts them into every French message of
locale/fr/LC_MESSAGES/django.po (run it after `makemessages`, then
`compilemessages`); tests/test_french_typography.py fails while a message
still lacks them.

The catalogue is read and written with Babel, as the committed file is, sorted
by message, so a run changes the messages it fixes and nothing else. What is
not prose stays as it is: a colon inside a time (09:30), a ratio (4,5:1) or an
address (https://, mailto:), a question mark inside a URL (?status=),
placeholders (%(name)s, {name}) and HTML tags.
"""

import re
import sys
from pathlib import Path

NARROW_NBSP = "\u202f"
SPACES = "[ \u00a0\u202f]"

# Placeholders and tags are set aside while the prose around them is fixed.
PROTECTED = re.compile(r"%\([^)]*\)[sdif]|%[sdif%]|\{[^{}]*\}|<[^<>]*>|\w+://\S*")

# A space (or none, after a word) before ; ! ? or a colon that ends a phrase:
# the colon must be followed by a space or the end, as in prose, never by a
# digit or a slash (09:30, 4,5:1, https://).
BEFORE_HIGH = re.compile(
    rf"(?:{SPACES}+|(?<=[\w\)»’\"…\x00]))(?P<mark>[;!?]|:(?=\s|$))"
)
AFTER_OPENING = re.compile(rf"«{SPACES}*")
BEFORE_CLOSING = re.compile(rf"{SPACES}*»")
APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def fix(text: str) -> str:
    """`text` with French typography; placeholders, tags and URLs untouched."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    prose = PROTECTED.sub(keep, text)
    prose = BEFORE_HIGH.sub(lambda m: NARROW_NBSP + m.group("mark"), prose)
    # A mark right after another mark ("? !" or "?!") takes no space of its own.
    prose = re.sub(rf"([;!?:]){NARROW_NBSP}([;!?])", r"\1\2", prose)
    prose = AFTER_OPENING.sub("«" + NARROW_NBSP, prose)
    prose = BEFORE_CLOSING.sub(NARROW_NBSP + "»", prose)
    prose = APOSTROPHE.sub("’", prose)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], prose)


def fix_catalogue(path: Path) -> int:
    """Fix every French message of the .po at `path`; how many changed."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as source:
        catalogue = read_po(source)
    changed = 0
    for message in catalogue:
        if not message.id:
            continue  # the header
        if isinstance(message.string, tuple | list):
            fixed: str | tuple[str, ...] = tuple(fix(s) for s in message.string)
        else:
            fixed = fix(message.string)
        if fixed != message.string:
            message.string = fixed
            changed += 1
    with path.open("wb") as target:
        # In alphabetical order, whatever file a string moved to: branches
        # that each add strings merge without reordering the whole file.
        write_po(target, catalogue, sort_output=True)
    return changed


if __name__ == "__main__":
    catalogue_path = (
        Path(__file__).resolve().parent / "fr" / "LC_MESSAGES" / "django.po"
    )
    count = fix_catalogue(Path(sys.argv[1]) if len(sys.argv) > 1 else catalogue_path)
    print(f"{count} French messages fixed; now run: manage.py compilemessages -l fr")

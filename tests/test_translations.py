"""The French catalogue is complete, and the compiled .mo says what the .po says."""

import gettext
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def catalogue():
    with open(LOCALE / "django.po", "rb") as po:
        return [message for message in read_po(po) if message.id]


def test_every_message_has_a_french_translation_and_none_is_fuzzy():
    messages = catalogue()

    untranslated = [m.id for m in messages if not m.string or not all(m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert (untranslated, fuzzy) == ([], [])
    assert len(messages) > 250


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for message in catalogue():
        if isinstance(message.id, tuple):  # singular and plural: check the singular
            singular, plural = message.id
            args, expected = (singular, plural, 1), message.string[0]
            lookup = compiled.npgettext if message.context else compiled.ngettext
        else:
            args, expected = (message.id,), message.string
            lookup = compiled.pgettext if message.context else compiled.gettext
        got = lookup(message.context, *args) if message.context else lookup(*args)
        if got != expected:
            stale.append(message.id)
    assert stale == []

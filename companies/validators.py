"""Checks shared by the models of every app: what one text field may hold."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Line breaks, tabs and the other control characters (C0, DEL, C1, and the
# Unicode line and paragraph separators): none belongs in a name, a number or
# anything else that is one line, and a line break in an e-mail header field
# breaks sending.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Longest texts: a document's notes, an address. The README lists them.
NOTES_MAX_LENGTH = 5000
ADDRESS_MAX_LENGTH = 500


@deconstructible
class SingleLineValidator:
    message = _("Use a single line, without line breaks, tabs or control characters.")
    code = "single_line"

    def __call__(self, value: str) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SingleLineValidator)

    def __hash__(self) -> int:
        return hash(self.code)


single_line = SingleLineValidator()


def is_single_line(value: str) -> bool:
    return not CONTROL_CHARACTERS.search(value)

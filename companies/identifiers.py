"""French business identifiers: the SIREN and the VAT number built on it.

A SIREN is nine digits whose Luhn checksum is zero; a French VAT number is
"FR", a two-digit key computed from the SIREN, then the SIREN. Both are
mandatory on French e-invoices (companies and business clients), so they are
checked when typed rather than when an invoice is refused.
"""

import re

from django.utils.translation import gettext as _

FRANCE = "FR"
# Countries whose e-invoices follow the French rules (SIREN mandatory).
SIREN_COUNTRIES = frozenset({FRANCE})
VAT_NUMBER = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")


class InvalidIdentifier(ValueError):
    """An identifier that cannot be right; the message is for people."""


def compact(value: str) -> str:
    """The identifier as stored: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def luhn_is_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum of a string of digits is zero."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_clean(value: str) -> str:
    """A SIREN typed by a person, compacted.

    :raises InvalidIdentifier: not nine digits, or its checksum is wrong.
    """
    siren = compact(value)
    if not re.fullmatch(r"[0-9]{9}", siren):
        raise InvalidIdentifier(_("A SIREN is nine digits."))
    if not luhn_is_valid(siren):
        raise InvalidIdentifier(
            _("%(siren)s is not a valid SIREN: its check digit is wrong.")
            % {"siren": siren}
        )
    return siren


def french_vat_key(siren: str) -> str:
    """The two digits between "FR" and the SIREN in a French VAT number."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def french_vat_number(siren: str) -> str:
    return f"{FRANCE}{french_vat_key(siren)}{siren}"


def vat_number_clean(value: str, *, siren: str = "") -> str:
    """A VAT number typed by a person, compacted; a French one must carry the
    key of `siren` (when given) and that SIREN.

    :raises InvalidIdentifier: malformed, or a French number whose key or SIREN
        does not match.
    """
    number = compact(value)
    if not number:
        return ""
    if not VAT_NUMBER.fullmatch(number):
        raise InvalidIdentifier(
            _(
                "%(number)s is not a VAT number: two letters for the country, then "
                "the number."
            )
            % {"number": number}
        )
    if number.startswith(FRANCE):
        body = number[2:]
        if not re.fullmatch(r"[0-9A-Z]{2}[0-9]{9}", body):
            raise InvalidIdentifier(
                _("A French VAT number is FR, a two-character key and the SIREN.")
            )
        if siren and body[2:] != siren:
            raise InvalidIdentifier(
                _("This VAT number does not end with the SIREN %(siren)s.")
                % {"siren": siren}
            )
        if body[:2].isdigit() and body[:2] != french_vat_key(body[2:]):
            raise InvalidIdentifier(
                _("The key of this VAT number should be %(key)s for SIREN %(siren)s.")
                % {"key": french_vat_key(body[2:]), "siren": body[2:]}
            )
    return number


# ISO 6523 schemes of an electronic invoicing address (BT-34, BT-49): the
# French directory's address, built on the SIREN, and an e-mail address.
FRENCH_DIRECTORY_SCHEME = "0225"
EMAIL_SCHEME = "EM"
# What the French rules accept in a directory address (BR-FR-23, BR-FR-25).
DIRECTORY_ADDRESS = re.compile(r"^[A-Za-z0-9+\-_.]{1,125}$")


def electronic_address_clean(value: str) -> str:
    """An electronic invoicing address typed by a person: an address of the
    French directory (the SIREN, optionally with a suffix: 123456782_ACHATS)
    or an e-mail address.

    :raises InvalidIdentifier: neither.
    """
    address = (value or "").strip()
    if not address or "@" in address:
        return address
    if not DIRECTORY_ADDRESS.fullmatch(address):
        raise InvalidIdentifier(
            _(
                "An electronic invoicing address is the SIREN, optionally "
                "followed by a suffix (letters, digits, + - _ . only, at most "
                "125), or an e-mail address."
            )
        )
    return address


def electronic_address(
    *, override: str, siren: str, email: str
) -> tuple[str, str] | None:
    """(scheme, address) where a party receives e-invoices: the address it
    gave, else its SIREN in the French directory, else its e-mail address."""
    override = (override or "").strip()
    if override:
        scheme = EMAIL_SCHEME if "@" in override else FRENCH_DIRECTORY_SCHEME
        return scheme, override
    if siren:
        return FRENCH_DIRECTORY_SCHEME, compact(siren)
    if email:
        return EMAIL_SCHEME, email
    return None

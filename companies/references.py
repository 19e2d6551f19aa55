"""ISO 11649 structured creditor references ("RF18 5390 0754 7034").

A reference the payer's bank carries unchanged to ours, so an incoming transfer
names the invoice it pays. Two check digits (ISO 7064 MOD 97-10, as in an IBAN)
catch a mistyped reference.
"""

import re

MAX_REFERENCE_LENGTH = 21  # characters after "RFxx"
BASE = f"[0-9A-Z]{{1,{MAX_REFERENCE_LENGTH}}}"


def _as_digits(text: str) -> int:
    """Letters become numbers (A=10 … Z=35), as for IBANs."""
    return int("".join(str(int(char, 36)) for char in text))


def creditor_reference_from(reference: str) -> str:
    """`RF` + check digits + `reference` (1 to 21 letters or digits).

    :raises ValueError: a reference that is empty, too long or not alphanumeric.
    """
    reference = reference.upper()
    if not re.fullmatch(BASE, reference):
        raise ValueError(f"Not a creditor reference base: {reference!r}")
    check = 98 - _as_digits(reference + "RF00") % 97
    return f"RF{check:02d}{reference}"


def is_valid_creditor_reference(text: str) -> bool:
    """Whether `text` (spaces allowed) is a well-formed RF reference."""
    compact = re.sub(r"\s+", "", text).upper()
    if not re.fullmatch("RF[0-9]{2}" + BASE, compact):
        return False
    return _as_digits(compact[4:] + compact[:4]) % 97 == 1


def invoice_creditor_reference(number: str) -> str:
    """An invoice's RF reference, from its number (INV-2026-0042 → RF…INV20260042).

    Numbers are unique within the company, whose bank account receives the
    transfer, so the reference names exactly one of its invoices.
    """
    return creditor_reference_from(re.sub(r"[^0-9A-Za-z]", "", number))


def grouped(reference: str) -> str:
    """In groups of four for people to read and type: RF18 5390 0754 7034."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))

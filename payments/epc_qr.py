"""The EPC QR code ("Girocode"): a SEPA credit transfer that banking apps scan.

The only module that imports segno. The European Payments Council's format
(version 002) carries the beneficiary's name, IBAN and BIC, the amount in euros
and a structured remittance reference; it is drawn as inline SVG, so the
portal's strict CSP needs nothing more (no script, no style attribute, no image
from elsewhere).
"""

import re
from decimal import Decimal

import segno
from segno import helpers

# The EPC format is for euros only, from 0.01 to 999,999,999.99.
EPC_CURRENCY = "EUR"
EPC_MAX_AMOUNT = Decimal("999999999.99")


def epc_qr_available(*, currency: str, iban: str, amount: Decimal) -> bool:
    return (
        currency == EPC_CURRENCY
        and bool(compact_iban(iban))
        and Decimal("0.01") <= amount <= EPC_MAX_AMOUNT
    )


def compact_iban(iban: str) -> str:
    return re.sub(r"\s+", "", iban).upper()


def epc_qr_svg(
    *, name: str, iban: str, bic: str, amount: Decimal, reference: str, title: str
) -> str:
    """The EPC QR code as an inline <svg> element (no XML declaration).

    :raises ValueError: values the format cannot carry (e.g. a name over 70
        characters is cut first, so mostly a currency or amount out of range).
    """
    code: segno.QRCode = helpers.make_epc_qr(
        name=name[:70],
        iban=compact_iban(iban),
        amount=amount,
        reference=reference,
        bic=compact_iban(bic) or None,
    )
    return code.svg_inline(
        scale=4, border=4, light="#fff", title=title, svgclass="epc-qr", lineclass=None
    )

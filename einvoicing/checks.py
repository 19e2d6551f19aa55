"""What an invoice must hold to be issued as an e-invoice."""

from typing import Any

from einvoicing import facturx


def einvoice_check(content: dict[str, Any], error: type[Exception]) -> None:
    """Refuse content that cannot make a valid Factur-X e-invoice, naming what
    is missing.

    :raises error: a missing SIREN, VAT number or 0 % VAT reason, or XML the
        XSD refuses.
    """
    if not facturx.applies_to(content):
        return
    try:
        facturx.invoice_xml(content)
    except facturx.FacturXError as exc:
        raise error(str(exc)) from exc

"""The mentions French law puts on an invoice, for the document body that the
portal page and the PDF share (`documents/_document_body.html`)."""

from django import template

from einvoicing import mentions

register = template.Library()


@register.simple_tag
def document_mentions(content: dict) -> dict:
    """{% document_mentions content as mentions %}: what the invoice is for, the
    0 % VAT reason and the legal payment mentions, in the active language."""
    exemption = mentions.vat_exemption(content)
    return {
        "operation": mentions.operation_label(content)
        if content.get("kind") in ("invoice", "credit_note")
        else "",
        "vat_exemption": exemption[2] if exemption else "",
        "legal": mentions.legal_mentions(content),
    }

"""Factur-X (EN 16931): the only package that imports the factur-x library.

An invoice or credit note version's CII XML is generated from its frozen
content (`DocumentVersion.content`) by the library's `generate_xml`, in the
document's language, and checked against the Factur-X EN 16931 XSD;
`printing.pdf` embeds it in the PDF/A-3 with the XMP properties of `xmp`. The
XML holds no clock time: the same version gives the same bytes. `parties`,
`fields` and `problems` build and check its content; `einvoicing.validation`
runs the official rule sets over it.
"""

import logging

from django.utils import translation
from django.utils.translation import gettext as _
from facturx import generate_xml, get_facturx_xml_from_pdf, xml_check_xsd

from einvoicing.facturx.fields import (
    COMMERCIAL_INVOICE,
    CREDIT_NOTE,
    PREPAYMENT_INVOICE,
    data,
    type_code,
)
from einvoicing.facturx.problems import FacturXError, applies_to, problems
from einvoicing.facturx.xmp import (
    CONFORMANCE_LEVEL,
    FILENAME,
    XMP_NAMESPACE,
    xmp_descriptions,
)

__all__ = [
    "COMMERCIAL_INVOICE",
    "CONFORMANCE_LEVEL",
    "CREDIT_NOTE",
    "FILENAME",
    "LEVEL",
    "PREPAYMENT_INVOICE",
    "XMP_NAMESPACE",
    "FacturXError",
    "applies_to",
    "data",
    "invoice_xml",
    "problems",
    "type_code",
    "xml_check",
    "xml_from_pdf",
    "xmp_descriptions",
]

# The library logs every successful check at INFO: that is noise in our logs.
logging.getLogger("factur-x").setLevel(logging.WARNING)

LEVEL = "en16931"
EMPTY_DELIVERY_NIL = b'<ram:ApplicableHeaderTradeDelivery xsi:nil="true"/>'
EMPTY_DELIVERY = b"<ram:ApplicableHeaderTradeDelivery/>"


def invoice_xml(content: dict) -> bytes:
    """The version's Factur-X EN 16931 CII XML, checked against the XSD, its
    words in the document's language (the client's when it was issued).

    :raises FacturXError: something missing (`problems`), or XML the XSD
        refuses (a bug: the message says what the XSD said).
    """
    language = content.get("language") or translation.get_language()
    with translation.override(language):
        missing = problems(content)
        if missing:
            raise FacturXError(" ".join(missing))
        try:
            xml = generate_xml(
                data(content),
                flavor="factur-x",
                level=LEVEL,
                check_xsd=False,
                check_schematron=False,
            )
            # The library marks the header's delivery element nil when
            # nothing is delivered elsewhere; the XSD wants it present.
            xml = xml.replace(EMPTY_DELIVERY_NIL, EMPTY_DELIVERY)
            xml_check_xsd(xml, flavor="factur-x", level=LEVEL)
        except FacturXError:
            raise
        except Exception as exc:  # the library raises bare Exceptions
            raise FacturXError(
                _("This document cannot be made a valid e-invoice: %(error)s")
                % {"error": exc}
            ) from exc
    return xml


def xml_check(xml: bytes) -> None:
    """:raises FacturXError: the XML is not valid Factur-X EN 16931 by the XSD."""
    try:
        xml_check_xsd(xml, flavor="factur-x", level=LEVEL)
    except Exception as exc:
        raise FacturXError(str(exc)) from exc


def xml_from_pdf(pdf: bytes) -> bytes | None:
    """The Factur-X XML embedded in a PDF, or None."""
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    return xml or None

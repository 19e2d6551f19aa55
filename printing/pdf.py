"""A document version printed to PDF (through `printing.engine`).

The PDF is built from the version's frozen content and the company's brand
(the same validated palette the portal paints with), with the labels in the
client's language. Its page frame (masthead, running header, page numbers,
legal footer, a quote's signature block) is its own; the document inside is
``documents/_document_body.html``, the partial the portal page shows.
"""

import base64
import datetime as dt
import hashlib
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from branding.colours import colour_normalise, ink_on_paper
from branding.selectors import Brand, brand_for_company, brand_logo_png
from companies.money import format_day
from documents.models import DocumentVersion
from einvoicing import facturx
from printing.engine import EmbeddedFile, html_to_pdf


def version_pdf_render(*, version: DocumentVersion) -> bytes:
    """The version's PDF, printed now (no storage, no database writes): for an
    invoice or a credit note, a Factur-X EN 16931 PDF/A-3 with its XML.

    Reproducible: rendering the same version again gives the same bytes (the
    dates are the version's, the file identifier is derived from it), which
    is how `manage.py pdf_repair` checks a re-rendered file against the stored
    SHA-256. Stopped after PDF_RENDER_TIME_LIMIT_SECONDS.

    :raises facturx.FacturXError: an e-invoice whose XML cannot be valid.
    :raises RenderTimeout: the render ran out of time.
    """
    html = version_pdf_html(version=version)
    identifier = hashlib.sha256(
        f"{version.pk}:{version.document_id}:{version.number}".encode()
    ).hexdigest()[:32]
    time_limit = settings.PDF_RENDER_TIME_LIMIT_SECONDS
    if not facturx.applies_to(version.content):
        return html_to_pdf(
            html, identifier=identifier.encode("ascii"), time_limit=time_limit
        )
    with translation.override(version.document.client.locale):
        xml = facturx.invoice_xml(version.content)
    factur_x = EmbeddedFile(
        name=facturx.FILENAME,
        data=xml,
        description="Factur-X invoice (EN 16931)",
        relationship="Data",
        modified_at=version.created_at.astimezone(dt.UTC),
    )
    return html_to_pdf(
        html,
        embedded_files=[factur_x],
        xmp_descriptions=facturx.xmp_descriptions(),
        identifier=identifier.encode("ascii"),
        time_limit=time_limit,
    )


def version_pdf_html(*, version: DocumentVersion) -> str:
    """The HTML the version's PDF is printed from, in the client's language."""
    document = version.document
    company, client = document.company, document.client
    brand = brand_for_company(company=company)
    with translation.override(client.locale):
        context = _context(version=version, brand=brand, locale=client.locale)
        return render_to_string(f"printing/{version.content['kind']}.html", context)


def _context(*, version: DocumentVersion, brand: Brand, locale: str) -> dict:
    content = version.content
    seller = content["seller"]
    # Printed once and kept: it names this version and its date, never how
    # many versions there are (a later one would make that wrong).
    version_label = _("Version %(number)s · issued %(date)s") % {
        "number": version.number,
        "date": format_day(timezone.localdate(version.created_at), locale),
    }
    if content["kind"] == "invoice":
        title = _("Invoice %(number)s") % {"number": content["number"] or ""}
    elif content["kind"] == "credit_note":
        title = _("Credit note %(number)s") % {"number": content["number"] or ""}
    else:
        title = _("Quote %(number)s") % {"number": content["number"] or ""}
    legal_bits = [
        seller.get("legal_name") or seller.get("name"),
        seller.get("vat_number")
        and _("VAT %(number)s") % {"number": seller["vat_number"]},
        seller.get("registration_number")
        and _("Reg. %(number)s") % {"number": seller["registration_number"]},
    ]
    return {
        "language": translation.get_language(),
        # The PDF's creation and modification dates: the version's own.
        "created_iso": version.created_at.astimezone(dt.UTC).isoformat(),
        "title": title.strip(),
        "content": content,  # what documents/_document_body.html prints
        "page_counter_css": _page_counter_css(),
        "brand": brand,
        "brand_css": _brand_css(brand),
        "brand_logo_data_uri": _logo_data_uri(brand),
        "version_label": version_label,
        "legal_line_css": _css_content(" · ".join(bit for bit in legal_bits if bit)),
    }


def _brand_css(brand: Brand) -> str:
    """The portal's custom properties (`--brand-primary`, `--brand-on-primary`,
    …), plus each colour as heading ink on white paper; every value is a
    `#RRGGBB` rebuilt from numbers, so nothing can leave the ``:root`` rule."""
    palette = brand.palette
    inks = {
        "--brand-primary-ink": ink_on_paper(palette.primary.background),
        "--brand-accent-ink": ink_on_paper(palette.accent.background),
    }
    return " ".join(
        [palette.css_declarations()]
        + [f"{name}: {colour_normalise(value)};" for name, value in inks.items()]
    )


def _logo_data_uri(brand: Brand) -> str | None:
    """The brand's logo as a data: URI, the one way an image reaches a PDF."""
    logo = brand_logo_png(brand=brand)
    if logo is None:
        return None
    return f"data:image/png;base64,{base64.b64encode(logo).decode('ascii')}"


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes, brackets and newlines escaped.

    Nothing can end the string or the <style> element it is written into.
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or not char.isprintable() else char
        for char in text
    )
    return f'"{escaped}"'


def _css_content(text: str) -> SafeString:
    """Text as a margin box's content, safe to put in <style>."""
    return mark_safe(_css_string(text))  # noqa: S308 - escaped by _css_string


def _page_counter_css() -> SafeString:
    """ "Page 1 of 2" as a margin box's content, from the translated label.

    Safe to put in <style>: every piece of text went through _css_string.
    """
    label = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", label)
    tokens = []
    for part in parts:
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(_css_string(part))
    return mark_safe(" ".join(tokens))  # noqa: S308 - escaped above

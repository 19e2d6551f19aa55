"""The certificate page appended to a signed quote's PDF."""

import base64
import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone, translation

from companies.money import format_moment, format_money
from documents.models import QuoteSignature
from printing.engine import html_to_pdf


def signature_certificate_render(*, signature: QuoteSignature) -> bytes:
    """The certificate page appended to a signed quote's PDF: who accepted what,
    when, from where, with which consent, and the SHA-256 of the PDF signed."""
    return html_to_pdf(signature_certificate_html(signature=signature))


def signature_certificate_html(*, signature: QuoteSignature) -> str:
    """The certificate page's HTML, in the language the client signed in."""
    version = signature.version
    content = version.content
    png = signature.signature_png
    with translation.override(signature.language):
        locale = translation.to_locale(signature.language)
        local_time = timezone.localtime(signature.signed_at)
        return render_to_string(
            "signing/certificate.html",
            {
                "language": translation.get_language(),
                "signature": signature,
                "content": content,
                "version_number": version.number,
                "total": format_money(version.total, content["currency"], locale),
                "signed_at_utc": signature.signed_at.astimezone(dt.UTC).strftime(
                    "%Y-%m-%d %H:%M:%S UTC"
                ),
                "signed_at_local": format_moment(
                    signature.signed_at, locale, local_time.tzinfo or dt.UTC
                ),
                "signature_data_uri": (
                    f"data:image/png;base64,{base64.b64encode(bytes(png)).decode()}"
                    if png
                    else None
                ),
            },
        )

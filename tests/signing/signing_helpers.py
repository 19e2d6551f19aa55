"""Quotes ready to sign, drawings, and the answer services' arguments."""

import datetime as dt
import io

from PIL import Image, ImageDraw

from documents.models import Document
from printing.store import version_pdf_ensure
from signing import services as signing_services
from tests.factories import NOW, DocumentFactory

ORIGIN = signing_services.RequestOrigin(
    ip_address="203.0.113.7", user_agent="TestPhone/1.0"
)


def signable_quote(*, requires_signature: bool = True, **kwargs) -> Document:
    """A pending quote whose latest version's PDF is stored (as the worker does)."""
    quote = DocumentFactory(
        kind="quote",
        finalised=True,
        requires_signature=requires_signature,
        **kwargs,
    )
    version_pdf_ensure(version=quote.current_version)
    quote.refresh_from_db()
    return (
        Document.objects.for_company(quote.company)
        .select_related("current_version")
        .get(pk=quote.pk)
    )


def drawing(
    size: tuple[int, int] = (600, 200), *, strokes: bool = True, mode: str = "RGBA"
) -> bytes:
    """A PNG as the canvas exports it: dark strokes on a transparent ground."""
    background = (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255)
    image = Image.new(mode, size, background)
    if strokes:
        pen = ImageDraw.Draw(image)
        width, height = size
        pen.line(
            [
                (20, height - 30),
                (width // 3, 30),
                (width // 2, height - 40),
                (width - 30, 40),
            ],
            fill=(17, 24, 39, 255) if mode == "RGBA" else (17, 24, 39),
            width=5,
        )
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def sign_arguments(quote: Document, **overrides) -> dict:
    """What the portal posts to sign the quote's latest version by typed name."""
    version = quote.current_version
    return {
        "quote": quote,
        "version_number": version.number,
        "version_pdf_sha256": version.pdf_sha256,
        "signer_name": "Ada Lovelace",
        "signer_email": "ada@example.org",
        "consent": True,
        "method": "typed",
        "signature_png": None,
        "typed_name": "Ada Lovelace",
        "language": "en",
        "origin": ORIGIN,
        "now": NOW + dt.timedelta(days=1),
    } | overrides


def accept_arguments(quote: Document, **overrides) -> dict:
    arguments = sign_arguments(quote, **overrides)
    del arguments["method"], arguments["signature_png"], arguments["typed_name"]
    return arguments


def decline_arguments(quote: Document, **overrides) -> dict:
    version = quote.current_version
    return {
        "quote": quote,
        "version_number": version.number,
        "version_pdf_sha256": version.pdf_sha256,
        "reason": "Too expensive for us this year.",
        "language": "en",
        "origin": ORIGIN,
        "now": NOW + dt.timedelta(days=1),
    } | overrides

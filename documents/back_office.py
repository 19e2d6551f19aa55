"""Where a document lives in the back office: quotes on the Quotes pages,
invoices, deposit invoices and credit notes on the Invoices pages.

Outside the admin package so e-mails and other apps can link to a document
without importing the admin (whose import registers every page).
"""

from django.urls import reverse

from documents.models import Document


def kind_page(kind: str) -> str:
    """The admin model name of a kind's pages: "quote" or "invoice"."""
    return "quote" if kind == Document.Kind.QUOTE else "invoice"


def document_admin_url(document: Document, view: str = "change") -> str:
    """The document's own page (or `history`) on its kind's pages."""
    return reverse(
        f"admin:documents_{kind_page(document.kind)}_{view}", args=[document.pk]
    )

"""Back-office pages for quotes and invoices.

Invoices (with deposit invoices and credit notes) and Quotes are two lists,
each with its own columns, filters, actions and forms; `Document`'s own
addresses send each document to its kind's page and hold what any document
has: actions and their confirmations, files, billing pages.
"""

from documents.admin import home  # noqa: F401  (registers the home section)
from documents.admin.documents import DocumentAdmin
from documents.admin.invoices import InvoiceAdmin
from documents.admin.quotes import QuoteAdmin

__all__ = ["DocumentAdmin", "InvoiceAdmin", "QuoteAdmin"]

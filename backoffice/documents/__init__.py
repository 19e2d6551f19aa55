"""Back-office pages for quotes and invoices.

Invoices (with deposit invoices and credit notes) and Quotes are two lists,
each with its own columns, filters, actions and forms; `Document`'s own
addresses send each document to its kind's page and hold what any document
has: actions and their confirmations, files, billing pages.
"""

from backoffice.documents.catalogue import CatalogueItemAdmin
from backoffice.documents.documents import DocumentAdmin
from backoffice.documents.invoices import InvoiceAdmin
from backoffice.documents.quotes import QuoteAdmin

__all__ = ["CatalogueItemAdmin", "DocumentAdmin", "InvoiceAdmin", "QuoteAdmin"]

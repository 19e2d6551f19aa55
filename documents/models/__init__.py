"""Quotes and invoices, their immutable versions and their history.

A package by concern; every name is importable from `documents.models`, where
the migrations found them.
"""

from django.core.files.storage import Storage, storages


def document_storage() -> Storage:
    """The private storage of document files, read as configured now.

    Looked up on each call rather than kept by the FileField, which would hold
    on to the storage it met at import (and miss a settings change).
    """
    return storages["documents"]


# Imported after document_storage, which their file fields name.
from documents.models.answers import (  # noqa: E402
    SHA256_HEX,
    QuoteDecline,
    QuoteSignature,
    SignatureMethod,
)
from documents.models.catalogue import CatalogueItem  # noqa: E402
from documents.models.document import (  # noqa: E402
    CREDIT_NOTE_STATUSES,
    INVOICE_STATUSES,
    QUOTE_STATUSES,
    VAT_RATES,
    Document,
    DocumentKind,
    DocumentManager,
    DocumentQuerySet,
    DocumentStatus,
    Invoice,
    OperationCategory,
    Quote,
    VatExemption,
    amount_due_expression,
    vat_rate_choices,
)
from documents.models.emails import (  # noqa: E402
    ClientEmail,
    ClientEmailKind,
    ClientEmailStatus,
)
from documents.models.history import (  # noqa: E402
    DocumentEvent,
    EventKind,
)
from documents.models.lines import (  # noqa: E402
    DocumentLine,
)
from documents.models.numbering import DocumentNumberSequence  # noqa: E402
from documents.models.versions import (  # noqa: E402
    DocumentVersion,
    VersionPdfRender,
)

__all__ = [
    "document_storage",
    "CREDIT_NOTE_STATUSES",
    "ClientEmail",
    "ClientEmailKind",
    "ClientEmailStatus",
    "Document",
    "DocumentEvent",
    "DocumentKind",
    "CatalogueItem",
    "DocumentLine",
    "DocumentManager",
    "DocumentNumberSequence",
    "DocumentQuerySet",
    "DocumentStatus",
    "DocumentVersion",
    "EventKind",
    "INVOICE_STATUSES",
    "Invoice",
    "OperationCategory",
    "QUOTE_STATUSES",
    "Quote",
    "QuoteDecline",
    "QuoteSignature",
    "SHA256_HEX",
    "SignatureMethod",
    "VAT_RATES",
    "vat_rate_choices",
    "VatExemption",
    "VersionPdfRender",
    "amount_due_expression",
]

"""Every change to a quote or an invoice: one function per business action.

Each runs in one transaction, writes the document's history (a DocumentEvent)
and bumps the client's portal revision in that same transaction; side effects
(e-mail, PDF rendering) run on commit. The modules split them by concern;
callers import from here.
"""

from documents.services.billing import (
    BillingRefused,
    deposit_invoice_issue,
)
from documents.services.catalogue import CatalogueItemRefused, catalogue_item_save
from documents.services.conversion import (
    QuoteNotConvertible,
    quote_convert_to_invoice,
)
from documents.services.correction import invoice_correct, is_correctable
from documents.services.credit_notes import (
    CreditNoteRefused,
    invoice_credit_partly,
    invoice_credit_whole,
)
from documents.services.deletion import DocumentNotDeletable, document_draft_delete
from documents.services.drafts import (
    HEADER_FIELDS,
    DocumentNotEditable,
    InvalidDocument,
    document_create,
    document_lines,
    document_update,
)
from documents.services.duplicating import (
    DocumentNotDuplicable,
    document_duplicate,
    is_duplicable,
)
from documents.services.errors import DocumentError
from documents.services.finalising import (
    DocumentNotFinalisable,
    document_finalise,
    finalise_problems,
)
from documents.services.frozen import FiscalContentFrozen
from documents.services.late_fees import (
    LateFeesRefused,
    invoice_late_fees_bill,
    late_fees_billable,
    late_fees_refusal,
    late_fees_waive,
)
from documents.services.lifecycle import StatusChangeRefused, document_cancel
from documents.services.viewing import document_viewed
from documents.services.visibility import document_hide, document_show

__all__ = [
    "CatalogueItemRefused",
    "catalogue_item_save",
    "LateFeesRefused",
    "late_fees_waive",
    "invoice_late_fees_bill",
    "late_fees_billable",
    "late_fees_refusal",
    "DocumentNotDuplicable",
    "document_duplicate",
    "is_duplicable",
    "finalise_problems",
    "HEADER_FIELDS",
    "BillingRefused",
    "CreditNoteRefused",
    "DocumentNotDeletable",
    "document_draft_delete",
    "deposit_invoice_issue",
    "invoice_correct",
    "invoice_credit_partly",
    "is_correctable",
    "invoice_credit_whole",
    "DocumentError",
    "QuoteNotConvertible",
    "quote_convert_to_invoice",
    "DocumentNotEditable",
    "DocumentNotFinalisable",
    "FiscalContentFrozen",
    "InvalidDocument",
    "StatusChangeRefused",
    "document_cancel",
    "document_create",
    "document_finalise",
    "document_hide",
    "document_lines",
    "document_show",
    "document_update",
    "document_viewed",
]

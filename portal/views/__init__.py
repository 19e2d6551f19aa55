"""The portal's pages: every one starts from the client its token resolves to.

Thin views: reads come from `portal.selectors`, formatting from the templates'
`document_format` filters (the list's rows are formatted once per row in
`lists`). Only the language switch and the page's beacon are POSTs (the
beacon, sent by a script in a real browser, records views and the access log);
no GET changes anything. `live` streams revision changes to open pages.
"""

from portal.views.beacon import portal_beacon
from portal.views.brand import brand_icon, brand_logo, manifest
from portal.views.documents import (
    document_detail,
    document_version_detail,
    document_version_pdf,
    document_version_xml,
)
from portal.views.language import language_set
from portal.views.lists import invoice_list, invoices_pay, quote_list
from portal.views.live import portal_events
from portal.views.payments import invoice_pay, receipt_pdf, transfer_declare
from portal.views.quotes import (
    quote_accept_online,
    quote_decline_online,
    quote_sign,
    quote_signed_pdf,
)
from portal.views.refusal import invoice_refuse
from portal.views.statement import documents_zip, statement_page, statement_pdf
from portal.views.transfer_batches import (
    transfer_batch_declare,
    transfer_batch_open,
    transfer_batch_page,
)

__all__ = [
    "brand_icon",
    "brand_logo",
    "document_detail",
    "document_version_detail",
    "document_version_pdf",
    "document_version_xml",
    "documents_zip",
    "invoice_list",
    "invoice_refuse",
    "invoice_pay",
    "invoices_pay",
    "language_set",
    "manifest",
    "quote_accept_online",
    "quote_decline_online",
    "portal_beacon",
    "portal_events",
    "quote_list",
    "receipt_pdf",
    "quote_sign",
    "statement_page",
    "statement_pdf",
    "quote_signed_pdf",
    "transfer_batch_declare",
    "transfer_batch_open",
    "transfer_batch_page",
    "transfer_declare",
]

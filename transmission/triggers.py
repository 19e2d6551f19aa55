"""Where transmission plugs into a document's life (`documents.hooks`)."""

from documents.models import DocumentEvent, DocumentVersion
from transmission import sending


def version_written(version: DocumentVersion) -> None:
    """An invoice or credit note just issued goes to the platform."""
    sending.invoice_flow_queue(version=version)


def event_written(event: DocumentEvent) -> None:
    """An invoice now paid in full: 212 Encaissée."""
    if event.kind == DocumentEvent.Kind.PAID:
        sending.invoice_paid_record(document=event.document, now=event.at)

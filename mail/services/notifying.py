"""The company hears of what its clients did."""

from companies.queue import enqueue_at_commit
from documents.models import DocumentEvent
from mail import tasks


def client_event_notify_on_commit(event: DocumentEvent) -> None:
    """E-mail the company's members a client's action once it is committed
    (registered in `documents.hooks.client_event_written`). A transfer for
    several invoices is told once, on its first invoice's event."""
    batch = event.details.get("batch")
    if isinstance(batch, dict) and "first" in batch:
        return
    enqueue_at_commit(tasks.event_members_notify, event.pk)

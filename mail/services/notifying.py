"""The company hears of what its clients did."""

from django.db import transaction

from documents.models import DocumentEvent
from mail import tasks


def client_event_notify_on_commit(event: DocumentEvent) -> None:
    """E-mail the company's members a client's action once it is committed
    (registered in `documents.hooks.client_event_written`)."""
    event_id = event.pk
    transaction.on_commit(lambda: tasks.event_members_notify.enqueue(event_id))

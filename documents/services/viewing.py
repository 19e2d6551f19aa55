"""A client really opening a document: once per version, from its beacon."""

import datetime as dt

from django.db import IntegrityError, transaction

from clients.models import Client
from documents import events
from documents.models import Document, DocumentEvent, DocumentVersion


def document_viewed(
    *, client: Client, document: Document, version: DocumentVersion, now: dt.datetime
) -> DocumentEvent | None:
    """Record the first opening of this version; None when it was seen before.

    Not a change the client sees: its portal revision stays as it is. The
    unique constraint on (version, "viewed") keeps it to one even when two
    tabs report at once.
    """
    seen = (
        DocumentEvent.objects.for_company(client.company)
        .filter(version=version, kind=DocumentEvent.Kind.VIEWED)
        .exists()
    )
    if seen:
        return None
    try:
        with transaction.atomic():
            return events.document_viewed(
                document=document, version=version, at=now, actor_name=client.name
            )
    except IntegrityError:
        return None

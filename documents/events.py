"""One keyword-only writer per kind of document event (the document's history)."""

import datetime as dt

from companies.models import Actor
from documents.models import Document, DocumentEvent, DocumentVersion


def _write(
    kind: str,
    *,
    document: Document,
    actor: Actor,
    at: dt.datetime,
    version: DocumentVersion | None = None,
    actor_name: str = "",
    details: dict[str, object] | None = None,
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        company_id=document.company_id,
        document=document,
        version=version or document.current_version,
        kind=kind,
        actor=actor,
        actor_name=actor_name or (str(actor) if actor is not None else ""),
        at=at,
        details=details or {},
    )


def document_created(
    *, document: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(DocumentEvent.Kind.CREATED, document=document, actor=actor, at=at)


def document_finalised(
    *, document: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.FINALISED,
        document=document,
        actor=actor,
        at=at,
        details={"number": document.number},
    )


def document_new_version(
    *, document: Document, version: DocumentVersion, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.NEW_VERSION,
        document=document,
        version=version,
        actor=actor,
        at=at,
        details={"version": version.number},
    )


def document_sent(
    *, document: Document, actor: Actor, at: dt.datetime, recipient: str
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.SENT,
        document=document,
        actor=actor,
        at=at,
        details={"to": recipient},
    )


def document_hidden(
    *, document: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(DocumentEvent.Kind.HIDDEN, document=document, actor=actor, at=at)


def document_shown(
    *, document: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(DocumentEvent.Kind.SHOWN, document=document, actor=actor, at=at)


def document_canceled(
    *, document: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    return _write(DocumentEvent.Kind.CANCELED, document=document, actor=actor, at=at)


def quote_accepted(
    *, document: Document, actor: Actor, at: dt.datetime, actor_name: str = ""
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.ACCEPTED,
        document=document,
        actor=actor,
        at=at,
        actor_name=actor_name,
    )


def quote_declined(
    *,
    document: Document,
    actor: Actor,
    at: dt.datetime,
    reason: str = "",
    actor_name: str = "",
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.DECLINED,
        document=document,
        actor=actor,
        at=at,
        actor_name=actor_name,
        details={"reason": reason} if reason else {},
    )


def invoice_payment_received(
    *, document: Document, actor: Actor, at: dt.datetime, amount: str, method: str
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.PAYMENT_RECEIVED,
        document=document,
        actor=actor,
        at=at,
        details={"amount": amount, "currency": document.currency, "method": method},
    )


def invoice_paid(*, document: Document, actor: Actor, at: dt.datetime) -> DocumentEvent:
    return _write(DocumentEvent.Kind.PAID, document=document, actor=actor, at=at)

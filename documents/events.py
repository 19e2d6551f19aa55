"""One keyword-only writer per kind of document event (the document's history).

Every writer goes through `_write`, which is also where the business hears of
what its clients did: an event of a kind in `NOTIFYING_KINDS` that no member
caused (the client in the portal, a payment provider's webhook) is handed to
`hooks.client_event_written`, where mail schedules, on commit, the e-mail to
the company's owners and admins who want it. The services that write those
events (payments, signing) need not know.
"""

import datetime as dt
from decimal import Decimal

from companies.models import Actor
from documents import hooks
from documents.models import Document, DocumentEvent, DocumentVersion

# What a client does that its business hears about at once: it opened a
# document (first view of a version), paid (all or part: `payment_received`;
# `paid` follows it and would repeat it), signed, accepted or declined a quote,
# or declared a bank transfer. Plain strings: kinds other apps add later
# notify as soon as they exist.
NOTIFYING_KINDS = frozenset(
    {
        "viewed",
        "payment_received",
        "signed",
        "accepted",
        "declined",
        "transfer_declared",
    }
)


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
    event = DocumentEvent.objects.create(
        company_id=document.company_id,
        document=document,
        # The current version by id: no query to load it.
        version_id=version.pk if version is not None else document.current_version_id,
        kind=kind,
        actor=actor,
        actor_name=actor_name or (str(actor) if actor is not None else ""),
        at=at,
        details=details or {},
    )
    if kind in NOTIFYING_KINDS and actor is None:
        for written in hooks.client_event_written:
            written(event)
    for hook in hooks.event_written:
        hook(event)
    return event


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
    *,
    document: Document,
    version: DocumentVersion | None,
    actor: Actor,
    at: dt.datetime,
    recipients: list[str],
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.SENT,
        document=document,
        version=version,
        actor=actor,
        at=at,
        details={"to": recipients},
    )


def document_reminder_sent(
    *,
    document: Document,
    version: DocumentVersion | None,
    at: dt.datetime,
    recipients: list[str],
    reminder_date: str,
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.REMINDER_SENT,
        document=document,
        version=version,
        actor=None,
        at=at,
        details={"to": recipients, "reminder_date": reminder_date},
    )


def document_send_failed(
    *,
    document: Document,
    version: DocumentVersion | None,
    at: dt.datetime,
    recipients: list[str],
    error: str,
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.SEND_FAILED,
        document=document,
        version=version,
        actor=None,
        at=at,
        details={"to": recipients, "error": error},
    )


def document_viewed(
    *, document: Document, version: DocumentVersion, at: dt.datetime, actor_name: str
) -> DocumentEvent:
    """The client opened this version in a real browser (its page's beacon)."""
    return _write(
        DocumentEvent.Kind.VIEWED,
        document=document,
        version=version,
        actor=None,
        actor_name=actor_name,
        at=at,
        details={"version": version.number},
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


def invoice_credited(
    *,
    document: Document,
    credit_note: Document,
    actor: Actor,
    at: dt.datetime,
    owed_back: Decimal = Decimal(0),
) -> DocumentEvent:
    """`owed_back`: what of the credit note the client had paid already, and
    the business now owes back (nothing when it took only what was unpaid)."""
    details: dict[str, object] = {
        "credit_note": credit_note.number,
        "credit_note_id": credit_note.pk,
        "amount": str(credit_note.total),
        "currency": credit_note.currency,
    }
    if owed_back > 0:
        details["owed_back"] = str(owed_back)
    return _write(
        DocumentEvent.Kind.CREDITED,
        document=document,
        actor=actor,
        at=at,
        details=details,
    )


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
    *,
    document: Document,
    actor: Actor,
    at: dt.datetime,
    amount: str,
    method: str,
    overpaid: str = "",
) -> DocumentEvent:
    details: dict[str, object] = {
        "amount": amount,
        "currency": document.currency,
        "method": method,
    }
    if overpaid:
        details["overpaid"] = overpaid
    return _write(
        DocumentEvent.Kind.PAYMENT_RECEIVED,
        document=document,
        actor=actor,
        at=at,
        details=details,
    )


def invoice_paid(*, document: Document, actor: Actor, at: dt.datetime) -> DocumentEvent:
    return _write(DocumentEvent.Kind.PAID, document=document, actor=actor, at=at)


def invoice_payment_processing(
    *, document: Document, actor: Actor, at: dt.datetime, amount: str, method: str
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.PAYMENT_PROCESSING,
        document=document,
        actor=actor,
        at=at,
        details={"amount": amount, "currency": document.currency, "method": method},
    )


def quote_signed(
    *,
    document: Document,
    version: DocumentVersion,
    at: dt.datetime,
    signer_name: str,
    method: str,
) -> DocumentEvent:
    """The client signed the quote from its portal (no member: actor is None)."""
    return _write(
        DocumentEvent.Kind.SIGNED,
        document=document,
        version=version,
        actor=None,
        at=at,
        actor_name=signer_name,
        details={"method": method, "version": version.number},
    )


def quote_invoiced(
    *, document: Document, invoice: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    """The accepted quote became a draft invoice."""
    return _write(
        DocumentEvent.Kind.INVOICED,
        document=document,
        actor=actor,
        at=at,
        details={"invoice_id": invoice.pk},
    )


def invoice_from_quote(
    *, document: Document, quote: Document, actor: Actor, at: dt.datetime
) -> DocumentEvent:
    """The draft invoice was made from an accepted quote."""
    return _write(
        DocumentEvent.Kind.FROM_QUOTE,
        document=document,
        actor=actor,
        at=at,
        details={"quote_id": quote.pk, "quote": quote.number},
    )


def invoice_payment_failed(
    *, document: Document, actor: Actor, at: dt.datetime, amount: str, method: str
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.PAYMENT_FAILED,
        document=document,
        actor=actor,
        at=at,
        details={"amount": amount, "currency": document.currency, "method": method},
    )


def invoice_refunded(
    *, document: Document, actor: Actor, at: dt.datetime, amount: str, method: str
) -> DocumentEvent:
    return _write(
        DocumentEvent.Kind.REFUNDED,
        document=document,
        actor=actor,
        at=at,
        details={"amount": amount, "currency": document.currency, "method": method},
    )


def invoice_transfer_declared(
    *,
    document: Document,
    at: dt.datetime,
    client_name: str,
    paid_on: str,
    batch: dict[str, object] | None = None,
) -> DocumentEvent:
    """`batch`: one transfer for several invoices, its reference and either
    every invoice's number (on the first invoice's event, the one the members
    hear of) or the first invoice's (on the others', which they do not)."""
    details: dict[str, object] = {"paid_on": paid_on} if paid_on else {}
    if batch:
        details["batch"] = batch
    return _write(
        DocumentEvent.Kind.TRANSFER_DECLARED,
        document=document,
        actor=None,
        at=at,
        actor_name=client_name,
        details=details,
    )

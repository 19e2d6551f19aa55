"""Moving a final document from one status to another, under its row lock."""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents import events, status
from documents.models import Document
from documents.services.credit_notes import CreditNoteRefused, invoice_credit_whole
from documents.services.errors import DocumentError


class StatusChangeRefused(DocumentError):
    pass


def status_change(
    document: Document, *, allowed: Callable[[Document], bool], to: str, refusal: str
) -> Document:
    """Lock the document, check `allowed` on what the lock read, and move it `to`.

    :raises StatusChangeRefused: `allowed` says no; `refusal` is the message.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not allowed(document):
        raise StatusChangeRefused(refusal)
    document.status = to
    document.save(update_fields=["status", "updated_at"])
    client_portal_revision_bump(client_id=document.client_id)
    return document


@transaction.atomic
def document_cancel(*, document: Document, actor: Actor, now: dt.datetime) -> Document:
    """Cancel an open quote, or an unpaid finalised invoice: the invoice is
    not changed but annulled by a credit note for all it still carries
    (`credit_notes.invoice_credit_whole`), and then reads Canceled.

    :raises StatusChangeRefused: a draft, money already received, or closed.
    """
    if document.kind == Document.Kind.INVOICE and not document.is_draft:
        try:
            invoice_credit_whole(invoice=document, actor=actor, now=now)
        except CreditNoteRefused as exc:
            raise StatusChangeRefused(str(exc)) from exc
        # unscoped: the invoice in hand, as the credit note left it
        return Document.objects.get(pk=document.pk)
    document = status_change(
        document,
        allowed=status.is_cancelable,
        to=Document.Status.CANCELED,
        refusal=_("Only an open quote or an unpaid invoice can be canceled."),
    )
    events.document_canceled(document=document, actor=actor, at=now)
    return document

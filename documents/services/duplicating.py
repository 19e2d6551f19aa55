"""Duplicate: a new draft made from a quote or an invoice, for the same client."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Actor
from documents.models import Document
from documents.services.drafts import document_create, document_lines
from documents.services.errors import DocumentError


class DocumentNotDuplicable(DocumentError):
    pass


def is_duplicable(document: Document) -> bool:
    """A quote or an ordinary invoice, in any state (a deposit invoice is made
    from its quote, a credit note from its invoice: neither is duplicated)."""
    return (
        document.kind
        in (
            Document.Kind.QUOTE,
            Document.Kind.INVOICE,
        )
        and not document.is_deposit
    )


@transaction.atomic
def document_duplicate(
    *, document: Document, actor: Actor, now: dt.datetime
) -> Document:
    """A new draft of the same kind for the same client, with the document's
    lines, currency, notes and VAT treatment; dated today (an invoice due on
    the client's payment terms, a quote valid as long as the original was).
    What belonged to the original only (its number, delivery dates, purchase
    order, payments, answers) is not copied.

    :raises DocumentNotDuplicable: a deposit invoice or a credit note, or a
        client archived since (restore it first).
    """
    if not is_duplicable(document):
        raise DocumentNotDuplicable(_("Only a quote or an invoice can be duplicated."))
    client = document.client
    if client.is_archived:
        raise DocumentNotDuplicable(
            _("%(client)s is archived: restore it, then duplicate.")
            % {"client": client.name}
        )
    today = timezone.localdate(now)
    expiry_date = None
    if document.kind == Document.Kind.QUOTE and document.expiry_date is not None:
        expiry_date = today + (document.expiry_date - document.issue_date)
    return document_create(
        company=document.company,
        client=client,
        kind=document.kind,
        lines=document_lines(document),
        actor=actor,
        now=now,
        currency=document.currency,
        issue_date=today,
        expiry_date=expiry_date,
        requires_signature=document.requires_signature,
        notes=document.notes,
        operation_category=document.operation_category,
        vat_exemption=document.vat_exemption,
        euro_rate=document.euro_rate,
    )

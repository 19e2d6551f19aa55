"""Waiving (or claiming again) an invoice's late-payment interest or its
recovery indemnity."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Actor
from documents.models import Document
from documents.services.errors import DocumentError


class LateFeesRefused(DocumentError):
    pass


@transaction.atomic
def late_fees_waive(
    *,
    document: Document,
    actor: Actor,
    now: dt.datetime,
    interest: bool | None = None,
    indemnity: bool | None = None,
) -> bool:
    """Waive (True) or claim again (False) the interest and/or the €40
    indemnity of an issued invoice; whether anything changed. The client's
    portal shows the change.

    :raises LateFeesRefused: not an issued invoice.
    """
    # unscoped: re-read under lock, the caller scoped this document
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.kind != Document.Kind.INVOICE or document.is_draft:
        raise LateFeesRefused(_("Only an issued invoice has late fees."))
    fields = []
    if interest is not None and document.late_interest_waived != interest:
        document.late_interest_waived = interest
        fields.append("late_interest_waived")
    if indemnity is not None and document.recovery_indemnity_waived != indemnity:
        document.recovery_indemnity_waived = indemnity
        fields.append("recovery_indemnity_waived")
    if not fields:
        return False
    document.save(update_fields=[*fields, "updated_at"])
    client_portal_revision_bump(client_id=document.client_id)
    return True

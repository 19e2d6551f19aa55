"""A quote's answer, as the business records it."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from companies.models import Actor
from documents import events, status
from documents.models import Document
from documents.services.lifecycle import StatusChangeRefused, status_change


@transaction.atomic
def quote_accept(
    *, quote: Document, actor: Actor, now: dt.datetime, actor_name: str = ""
) -> Document:
    """Mark a pending quote accepted.

    :raises StatusChangeRefused: not a pending quote.
    """
    if quote.kind != Document.Kind.QUOTE:
        raise StatusChangeRefused(_("Only a quote can be accepted."))
    quote = status_change(
        quote,
        allowed=status.is_answerable,
        to=Document.Status.ACCEPTED,
        refusal=_("Only a pending quote can be accepted."),
    )
    events.quote_accepted(document=quote, actor=actor, at=now, actor_name=actor_name)
    return quote


@transaction.atomic
def quote_decline(
    *,
    quote: Document,
    actor: Actor,
    now: dt.datetime,
    reason: str = "",
    actor_name: str = "",
) -> Document:
    """Mark a pending quote declined.

    :raises StatusChangeRefused: not a pending quote.
    """
    if quote.kind != Document.Kind.QUOTE:
        raise StatusChangeRefused(_("Only a quote can be declined."))
    quote = status_change(
        quote,
        allowed=status.is_answerable,
        to=Document.Status.DECLINED,
        refusal=_("Only a pending quote can be declined."),
    )
    events.quote_declined(
        document=quote, actor=actor, at=now, reason=reason, actor_name=actor_name
    )
    return quote

"""Delivering the e-mails to clients, with bounded retries and backoff.

`client_email_deliver` runs in a task (`mail.tasks.client_email_deliver`).
The mail server refusing or timing out is retried after `RETRY_DELAYS`; after
the last attempt the e-mail is marked failed and the document's history says
so, for the owner to see. The task queues its retry with `run_after` when the
task backend can defer (the database backend); `client_emails_retry_due`, which
`send_reminders` runs every few minutes, also picks up every e-mail whose retry
is due, so none waits forever on a lost task or a backend that cannot defer.
An e-mail already sent or failed is never delivered again.
"""

import datetime as dt
import logging
import smtplib
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from clients.services import client_portal_revision_bump
from documents import events
from documents.models import ClientEmail, Document
from mail import emails
from printing.store import version_pdf_ensure

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: 1 min, 5 min, 30 min, 2 h; then failed.
RETRY_DELAYS = (60, 300, 1800, 7200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# What a mail server (or the road to it) refusing or timing out raises.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else ""
        return f"{exc.smtp_code} {text}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in exc.recipients.items()
        )[:500]
    return (str(exc) or type(exc).__name__)[:500]


def client_email_deliver(
    *,
    email_id: int,
    now: dt.datetime | None = None,
    retry: Callable[[dt.datetime], None] | None = None,
) -> str:
    """Send one e-mail if it is still to be sent and due; returns its status.

    The version's PDF is made first if it is missing (off the request path:
    this runs in a task). `now` defaults to the clock, for the task. A failed
    attempt with retries left calls `retry` with the time the next one is due,
    once the attempt is recorded (the task queues itself again).
    """
    now = now or timezone.now()
    # unscoped: a task receives only the id of an e-mail a service wrote
    email = ClientEmail.objects.select_related(
        "client__company", "document", "version"
    ).get(pk=email_id)
    if email.status != ClientEmail.Status.PENDING:
        return email.status
    if email.next_attempt_at is not None and email.next_attempt_at > now:
        return email.status  # a retry not yet due: its own task will come
    if email.version is not None:
        email.version = version_pdf_ensure(version=email.version)
    message = emails.client_email_message(email=email)
    with transaction.atomic():
        # unscoped: the same row, locked so that two workers never both send it
        locked = ClientEmail.objects.select_for_update().get(pk=email_id)
        if locked.status != ClientEmail.Status.PENDING:
            return locked.status
        locked.attempts += 1
        try:
            message.send(fail_silently=False)
        except DELIVERY_ERRORS as exc:
            _failed_attempt(locked, email, now, _error_text(exc))
            retry_at = locked.next_attempt_at
            if retry is not None and retry_at is not None:
                transaction.on_commit(lambda: retry(retry_at))
        else:
            _delivered(locked, email, now)
        return locked.status


def _delivered(locked: ClientEmail, email: ClientEmail, now: dt.datetime) -> None:
    locked.status = ClientEmail.Status.SENT
    locked.sent_at = now
    locked.next_attempt_at = None
    locked.save(
        update_fields=["status", "attempts", "sent_at", "next_attempt_at", "last_error"]
    )
    document = email.document
    if document is None:
        return
    # The history dates a first-attempt delivery at the moment it was asked for
    # (the business action; the task follows within moments), a retried one
    # when it finally left. The e-mail row keeps the exact delivery time.
    now = email.requested_at if locked.attempts == 1 else now
    if email.kind == ClientEmail.Kind.DOCUMENT:
        # unscoped: the e-mail's own document
        Document.objects.filter(pk=document.pk).update(sent_at=now, updated_at=now)
        events.document_sent(
            document=document,
            version=email.version,
            actor=email.requested_by,
            at=now,
            recipients=list(email.recipients),
        )
        client_portal_revision_bump(client_id=document.client_id)  # "Sent" shows
    elif email.kind == ClientEmail.Kind.REMINDER:
        events.document_reminder_sent(
            document=document,
            version=email.version,
            at=now,
            recipients=list(email.recipients),
            reminder_date=(email.reminder_date or now.date()).isoformat(),
        )


def _failed_attempt(
    locked: ClientEmail, email: ClientEmail, now: dt.datetime, error: str
) -> None:
    locked.last_error = error
    if locked.attempts >= MAX_ATTEMPTS:
        locked.status = ClientEmail.Status.FAILED
        locked.next_attempt_at = None
        logger.warning("E-mail %s failed for good: %s", locked.pk, error)
        if email.document is not None:
            events.document_send_failed(
                document=email.document,
                version=email.version,
                at=now,
                recipients=list(email.recipients),
                error=error,
            )
    else:
        delay = RETRY_DELAYS[locked.attempts - 1]
        locked.next_attempt_at = now + dt.timedelta(seconds=delay)
    locked.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def client_emails_retry_due(*, now: dt.datetime) -> int:
    """Deliver every e-mail still to be sent whose time has come (retries due,
    and ones asked for over a minute ago whose task never ran); how many."""
    due = (
        # unscoped: the sweep covers every company's outgoing mail
        ClientEmail.objects.filter(status=ClientEmail.Status.PENDING)
        .filter(next_attempt_at__lte=now)
        .values_list("pk", flat=True)
        .order_by("next_attempt_at", "pk")
    )
    stale = (
        # unscoped: likewise
        ClientEmail.objects.filter(
            status=ClientEmail.Status.PENDING,
            next_attempt_at__isnull=True,
            attempts=0,
            requested_at__lte=now - dt.timedelta(minutes=1),
        )
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    count = 0
    for email_id in [*due, *stale]:
        client_email_deliver(email_id=email_id, now=now)
        count += 1
    return count

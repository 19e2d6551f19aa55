"""E-mail, through the tasks API (django-tasks): each delivery in a task,
retried with backoff on the schedule `mail.delivery` keeps."""

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from mail import delivery
from mail.notifications import event_members_notify as notify

logger = logging.getLogger(__name__)


@task()
def client_email_deliver(email_id: int) -> str:
    """Deliver one e-mail to a client (retried with backoff); returns its status."""
    return delivery.client_email_deliver(
        email_id=email_id,
        retry=lambda at: client_email_enqueue(email_id=email_id, run_after=at),
    )


def client_email_enqueue(
    *, email_id: int, run_after: dt.datetime | None = None
) -> None:
    """Queue the delivery of an e-mail, now or not before `run_after`."""
    chosen = client_email_deliver
    if run_after is not None:
        if not chosen.get_backend().supports_defer:
            return  # client_emails_retry_due will pick it up when due
        chosen = chosen.using(run_after=run_after)
    chosen.enqueue(email_id)


@task()
def event_members_notify(
    event_id: int, attempt: int = 1, only: list[str] | None = None
) -> int:
    """E-mail the company's owners and admins what a client did; how many.

    Addresses the mail server refused are tried again later, on the client
    e-mails' schedule, then given up with an error in the log.
    """
    sent, failed = notify(event_id=event_id, only=only or ())
    if not failed:
        return sent
    retry = event_members_notify
    if attempt < delivery.MAX_ATTEMPTS and retry.get_backend().supports_defer:
        delay = delivery.RETRY_DELAYS[attempt - 1]
        after = timezone.now() + dt.timedelta(seconds=delay)
        retry.using(run_after=after).enqueue(event_id, attempt + 1, failed)
    else:
        logger.error(
            "Activity e-mail of event %s given up after %s attempts: %s",
            event_id,
            attempt,
            ", ".join(failed),
        )
    return sent

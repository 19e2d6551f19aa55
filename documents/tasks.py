"""Background work for documents, through the tasks API (django-tasks).

A PDF is printed by a task worker, never in a request. A render that fails (or
runs out of time) is tried again later, PDF_RENDER_ATTEMPTS times in all; then
it is recorded as failed, logged loudly and shown to the owner in the back
office, who may try again (`documents.services.version_pdf_retry`).
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from documents.models import DocumentVersion, QuoteSignature
from documents.pdf_store import version_pdf_ensure, version_pdf_render_failed

logger = logging.getLogger(__name__)

# Seconds before the next attempt, after the first, second… failure.
RETRY_DELAYS = (30, 300, 1800)


@task()
def version_render_pdf(version_id: int) -> str:
    """Render and store a version's PDF; a no-op if it is already there.

    Returns the version's PDF SHA-256, or "" when the render failed and was
    queued again.
    """
    # unscoped: a task receives only the id of a version a service just wrote.
    version = DocumentVersion.objects.get(pk=version_id)
    try:
        return version_pdf_ensure(version=version).pdf_sha256
    except Exception as exc:
        now = timezone.now()
        render = version_pdf_render_failed(version=version, error=exc, now=now)
        if render.failed_at is None:
            delay = RETRY_DELAYS[min(render.attempts, len(RETRY_DELAYS)) - 1]
            logger.warning(
                "PDF of version %s failed (attempt %s of %s, %s); trying again in %s s",
                version_id,
                render.attempts,
                settings.PDF_RENDER_ATTEMPTS,
                exc.__class__.__name__,
                delay,
            )
            version_render_pdf_enqueue(
                version_id, after=now + dt.timedelta(seconds=delay)
            )
            return ""
        logger.error(
            "PDF of version %s failed %s times (%s): given up, shown to the owner",
            version_id,
            render.attempts,
            render.last_error,
        )
        raise


@task()
def quote_signature_render_pdf(signature_id: int) -> str:
    """Make and store a signed quote's sealed PDF; a no-op if it is there.

    Returns the signed PDF's SHA-256.
    """
    # Imported here: pyHanko loads only in the processes that seal.
    from documents.signed_pdf import signed_pdf_ensure

    # unscoped: a task receives only the id of a signature a service just wrote.
    signature = QuoteSignature.objects.get(pk=signature_id)
    return signed_pdf_ensure(signature=signature).signed_pdf_sha256


@task()
def client_email_deliver(email_id: int) -> str:
    """Deliver one e-mail to a client (retried with backoff); returns its status."""
    from documents.services.delivery import client_email_deliver as deliver

    return deliver(email_id=email_id)


@task()
def event_members_notify(
    event_id: int, attempt: int = 1, only: list[str] | None = None
) -> int:
    """E-mail the company's owners and admins what a client did; how many.

    Addresses the mail server refused are tried again later, on the client
    e-mails' schedule, then given up with an error in the log.
    """
    from documents.notifications import event_members_notify as notify
    from documents.services.delivery import MAX_ATTEMPTS, RETRY_DELAYS

    sent, failed = notify(event_id=event_id, only=only or ())
    if not failed:
        return sent
    retry = event_members_notify
    if attempt < MAX_ATTEMPTS and retry.get_backend().supports_defer:
        after = timezone.now() + dt.timedelta(seconds=RETRY_DELAYS[attempt - 1])
        retry.using(run_after=after).enqueue(event_id, attempt + 1, failed)
    else:
        logger.error(
            "Activity e-mail of event %s given up after %s attempts: %s",
            event_id,
            attempt,
            ", ".join(failed),
        )
    return sent


def version_render_pdf_enqueue(version_id: int, *, after: dt.datetime | None = None):
    """Queue the render, later if the backend can wait (the database one can)."""
    chosen = version_render_pdf
    if after is not None and chosen.get_backend().supports_defer:
        chosen = chosen.using(run_after=after)
    return chosen.enqueue(version_id)

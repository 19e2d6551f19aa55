"""Printing, through the tasks API (django-tasks).

A PDF is printed by a task worker, never in a request. A render that fails (or
runs out of time) is tried again later, PDF_RENDER_ATTEMPTS times in all; then
it is recorded as failed, logged loudly and shown to the owner in the back
office, who may try again (`printing.services.version_pdf_retry`).
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from documents.models import DocumentVersion
from printing.store import version_pdf_ensure, version_pdf_render_failed

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


def version_render_pdf_enqueue(version_id: int, *, after: dt.datetime | None = None):
    """Queue the render, later if the backend can wait (the database one can)."""
    chosen = version_render_pdf
    if after is not None and chosen.get_backend().supports_defer:
        chosen = chosen.using(run_after=after)
    return chosen.enqueue(version_id)

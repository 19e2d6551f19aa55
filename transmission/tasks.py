"""Transmission's work off the request path (django-tasks): depositing a flow
with bounded retries and backoff, taking in what the platform says (a
webhook's flow, a poll), and e-mailing the owner of a status that needs them."""

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from transmission import chorus_worker, worker
from transmission.afnor import PlatformError
from transmission.models import ChorusConnection, PlatformConnection

logger = logging.getLogger(__name__)

POLL_AFTER_SUBMIT_SECONDS = (10, 60)
# Chorus Pro integrates a deposit in minutes, not seconds.
CHORUS_POLL_AFTER_SUBMIT_SECONDS = (120, 900)


@task()
def flow_submit(flow_pk: int) -> str:
    """Deposit one flow; queued again later after a passing failure."""
    now = timezone.now()
    retry_at = worker.flow_submit(flow_pk=flow_pk, now=now)
    if retry_at is not None:
        flow_submit_enqueue(flow_id=flow_pk, run_after=retry_at)
        return "retry"
    # Ask for the acknowledgement and the first statuses soon (webhooks may
    # not reach us); `manage.py einvoicing_poll` keeps asking after that.
    connection_pk = worker.connection_pk_of_flow(flow_pk)
    if connection_pk is not None and platform_poll.get_backend().supports_defer:
        for seconds in POLL_AFTER_SUBMIT_SECONDS:
            platform_poll.using(run_after=now + dt.timedelta(seconds=seconds)).enqueue(
                connection_pk
            )
    chorus_pk = worker.chorus_connection_pk_of_flow(flow_pk)
    if chorus_pk is not None and chorus_poll.get_backend().supports_defer:
        for seconds in CHORUS_POLL_AFTER_SUBMIT_SECONDS:
            chorus_poll.using(run_after=now + dt.timedelta(seconds=seconds)).enqueue(
                chorus_pk
            )
    return "done"


def flow_submit_enqueue(*, flow_id: int, run_after: dt.datetime | None = None) -> None:
    chosen = flow_submit
    if run_after is not None:
        if not chosen.get_backend().supports_defer:
            return  # `manage.py einvoicing_poll` sends what is due
        chosen = chosen.using(run_after=run_after)
    chosen.enqueue(flow_id)


@task()
def platform_flow_take_in(connection_pk: int, metadata: dict) -> str:
    """What a webhook announced: download and record it (idempotent)."""
    # unscoped: a task receives only the id of a connection whose key signed
    connection = PlatformConnection.objects.select_related("company").get(
        pk=connection_pk
    )
    try:
        result = worker.platform_flow_receive(
            connection=connection, metadata=metadata, now=timezone.now()
        )
    except PlatformError as exc:
        # The next poll finds the same flow again.
        logger.warning("Platform flow %s not taken in: %s", metadata.get("flowId"), exc)
        return "later"
    return "recorded" if result is not None else "unchanged"


@task()
def platform_poll(connection_pk: int) -> int:
    # unscoped: a task receives only the id of a connection
    connection = PlatformConnection.objects.select_related("company").get(
        pk=connection_pk
    )
    try:
        return worker.platform_poll(connection=connection, now=timezone.now())
    except PlatformError as exc:
        logger.warning("Platform poll of connection %s failed: %s", connection_pk, exc)
        return 0


@task()
def chorus_poll(connection_pk: int) -> int:
    # unscoped: a task receives only the id of a connection
    connection = ChorusConnection.objects.select_related("company").get(
        pk=connection_pk
    )
    try:
        return chorus_worker.chorus_poll(connection=connection, now=timezone.now())
    except PlatformError as exc:
        logger.warning(
            "Chorus Pro poll of connection %s failed: %s", connection_pk, exc
        )
        return 0

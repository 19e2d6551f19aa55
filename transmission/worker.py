"""What the task worker does with the platform: deposit a flow (POST
/v1/flows), take in what the platform says (getFlow, searchFlows). HTTP runs
outside any transaction; each answer is saved in a short one afterwards."""

import datetime as dt
import hashlib
import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.models import Company
from documents.models import document_storage
from einvoicing import validation
from einvoicing.facturx import xml_from_pdf
from printing.store import version_pdf_ensure
from transmission import cdar, chorus_worker, directory
from transmission.afnor import PlatformClient, PlatformError
from transmission.lifecycle import cdar_record
from transmission.models import (
    DirectoryEntry,
    Flow,
    LifecycleStatus,
    PlatformConnection,
)
from transmission.services import chorus_connection_of, client_of, connection_of

logger = logging.getLogger(__name__)


# Seconds before the next attempt after the 1st, 2nd… failure; then given up.
RETRY_DELAYS = (30, 120, 600, 1800, 7200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def _to_chorus(flow: Flow) -> None:
    """A public buyer no platform reaches: the flow goes to Chorus Pro."""
    flow.channel, flow.processing_rule = Flow.Channel.CHORUS, "B2G"
    # unscoped: the flow's own row
    Flow.objects.filter(pk=flow.pk).update(
        channel=Flow.Channel.CHORUS, processing_rule="B2G"
    )


def _directory_gate(flow: Flow, platform: PlatformClient, now: dt.datetime) -> None:
    """Look the buyer up in the directory (kept on the client) before its
    invoice goes; a public buyer's flow is B2G, and goes to Chorus Pro when
    its line names no platform and the seller has a Chorus Pro connection.

    :raises PlatformError: the buyer cannot receive it (the message says why).
    """
    document = flow.document
    client = document.client
    if not client.siren:
        return
    entry = directory.client_directory_check(client=client, platform=platform, now=now)
    if (
        entry.status != DirectoryEntry.Status.ENABLED
        and (entry.public_buyer or client.is_public_buyer)
        and chorus_connection_of(document.company) is not None
    ):
        _to_chorus(flow)
        return
    version = document.versions.get(number=1)
    problem = directory.sending_problem(entry, version.content)
    if problem is not None:
        raise problem
    rule = "B2G" if entry.public_buyer else "B2B"
    if flow.processing_rule != rule:
        flow.processing_rule = rule
        # unscoped: the flow's own row
        Flow.objects.filter(pk=flow.pk).update(processing_rule=rule)


def fingerprint(data: bytes) -> str:
    """The `sha256` of flowInfo: the platform recomputes it on receipt."""
    return hashlib.sha256(data).hexdigest()


def file_of(flow: Flow) -> tuple[str, bytes, str, str]:
    """(file name, bytes, content type, flowSyntax) of what the flow deposits.

    :raises PlatformError: the e-invoice breaks an official rule (fatal):
        not sent, and the rule ids say why.
    """
    if flow.kind == Flow.Kind.STATUS:
        return f"{flow.tracking_id}.xml", bytes(flow.payload), "application/xml", "CDAR"
    document = flow.document
    version = version_pdf_ensure(version=document.versions.get(number=1))
    with document_storage().open(version.pdf_file.name or "", "rb") as handle:
        pdf = handle.read()
    if hashlib.sha256(pdf).hexdigest() != version.pdf_sha256:
        # Never send a file that is not the one issued (pdf_repair puts it back).
        raise PlatformError(_("The stored PDF is not the one issued."), retryable=True)
    xml = xml_from_pdf(pdf)
    if xml is None:
        raise PlatformError(_("The PDF carries no Factur-X XML."), retryable=False)
    fatal = validation.fatal(validation.validate(xml))
    if fatal:
        rules = ", ".join(sorted({finding.rule for finding in fatal}))
        raise PlatformError(
            _("The e-invoice breaks official rules: %(rules)s") % {"rules": rules},
            retryable=False,
        )
    return f"{document.number}.pdf", pdf, "application/pdf", "Factur-X"


def flow_submit(*, flow_pk: int, now: dt.datetime) -> dt.datetime | None:
    """Deposit one queued flow on the platform (POST /v1/flows) and store its
    flowId and acknowledgement. Returns when to try again after a passing
    failure, None when done (sent, or given up: shown to the owner)."""
    # unscoped: a task receives only the id of a flow a service wrote
    flow = Flow.objects.select_related("document__company").get(pk=flow_pk)
    if flow.state != Flow.State.QUEUED:
        return None  # sent already (a task delivered twice)
    # What goes wrong is stored on the flow for the owner to read: in the
    # company's language, not the worker's (English).
    with translation.override(flow.document.company.default_locale):
        return _flow_send(flow, now)


def _flow_send(flow: Flow, now: dt.datetime) -> dt.datetime | None:
    company = flow.document.company
    connection = connection_of(company)
    try:
        if flow.channel == Flow.Channel.PLATFORM:
            if connection is None:
                raise PlatformError(_("No platform connection."), retryable=False)
            if flow.kind == Flow.Kind.INVOICE and connection.directory_url:
                _directory_gate(flow, client_of(connection), now)
            elif (
                flow.kind == Flow.Kind.INVOICE
                and flow.document.client.is_public_buyer
                and chorus_connection_of(company) is not None
            ):
                # No directory to show a platform route: Chorus Pro, which
                # every French public buyer receives through.
                _to_chorus(flow)
        if flow.kind == Flow.Kind.INVOICE and flow.channel == Flow.Channel.CHORUS:
            return _chorus_submit(flow, now)
        if connection is None:
            raise PlatformError(_("No platform connection."), retryable=False)
        name, data, content_type, syntax = file_of(flow)
        sha256 = fingerprint(data)
        flow_info = {
            "trackingId": flow.tracking_id,
            "name": name,
            "processingRule": flow.processing_rule,
            "flowSyntax": syntax,
            "sha256": sha256,
        }
        if syntax == "Factur-X":
            flow_info["flowProfile"] = "CIUS"
        answer = client_of(connection).flow_create(
            flow_info=flow_info, file_name=name, data=data, content_type=content_type
        )
    except PlatformError as exc:
        return _flow_failed(flow, exc, now)
    with transaction.atomic():
        # unscoped: re-read under lock
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        flow.state = Flow.State.SUBMITTED
        flow.sha256 = sha256
        flow.flow_id = str(answer.get("flowId", ""))[:64]
        flow.submitted_at = now
        flow.attempts += 1
        flow.next_attempt_at = None
        flow.last_error = ""
        flow.ack_status = Flow.Ack.PENDING
        flow.save()
    return None


def _chorus_submit(flow: Flow, now: dt.datetime) -> dt.datetime | None:
    """Deposit an invoice flow on Chorus Pro (the same official checks as a
    platform's first); its numeroFluxDepot is kept as the flow id."""
    try:
        chorus = chorus_connection_of(flow.document.company)
        if chorus is None:
            raise PlatformError(_("No Chorus Pro connection."), retryable=False)
        name, data, _type, _syntax = file_of(flow)
        number = chorus_worker.chorus_deposit(connection=chorus, name=name, data=data)
    except PlatformError as exc:
        return _flow_failed(flow, exc, now)
    with transaction.atomic():
        # unscoped: re-read under lock
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        flow.state = Flow.State.SUBMITTED
        flow.sha256 = fingerprint(data)
        flow.flow_id = number
        flow.submitted_at = now
        flow.attempts += 1
        flow.next_attempt_at = None
        flow.last_error = ""
        flow.ack_status = Flow.Ack.PENDING
        flow.save()
    return None


def _flow_failed(
    flow: Flow, exc: PlatformError, now: dt.datetime
) -> dt.datetime | None:
    with transaction.atomic():
        # unscoped: re-read under lock
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        flow.attempts += 1
        flow.last_error = str(exc)[:2000]
        retry_at = None
        if exc.retryable and flow.attempts < MAX_ATTEMPTS:
            retry_at = now + dt.timedelta(seconds=RETRY_DELAYS[flow.attempts - 1])
            flow.next_attempt_at = retry_at
        else:
            flow.state = Flow.State.FAILED
            flow.next_attempt_at = None
        flow.save()
    log = logger.warning if retry_at else logger.error
    log("Platform flow %s: %s (attempt %s)", flow.pk, exc, flow.attempts)
    return retry_at


def _ack_of(metadata: dict[str, Any]) -> tuple[str, str]:
    ack = metadata.get("acknowledgement") or {}
    status = str(ack.get("status", "Pending")).lower()
    if status not in Flow.Ack.values:
        status = Flow.Ack.PENDING
    reasons = [
        f"{detail.get('reasonCode', '')}: {detail.get('reasonMessage', '')}"
        for detail in ack.get("details") or []
        if isinstance(detail, dict)
    ]
    return status, "; ".join(reasons)


def flow_ack_record(
    *, company: Company, metadata: dict[str, Any], now: dt.datetime
) -> Flow | None:
    """The acknowledgement the platform gave one of our flows (from getFlow,
    a search or a webhook); the same answer twice changes nothing."""
    status, reason = _ack_of(metadata)
    with transaction.atomic():
        flow = (
            Flow.objects.for_company(company)
            .select_for_update()
            .filter(flow_id=str(metadata.get("flowId", "")))
            .exclude(flow_id="")
            .first()
        )
        if flow is None or (flow.ack_status, flow.ack_reason) == (status, reason):
            return flow
        flow.ack_status = status
        flow.ack_reason = reason[:2000]
        flow.ack_checked_at = now
        flow.save(
            update_fields=["ack_status", "ack_reason", "ack_checked_at", "updated_at"]
        )
        client_portal_revision_bump(client_id=flow.document.client_id)
    return flow


def platform_flow_receive(
    *, connection: PlatformConnection, metadata: dict[str, Any], now: dt.datetime
) -> LifecycleStatus | Flow | None:
    """One flow the platform told us of (webhook or search): our own flow's
    acknowledgement, or a lifecycle status to download and record."""
    company = connection.company
    flow_type = str(metadata.get("flowType", ""))
    flow_id = str(metadata.get("flowId", ""))[:64]
    if not flow_id:
        return None
    if flow_type.endswith("InvoiceLC") and metadata.get("flowDirection") == "In":
        if (
            LifecycleStatus.objects.for_company(company)
            .filter(flow_id=flow_id)
            .exists()
        ):
            return None  # delivered twice: recorded once
        try:
            data = client_of(connection).flow_download(flow_id)
            return cdar_record(company=company, data=data, flow_id=flow_id, now=now)
        except cdar.CdarUnreadable as exc:
            logger.warning("Platform flow %s is not a readable CDAR: %s", flow_id, exc)
            return None
    return flow_ack_record(company=company, metadata=metadata, now=now)


def platform_poll(*, connection: PlatformConnection, now: dt.datetime) -> int:
    """Search the platform for flows updated since the last poll (POST
    /v1/flows/search, page by page) and take each in; how many.

    :raises PlatformError: the platform could not be asked (tried next time).
    """
    client = client_of(connection)
    since = connection.polled_until or (now - dt.timedelta(days=30))
    where = {"updatedAfter": since.astimezone(dt.UTC).isoformat()}
    cursor, seen, latest = "", 0, since
    for _page in range(50):  # bounded: 5,000 flows a poll
        page = client.flows_search(where=where, cursor=cursor)
        for metadata in page.get("results") or []:
            if not isinstance(metadata, dict):
                continue
            platform_flow_receive(connection=connection, metadata=metadata, now=now)
            seen += 1
            updated = _instant(metadata.get("updatedAt"))
            if updated is not None and updated > latest:
                latest = updated
        cursor = str(page.get("nextCursor") or "")
        if not cursor:
            break
    # unscoped: the connection's own row, by its key
    PlatformConnection.objects.filter(pk=connection.pk).update(
        polled_until=latest, updated_at=now
    )
    return seen


def _instant(value: object) -> dt.datetime | None:
    try:
        instant = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def connection_pk_of_flow(flow_pk: int) -> int | None:
    """The connection a submitted flow went through, if it went."""
    # unscoped: a task's own flow, by its key
    flow = Flow.objects.select_related("document__company").get(pk=flow_pk)
    if flow.state != Flow.State.SUBMITTED or flow.channel != Flow.Channel.PLATFORM:
        return None
    connection = connection_of(flow.document.company)
    return connection.pk if connection is not None else None


def chorus_connection_pk_of_flow(flow_pk: int) -> int | None:
    """The Chorus Pro connection a submitted flow went through, if it went."""
    # unscoped: a task's own flow, by its key
    flow = Flow.objects.select_related("document__company").get(pk=flow_pk)
    if flow.state != Flow.State.SUBMITTED or flow.channel != Flow.Channel.CHORUS:
        return None
    chorus = chorus_connection_of(flow.document.company)
    return chorus.pk if chorus is not None else None


def flows_due(*, now: dt.datetime) -> list[int]:
    """Queued flows whose next attempt is due (the immediate task backend
    cannot wait, so `einvoicing_poll` sends them)."""
    return list(
        # unscoped: every company's flows, for the scheduler
        Flow.objects.filter(state=Flow.State.QUEUED)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

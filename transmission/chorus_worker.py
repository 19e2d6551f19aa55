"""What the task worker does with Chorus Pro: deposit an invoice's Factur-X
PDF, then poll what became of it (the deposit report, the invoice's number
in Chorus Pro, its status history) into the same lifecycle statuses the
approved platforms send. HTTP runs outside any transaction; each answer is
saved in a short one afterwards."""

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from transmission.afnor import PlatformError
from transmission.chorus import ChorusClient
from transmission.lifecycle import lifecycle_record
from transmission.models import ChorusConnection, Flow, LifecycleStatus
from transmission.services import chorus_client_of

logger = logging.getLogger(__name__)


# Chorus Pro's invoice statuses (`statutCourantCode`, `histoStatutCode`) as
# lifecycle statuses (XP Z12-012). Chorus Pro predates the reform's codes;
# its statuses are the public buyer's processing steps:
#   DEPOSEE                      200 Déposée: Chorus Pro holds the invoice
#   EN_COURS_ACHEMINEMENT        201 Émise: on its way to the buyer's service
#   MISE_A_DISPOSITION           203 Mise à disposition of the buyer
#   COMPTABILISEE,
#   MISE_A_DISPOSITION_COMPTABLE 204 Prise en charge by the buyer's accountant
#   SERVICE_FAIT                 205 Approuvée: the buyer certified the service
#   SUSPENDUE                    208 Suspendue: the buyer waits for something
#   COMPLETEE                    209 Complétée: the supplier completed it
#   A_RECYCLER                   221 Erreur de routage: wrong service/structure
#   REJETEE                      213 Rejetée by the buyer (a new invoice is due)
#   MANDATEE, MISE_EN_PAIEMENT   211 Paiement transmis: payment ordered
# Any other status (a buyer's internal validation steps) changes nothing.
CHORUS_STATUSES = {
    "DEPOSEE": "200",
    "EN_COURS_ACHEMINEMENT": "201",
    "MISE_A_DISPOSITION": "203",
    "COMPTABILISEE": "204",
    "MISE_A_DISPOSITION_COMPTABLE": "204",
    "SERVICE_FAIT": "205",
    "SUSPENDUE": "208",
    "COMPLETEE": "209",
    "A_RECYCLER": "221",
    "REJETEE": "213",
    "MANDATEE": "211",
    "MISE_EN_PAIEMENT": "211",
}

# The deposit report (`etatCourantDepotFlux`): integrated, or refused whole
# (501 Irrecevable with the errors of `listeErreurDP`); anything else is
# still being processed.
DEPOSIT_INTEGRATED = frozenset({"IN_INTEGRE", "IN_INTEGRE_PARTIEL"})
DEPOSIT_REFUSED = frozenset({"IN_REJETE", "IN_INCIDENTE"})

# Statuses after which Chorus Pro is not asked again.
FINAL_CODES = frozenset({"213", "211", "501"})


def chorus_deposit(*, connection: ChorusConnection, name: str, data: bytes) -> str:
    """Deposit a Factur-X PDF on Chorus Pro; its deposit number.

    :raises PlatformError: Chorus Pro refused it or could not be reached.
    """
    answer = chorus_client_of(connection).deposit(file_name=name, pdf=data)
    number = str(answer.get("numeroFluxDepot", ""))[:64]
    if not number:
        raise PlatformError(
            _(
                "Chorus Pro gave no deposit number: check in Chorus Pro whether "
                "the invoice arrived before sending it again."
            ),
            retryable=False,
        )
    return number


def _instant(value: object, now: dt.datetime) -> dt.datetime:
    text = str(value or "")
    for parse in (
        lambda t: dt.datetime.fromisoformat(t.replace("Z", "+00:00")),
        lambda t: dt.datetime.strptime(t, "%Y-%m-%d %H:%M"),
    ):
        try:
            instant = parse(text)
        except ValueError:
            continue
        return instant if instant.tzinfo else timezone.make_aware(instant)
    return now


def _deposit_check(
    flow: Flow, client: ChorusClient, now: dt.datetime
) -> LifecycleStatus | None:
    """Read the deposit report of a pending flow: integrated (ack Ok), or
    refused (ack Error and 501 with Chorus Pro's errors)."""
    report = client.deposit_report(flow.flow_id)
    state = str(report.get("etatCourantDepotFlux", ""))
    if state in DEPOSIT_INTEGRATED:
        _ack_save(flow, Flow.Ack.OK, "", now)
        return None
    if state not in DEPOSIT_REFUSED:
        return None
    errors = [
        str(error.get("libelleErreurDP") or error.get("libelleErreur") or "")
        for error in report.get("listeErreurDP") or []
        if isinstance(error, dict)
    ]
    reason = "; ".join(error for error in errors if error) or state
    _ack_save(flow, Flow.Ack.ERROR, reason, now)
    return lifecycle_record(
        document=flow.document,
        code="501",
        source=LifecycleStatus.Source.PLATFORM,
        at=_instant(report.get("dateHeureEtatCourantFlux"), now),
        now=now,
        reason_code=state,
        reason=reason[:2000],
        flow_id=f"cpro-cr-{flow.flow_id}"[:64],
    )


def _ack_save(flow: Flow, status: str, reason: str, now: dt.datetime) -> None:
    if (flow.ack_status, flow.ack_reason) == (status, reason):
        return
    with transaction.atomic():
        # unscoped: the flow's own row, scoped by the caller
        Flow.objects.filter(pk=flow.pk).update(
            ack_status=status,
            ack_reason=reason[:2000],
            ack_checked_at=now,
            updated_at=now,
        )
        client_portal_revision_bump(client_id=flow.document.client_id)
    flow.ack_status, flow.ack_reason = status, reason


def _invoice_id_find(flow: Flow, client: ChorusClient) -> str:
    """Chorus Pro's identifiantFactureCPP of the flow's invoice, once known."""
    number = flow.document.number or ""
    for row in client.invoices_of_deposit(flow.flow_id):
        if row.get("numeroFacture") == number and row.get("identifiantFactureCPP"):
            found = str(row["identifiantFactureCPP"])[:32]
            # unscoped: the flow's own row, scoped by the caller
            Flow.objects.filter(pk=flow.pk).update(chorus_invoice_id=found)
            flow.chorus_invoice_id = found
            return found
    return ""


def _history_record(flow: Flow, history: list[dict[str, Any]], now: dt.datetime) -> int:
    """Each status of the invoice's history, oldest first, as a lifecycle
    status; recorded once each (its histoStatutId is its flow id)."""
    rows = sorted(
        history,
        key=lambda row: (
            str(row.get("histoStatutDatePassage", "")),
            row.get("histoStatutId", 0),
        ),
    )
    recorded, previous = 0, ""
    for row in rows:
        status = str(row.get("histoStatutCode", ""))
        code = CHORUS_STATUSES.get(status)
        if code is None:
            logger.info("Chorus Pro status %s has no lifecycle status", status)
            continue
        if code == previous:
            continue  # MANDATEE then MISE_EN_PAIEMENT: one 211
        previous = code
        comment = str(row.get("histoStatutCommentaire") or "")
        if lifecycle_record(
            document=flow.document,
            code=code,
            source=LifecycleStatus.Source.PLATFORM,
            at=_instant(row.get("histoStatutDatePassage"), now),
            now=now,
            reason_code=status if code in ("208", "213", "221") else "",
            reason=comment[:2000],
            flow_id=f"cpro-{flow.chorus_invoice_id}-{row.get('histoStatutId', status)}"[
                :64
            ],
        ):
            recorded += 1
    return recorded


def _finished(flow: Flow) -> bool:
    return (
        LifecycleStatus.objects.for_company(flow.document.company)
        .filter(document=flow.document, code__in=FINAL_CODES)
        .exclude(source=LifecycleStatus.Source.PRODUCT)
        .exists()
    )


def chorus_poll(*, connection: ChorusConnection, now: dt.datetime) -> int:
    """Ask Chorus Pro what became of each deposited invoice of the company
    not yet at a final status; how many statuses were recorded.

    :raises PlatformError: Chorus Pro could not be asked (tried next time).
    """
    client = chorus_client_of(connection)
    flows = (
        Flow.objects.for_company(connection.company)
        .filter(
            channel=Flow.Channel.CHORUS,
            state=Flow.State.SUBMITTED,
            submitted_at__gte=now - dt.timedelta(days=400),
        )
        .exclude(ack_status=Flow.Ack.ERROR)
        .select_related("document__company")
        .order_by("pk")
    )
    recorded = 0
    for flow in flows[:500]:  # bounded: the rest next time
        if _finished(flow):
            continue
        if flow.ack_status == Flow.Ack.PENDING:
            if _deposit_check(flow, client, now) is not None:
                recorded += 1
            if flow.ack_status != Flow.Ack.OK:
                continue
        invoice_id = flow.chorus_invoice_id or _invoice_id_find(flow, client)
        if not invoice_id:
            continue
        recorded += _history_record(flow, client.history(invoice_id), now)
    return recorded

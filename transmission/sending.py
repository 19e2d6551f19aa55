"""What goes to the platform: every issued invoice and credit note of a
French seller to a French business, and our 212 Encaissée when payments cover
an invoice. Queued inside the caller's transaction, sent by the worker after
commit (`transmission.tasks`)."""

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from companies.identifiers import FRANCE
from documents.models import Document, DocumentVersion
from transmission import cdar
from transmission.models import (
    ChorusConnection,
    Flow,
    LifecycleStatus,
    PlatformConnection,
)
from transmission.tasks import flow_submit_enqueue

logger = logging.getLogger(__name__)


INVOICE_TYPE_CODES = {Document.Kind.INVOICE: "380", Document.Kind.CREDIT_NOTE: "381"}


def channel_of(document: Document) -> str | None:
    """Where an issued invoice or credit note goes, None when it stays as
    before (e-mail and portal): an invoice of a French seller to a French
    business or public buyer goes to the seller's approved platform when it
    has one; to a public buyer (the client is marked public), to Chorus Pro
    when the seller has no platform but a Chorus Pro connection. The worker
    moves a platform flow to Chorus Pro when the directory shows the public
    buyer has no platform route (`worker._directory_gate`). B2C and foreign
    buyers stay as before."""
    client, company = document.client, document.company
    if (
        document.kind not in (Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE)
        or company.country != FRANCE
        or client.country != FRANCE
        or not (client.is_business or client.is_public_buyer)
    ):
        return None
    if PlatformConnection.objects.for_company(company).filter(enabled=True).exists():
        return Flow.Channel.PLATFORM
    if (
        client.is_public_buyer
        and ChorusConnection.objects.for_company(company).filter(enabled=True).exists()
    ):
        return Flow.Channel.CHORUS
    return None


def goes_to_platform(document: Document) -> bool:
    return channel_of(document) is not None


def invoice_flow_queue(*, version: DocumentVersion) -> Flow | None:
    """Queue an invoice or credit note just issued for the platform or Chorus
    Pro (inside the finalising transaction; the worker sends it after
    commit)."""
    document = version.document
    if version.number != 1:
        return None
    channel = channel_of(document)
    if channel is None:
        return None
    flow = Flow.objects.create(
        company_id=document.company_id,
        document=document,
        kind=Flow.Kind.INVOICE,
        channel=channel,
        tracking_id=document.number or "",
        processing_rule="B2G" if channel == Flow.Channel.CHORUS else "B2B",
    )
    flow_submit_on_commit(flow)
    return flow


def flow_submit_on_commit(flow: Flow) -> None:
    flow_id = flow.pk
    transaction.on_commit(lambda: flow_submit_enqueue(flow_id=flow_id))


def flow_retry(*, flow: Flow) -> None:
    """Send a failed flow again from the start (the owner asked)."""
    with transaction.atomic():
        # unscoped: the caller scoped this flow
        Flow.objects.filter(pk=flow.pk, state=Flow.State.FAILED).update(
            state=Flow.State.QUEUED, attempts=0, updated_at=timezone.now()
        )
        flow_submit_on_commit(flow)


def paid_amounts(version: DocumentVersion) -> list[tuple[Decimal, Decimal]]:
    """The amount cashed per VAT rate (VAT included), highest rate first."""
    content = version.content
    return sorted(
        (
            (Decimal(rate["base"]) + Decimal(rate["tax"]), Decimal(rate["rate"]))
            for rate in content.get("vat_breakdown") or []
        ),
        key=lambda pair: -pair[1],
    )


def invoice_paid_record(*, document: Document, now: dt.datetime) -> None:
    """Payments cover the invoice: record 212 Encaissée (a French seller's
    invoice; the payment e-reporting keeps it) and, when the invoice went
    through the platform, queue its CDAR there (inside the payment's
    transaction, which holds the invoice's lock and bumps the client's
    portal revision)."""
    if document.kind != Document.Kind.INVOICE or document.company.country != FRANCE:
        return
    version = document.versions.order_by("number").first()
    if version is None:
        return
    amounts = paid_amounts(version)
    total = sum((amount for amount, _rate in amounts), Decimal(0))
    rates = {rate for _amount, rate in amounts}
    if (
        LifecycleStatus.objects.for_company(document.company)
        .filter(document=document, code="212")
        .exists()
    ):
        return
    # Written here rather than by `lifecycle_record`: the payment's
    # transaction already holds the invoice's lock and bumps the client's
    # portal revision, and 212 has no flow to deduplicate and no alert.
    LifecycleStatus.objects.create(
        company_id=document.company_id,
        document=document,
        code="212",
        source=LifecycleStatus.Source.PRODUCT,
        at=now,
        recorded_at=now,
        amount=total,
        vat_rate=rates.pop() if len(rates) == 1 else None,
    )
    # Chorus Pro takes no status from the supplier: 212 goes to platforms.
    sent = (
        Flow.objects.for_company(document.company)
        .filter(
            document=document, kind=Flow.Kind.INVOICE, channel=Flow.Channel.PLATFORM
        )
        .exclude(state=Flow.State.FAILED)
        .first()
    )
    if (
        sent is None
        or Flow.objects.for_company(document.company)
        .filter(document=document, kind=Flow.Kind.STATUS, status_code="212")
        .exists()
    ):
        return
    company, client = document.company, document.client
    message_id = uuid.uuid4().hex
    payload = cdar.cdar_write(
        message_id=message_id,
        at=now,
        invoice_number=document.number or "",
        invoice_issue_date=document.issue_date,
        invoice_type_code=INVOICE_TYPE_CODES[Document.Kind.INVOICE],
        seller_siren=company.registration_number,
        seller_name=company.legal_name or company.name,
        buyer_siren=client.siren,
        buyer_name=client.name,
        code="212",
        label="Encaissée",
        amounts=amounts,
        status_date=timezone.localdate(now),
    )
    flow = Flow.objects.create(
        company_id=document.company_id,
        document=document,
        kind=Flow.Kind.STATUS,
        status_code="212",
        tracking_id=f"{document.number}-212"[:64],
        processing_rule="B2B",
        payload=payload,
    )
    flow_submit_on_commit(flow)

"""An invoice's lifecycle statuses: recorded once each, whatever the
deliveries, and the owner e-mailed of those that ask for them."""

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clients.services import client_portal_revision_bump
from companies.errors import ActionRefused
from companies.models import Company
from documents.models import Document
from transmission import cdar
from transmission.models import PRODUCT_ONLY_CODES, LifecycleStatus
from transmission.notify import lifecycle_owner_notify_enqueue

logger = logging.getLogger(__name__)


# A 213 with one of these reasons rejects a second delivery of an invoice the
# platform already holds: the first one's statuses stand. DOUBLON and REJ_UNI
# are the lifecycle reason codes for a duplicate (XP Z12-012, DGFiP annex 2),
# AlreadyExistingFlow the Flow Service's own (ReasonCodeEnum, 1.3.0).
DUPLICATE_REASONS = frozenset({"DOUBLON", "REJ_UNI", "AlreadyExistingFlow"})

# Statuses after which an invoice is not (or no longer) valid on the platform.
INVALID_CODES = frozenset({"210", "213", "220", "221", "501"})


def latest_status(document: Document) -> LifecycleStatus | None:
    return (
        LifecycleStatus.objects.for_company(document.company)
        .filter(document=document)
        .order_by("-at", "-pk")
        .first()
    )


def lifecycle_record(
    *,
    document: Document,
    code: str,
    source: str,
    at: dt.datetime,
    now: dt.datetime,
    reason_code: str = "",
    reason: str = "",
    amount: Decimal | None = None,
    vat_rate: Decimal | None = None,
    flow_id: str = "",
) -> LifecycleStatus | None:
    """Add a status to an invoice's lifecycle history; None when it changes
    nothing: a flow recorded already, or a duplicate's 213 over a valid
    invoice. The owner is e-mailed of 207, 210, 213 and 501.

    :raises ValueError: an unknown status code.
    """
    if code not in LifecycleStatus.Code.values:
        raise ValueError(f"Unknown lifecycle status {code!r}")
    if code in PRODUCT_ONLY_CODES and source == LifecycleStatus.Source.PLATFORM:
        # A platform speaks XP Z12-012 only: "reopened" is ours.
        raise ValueError(f"Not a platform status: {code!r}")
    # No savepoint of its own: nothing below is caught but the flow's unique
    # refusal, which has one. An error goes up and undoes the caller's work.
    with transaction.atomic(savepoint=False):
        # Serialise statuses of one invoice: lock its row.
        # unscoped: re-read under lock, the caller scoped this document
        Document.objects.select_for_update().filter(pk=document.pk).first()
        statuses = LifecycleStatus.objects.for_company(document.company).filter(
            document=document
        )
        if flow_id and statuses.filter(flow_id=flow_id).exists():
            return None
        if code == "213" and reason_code in DUPLICATE_REASONS:
            latest = statuses.order_by("-at", "-pk").first()
            if latest is not None and latest.code not in INVALID_CODES:
                logger.info(
                    "Duplicate rejection of %s ignored: it stands as %s",
                    document.number,
                    latest.code,
                )
                return None
        try:
            # Only a flow's id can be refused (recorded by a racing delivery).
            with transaction.atomic(savepoint=bool(flow_id)):
                recorded = LifecycleStatus.objects.create(
                    company_id=document.company_id,
                    document=document,
                    code=code,
                    source=source,
                    at=at,
                    recorded_at=now,
                    reason_code=reason_code[:40],
                    reason=reason[:2000],
                    amount=amount,
                    vat_rate=vat_rate,
                    flow_id=flow_id,
                )
        except IntegrityError:
            return None  # the same flow, recorded by a racing delivery
        client_portal_revision_bump(client_id=document.client_id)
        if code in LifecycleStatus.ALERTING:
            status_pk = recorded.pk
            transaction.on_commit(lambda: lifecycle_owner_notify_enqueue(status_pk))
    return recorded


def _document_for(company: Company, status: cdar.CdarStatus) -> Document | None:
    """The invoice a CDAR names: by number, seller SIREN and issue date."""
    if status.seller_siren and status.seller_siren != company.registration_number:
        return None
    documents = Document.objects.for_company(company).filter(
        number=status.invoice_number,
        kind__in=(Document.Kind.INVOICE, Document.Kind.CREDIT_NOTE),
    )
    if status.invoice_issue_date is not None:
        documents = documents.filter(issue_date=status.invoice_issue_date)
    return documents.order_by("-pk").first()


def cdar_record(
    *, company: Company, data: bytes, flow_id: str, now: dt.datetime
) -> LifecycleStatus | None:
    """Read a CDAR the platform delivered and add its status to the invoice
    it names; None when it names none of ours or changes nothing.

    :raises cdar.CdarUnreadable: not a CDAR.
    """
    status = cdar.cdar_read(data)
    if status.seller_siren and status.seller_siren != company.registration_number:
        # Another seller's (an account shared by several companies).
        logger.info("CDAR %s is another seller's", flow_id)
        return None
    document = _document_for(company, status)
    if document is None:
        logger.warning("CDAR %s names no invoice of company %s", flow_id, company.pk)
        return None
    return lifecycle_record(
        document=document,
        code=status.code,
        source=LifecycleStatus.Source.PLATFORM,
        at=status.issued_at or now,
        now=now,
        reason_code=status.reason_code,
        reason=status.reason,
        amount=status.amount,
        vat_rate=status.vat_rate,
        flow_id=flow_id,
    )


class RefusalRefused(ActionRefused):
    """A client's refusal that cannot be recorded; the message is for people."""


REFUSAL_MAX_LENGTH = 2000


def client_refusal_of(document: Document) -> LifecycleStatus | None:
    """The client's refusal that stands: the latest, unless the business
    reopened the invoice since (then None, and the client may refuse again)."""
    latest = (
        LifecycleStatus.objects.for_company(document.company)
        .filter(
            Q(code=LifecycleStatus.Code.REFUSED, source=LifecycleStatus.Source.CLIENT)
            | Q(code=LifecycleStatus.Code.REOPENED)
        )
        .filter(document=document)
        .order_by("-at", "-pk")
        .first()
    )
    if latest is None or latest.code == LifecycleStatus.Code.REOPENED:
        return None
    return latest


def _open_invoice(document: Document) -> bool:
    return document.kind == Document.Kind.INVOICE and document.status in (
        Document.Status.TO_PAY,
        Document.Status.PARTIALLY_PAID,
    )


def invoice_refuse_by_client(
    *, invoice: Document, reason: str, now: dt.datetime
) -> LifecycleStatus:
    """The client refuses an invoice in its portal, saying why: recorded in
    the invoice's lifecycle as ours (source: the client), never sent to the
    platform; the owner is e-mailed. It stands until the owner answers (a
    credit note, or `invoice_reopen_after_refusal`); refused again after a
    reopening, the history keeps both.

    :raises RefusalRefused: not an open invoice, refused already, or no reason.
    """
    reason = reason.strip()
    if not reason:
        raise RefusalRefused(_("Say why you refuse this invoice."))
    if len(reason) > REFUSAL_MAX_LENGTH:
        raise RefusalRefused(
            _("A reason has at most %(limit)s characters.")
            % {"limit": REFUSAL_MAX_LENGTH}
        )
    with transaction.atomic():
        # unscoped: re-read under lock, the caller scoped this invoice
        locked = Document.objects.select_for_update().get(pk=invoice.pk)
        if not _open_invoice(locked):
            raise RefusalRefused(_("Only an invoice still to pay can be refused."))
        if client_refusal_of(locked) is not None:
            raise RefusalRefused(_("You have refused this invoice already."))
        recorded = lifecycle_record(
            document=locked,
            code="210",
            source=LifecycleStatus.Source.CLIENT,
            at=now,
            now=now,
            reason=reason,
        )
        assert recorded is not None  # no flow id: never a duplicate
    return recorded


class ReopenRefused(ActionRefused):
    """An invoice the business cannot reopen; the message is for people."""


def is_reopenable(document: Document) -> bool:
    """An open invoice whose client's refusal stands (offered on its page)."""
    return _open_invoice(document) and client_refusal_of(document) is not None


def invoice_reopen_after_refusal(
    *, invoice: Document, now: dt.datetime
) -> LifecycleStatus:
    """The business answers its client's refusal by reopening the invoice as
    it stands (it was right after all): recorded in the lifecycle as the
    business's ("reopened", ours, never sent to the platform), after the
    refusal, which the history keeps. The invoice no longer reads refused and
    the client may refuse it again, with a new reason.

    :raises ReopenRefused: no refusal stands, or the invoice is no longer open
        (paid, or canceled by a credit note: the other answer).
    """
    with transaction.atomic():
        # unscoped: re-read under lock, the caller scoped this invoice
        locked = Document.objects.select_for_update().get(pk=invoice.pk)
        refusal = client_refusal_of(locked)
        if refusal is None:
            raise ReopenRefused(_("The client has not refused this invoice."))
        if not _open_invoice(locked):
            raise ReopenRefused(
                _("Only an invoice still to pay can be reopened: it is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        recorded = lifecycle_record(
            document=locked,
            code=LifecycleStatus.Code.REOPENED,
            source=LifecycleStatus.Source.COMPANY,
            # Never before the refusal it answers: the history reads in order.
            at=max(now, refusal.at),
            now=now,
        )
        assert recorded is not None  # no flow id: never a duplicate
    return recorded

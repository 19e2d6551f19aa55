"""Reminders: each company's schedule around due dates, sent once each.

`reminders_send` is what `manage.py send_reminders` runs, every few minutes or
once a day: it writes one `ClientEmail` per reminder that has come due, under a
unique constraint (document, kind, reminder date), so running it again, or
twice at once on different machines, sends nothing twice. Only the latest
reminder that has come due is sent: a run after days of silence does not send
the whole backlog at once.

A reminder stops when the invoice is paid, canceled or its payment is
processing (`status.awaiting_client`), when the client said it paid by transfer
in the last `TRANSFER_GRACE_BUSINESS_DAYS` business days (the money is on its
way), when the client refused the invoice (lifecycle status 210), and when
someone reminded it by hand ("Remind now") on or after the day
of the step: that reminder counts as the step.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from companies.models import Actor, Company, reminder_offsets
from documents import status
from documents.models import (
    ClientEmail,
    Document,
    DocumentEvent,
    amount_due_expression,
)
from documents.services.errors import DocumentError
from mail.tasks import client_email_enqueue

# A client who declared a bank transfer is not reminded for this many business
# days (Monday to Friday): a SEPA transfer takes one to three.
TRANSFER_GRACE_BUSINESS_DAYS = 5


class ReminderRefused(DocumentError):
    """ "Remind now" refused; the message says why."""


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: reminders written now, and those already written."""

    sent: list[int]
    already: int


# Hidden documents and reminders turned off, per document or per client: none.
ELIGIBLE = {
    "hidden_from_portal": False,
    "reminders_enabled": True,
    "client__reminders_enabled": True,
}


def _latest_due(
    deadline: dt.date, offsets: list[int], today: dt.date
) -> dt.date | None:
    dates = [deadline + dt.timedelta(days=day) for day in offsets]
    past = [day for day in dates if day <= today]
    return max(past) if past else None


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The day `count` business days (Monday to Friday) before `day`."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _transfer_declared_since(
    company: Company, documents: QuerySet[Document], today: dt.date
) -> set[int]:
    """Those of `documents` whose client declared a transfer in the grace days."""
    since = business_days_before(today, TRANSFER_GRACE_BUSINESS_DAYS)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    return set(
        DocumentEvent.objects.for_company(company)
        .filter(
            document__in=documents.values("pk"),
            kind=DocumentEvent.Kind.TRANSFER_DECLARED,
            at__gte=start,
        )
        .values_list("document_id", flat=True)
    )


def _last_reminded(
    company: Company, documents: QuerySet[Document]
) -> dict[int, dt.date]:
    """The local day each of `documents` was last reminded (by the plan or by
    hand), for those reminded at all."""
    rows = (
        ClientEmail.objects.for_company(company)
        .filter(
            document__in=documents.values("pk"),
            kind=ClientEmail.Kind.REMINDER,
        )
        .values("document_id")
        .annotate(last=Max("requested_at"))
        .order_by("document_id")
    )
    return {row["document_id"]: timezone.localdate(row["last"]) for row in rows}


def _reminder_write(
    document: Document,
    reminder_date: dt.date,
    now: dt.datetime,
    actor: Actor | None = None,
) -> ClientEmail | None:
    """The reminder's row, or None when it was already written (by any run)."""
    try:
        with transaction.atomic():
            email = ClientEmail.objects.create(
                company_id=document.company_id,
                client=document.client,
                document=document,
                version=document.current_version,
                kind=ClientEmail.Kind.REMINDER,
                reminder_date=reminder_date,
                recipients=document.client.recipients,
                requested_at=now,
                requested_by=actor,
            )
            email_id = email.pk
            transaction.on_commit(lambda: client_email_enqueue(email_id=email_id))
            return email
    except IntegrityError:
        return None


# The lifecycle code of a refusal (transmission's StatusCode.REFUSED, which this
# layer reads through the document's relation, never by importing it).
CLIENT_REFUSED = "210"


def _candidates(
    company: Company, today: dt.date
) -> list[tuple[Document, dt.date, bool]]:
    """The documents with a reminder due today, its date, and whether it was
    already sent."""
    found: list[tuple[Document, dt.date, bool]] = []
    documents = (
        Document.objects.for_company(company)
        .filter(**ELIGIBLE)
        .select_related("client", "current_version")
        .order_by("pk")
    )
    offsets = reminder_offsets(company.reminder_days)
    if offsets:
        # Waiting on the client: not one whose bank debit is still processing.
        invoices = documents.filter(
            status.awaiting_client(Document.Kind.INVOICE, today),
            kind=Document.Kind.INVOICE,
            due_date__gte=today - dt.timedelta(days=max(offsets)),
            due_date__lte=today - dt.timedelta(days=min(offsets)),
        ).exclude(
            # The client refused the invoice (e-invoicing status 210, final):
            # it is not owed, so never chased.
            lifecycle_statuses__code=CLIENT_REFUSED,
        )
        steps: list[tuple[Document, dt.date]] = []
        for invoice in invoices:
            assert invoice.due_date is not None  # filtered above
            reminder_date = _latest_due(invoice.due_date, offsets, today)
            if reminder_date is not None:
                steps.append((invoice, reminder_date))
        # Two queries for all the candidates, not two per invoice.
        declared = _transfer_declared_since(company, invoices, today)
        reminded = _last_reminded(company, invoices)
        # Reminded on or after the step's day (by this plan, or by hand): that
        # was the step, counted as already sent.
        found = [
            (invoice, day, reminded.get(invoice.pk, dt.date.min) >= day)
            for invoice, day in steps
            if invoice.pk not in declared
        ]
    days = company.quote_reminder_days
    if days is not None:
        quotes = documents.filter(
            status.awaiting_client(Document.Kind.QUOTE, today),
            kind=Document.Kind.QUOTE,
            expiry_date__gte=today,
            expiry_date__lte=today + dt.timedelta(days=days),
        )
        for quote in quotes:
            assert quote.expiry_date is not None  # filtered above
            found.append((quote, quote.expiry_date - dt.timedelta(days=days), False))
    return found


def reminders_send(*, now: dt.datetime) -> ReminderRun:
    """Write and queue every reminder that has come due and was not yet written.

    Paid, canceled, hidden and draft documents get none, nor documents or
    clients with reminders turned off, nor clients without an e-mail address;
    a reminder dated before the document was finalised is not sent, nor one
    the client was already reminded of, nor one within the days after the
    client declared a transfer.
    """
    today = timezone.localdate(now)
    sent: list[int] = []
    already = 0
    # unscoped: the scheduler runs for every company, each read through for_company
    for company in Company.objects.order_by("pk"):
        for document, reminder_date, reminded in _candidates(company, today):
            if reminded:
                already += 1
                continue
            finalised = document.finalised_at
            if finalised is not None and reminder_date < timezone.localdate(finalised):
                continue
            if not document.client.recipients:
                continue
            email = _reminder_write(document, reminder_date, now)
            if email is None:
                already += 1
            else:
                sent.append(email.pk)
    return ReminderRun(sent=sent, already=already)


def reminders_set(*, document: Document, enabled: bool) -> bool:
    """Turn a document's reminders on or off; whether anything changed."""
    changed = (
        # unscoped: the caller scoped this document
        Document.objects.filter(pk=document.pk)
        .exclude(reminders_enabled=enabled)
        .update(reminders_enabled=enabled, updated_at=timezone.now())
    )
    return bool(changed)


def is_remindable(document: Document) -> bool:
    """ "Remind now" may be offered: an invoice to pay that its client sees."""
    return status.is_payable(document) and not document.hidden_from_portal


@transaction.atomic
def reminder_send_now(
    *, document: Document, actor: Actor, now: dt.datetime
) -> ClientEmail:
    """ "Remind now": e-mail the client a reminder of this invoice today, with
    its PDF and portal link, whatever the plan says (it counts as the plan's
    step of the day, so the plan sends nothing more today).

    :raises ReminderRefused: not an invoice to pay (paid, canceled, draft, its
        payment processing), hidden from the portal, a client without an
        e-mail address, or already reminded today.
    """
    document = (
        # unscoped: re-read under lock (its own row, not the client's)
        Document.objects.select_for_update(of=("self",))
        .select_related("client", "current_version")
        .get(pk=document.pk)
    )
    if not is_remindable(document):
        raise ReminderRefused(_("not waiting for a payment: no reminder to send."))
    if not document.client.recipients:
        raise ReminderRefused(
            _("%(client)s has no e-mail address.") % {"client": document.client.name}
        )
    email = _reminder_write(document, timezone.localdate(now), now, actor)
    if email is None:
        raise ReminderRefused(_("already reminded today."))
    return email


def client_remindable_invoices(*, client: Client) -> QuerySet[Document]:
    """The client's invoices "Remind now" reminds of: `is_remindable` in SQL."""
    return (
        client.documents.alias(due=amount_due_expression())
        .filter(status.owed(), hidden_from_portal=False, due__gt=0)
        .order_by("due_date", "pk")
    )


def client_remind_now(
    *, client: Client, actor: Actor, now: dt.datetime
) -> tuple[list[ClientEmail], list[str]]:
    """ "Remind now" for every invoice the client has to pay and can see; the
    reminders written, and why the others were refused.

    :raises ReminderRefused: the client has no invoice to pay.
    """
    invoices = client_remindable_invoices(client=client).select_related("client")
    sent: list[ClientEmail] = []
    refused: list[str] = []
    for invoice in invoices:
        try:
            sent.append(reminder_send_now(document=invoice, actor=actor, now=now))
        except ReminderRefused as exc:
            refused.append(
                _("%(document)s: %(reason)s") % {"document": invoice, "reason": exc}
            )
    if not sent and not refused:
        raise ReminderRefused(
            _("%(client)s has no invoice to pay: no reminder to send.")
            % {"client": client.name}
        )
    return sent, refused


def reminders_history(*, client: Client) -> list[ClientEmail]:
    """The reminders e-mailed to the client, newest first (the last 50)."""
    return list(
        ClientEmail.objects.for_company(client.company)
        .filter(client=client, kind=ClientEmail.Kind.REMINDER)
        .select_related("document", "requested_by")
        .order_by("-requested_at", "-pk")[:50]
    )

"""Reminders: each company's schedule around due dates, sent once each.

`reminders_send` is what `manage.py send_reminders` runs, every few minutes or
once a day: it writes one `ClientEmail` per reminder that has come due, under a
unique constraint (document, kind, reminder date), so running it again, or
twice at once on different machines, sends nothing twice. Only the latest
reminder that has come due is sent: a run after days of silence does not send
the whole backlog at once.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import Company, reminder_offsets
from documents import status
from documents.models import ClientEmail, Document
from mail.tasks import client_email_enqueue


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


def _reminder_write(
    document: Document, reminder_date: dt.date, now: dt.datetime
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
            )
            email_id = email.pk
            transaction.on_commit(lambda: client_email_enqueue(email_id=email_id))
            return email
    except IntegrityError:
        return None


def _candidates(company: Company, today: dt.date) -> list[tuple[Document, dt.date]]:
    found: list[tuple[Document, dt.date]] = []
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
        )
        for invoice in invoices:
            assert invoice.due_date is not None  # filtered above
            reminder_date = _latest_due(invoice.due_date, offsets, today)
            if reminder_date is not None:
                found.append((invoice, reminder_date))
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
            found.append((quote, quote.expiry_date - dt.timedelta(days=days)))
    return found


def reminders_send(*, now: dt.datetime) -> ReminderRun:
    """Write and queue every reminder that has come due and was not yet written.

    Paid, canceled, hidden and draft documents get none, nor documents or
    clients with reminders turned off, nor clients without an e-mail address;
    a reminder dated before the document was finalised is not sent.
    """
    today = timezone.localdate(now)
    sent: list[int] = []
    already = 0
    # unscoped: the scheduler runs for every company, each read through for_company
    for company in Company.objects.order_by("pk"):
        for document, reminder_date in _candidates(company, today):
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

"""Reminders on a fixed clock: the right ones go, once, even run twice at once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from clients import services as client_services
from documents import services
from documents.models import ClientEmail
from mail import services as mail_services
from payments.services import card_payment_fail, card_payment_settle, payment_record
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory
from tests.portal.helpers import hide
from transmission.models import LifecycleStatus

pytestmark = pytest.mark.django_db

# Invoices in these tests are issued on 2 March and due on 1 April 2026.
DUE = dt.date(2026, 4, 1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)


def reminders(document) -> list[dt.date]:
    return list(
        ClientEmail.objects.for_company(document.company)
        .filter(document=document, kind="reminder")
        .order_by("reminder_date")
        .values_list("reminder_date", flat=True)
    )


def test_the_schedule_sends_each_reminder_on_its_day_and_once():
    invoice = DocumentFactory(finalised=True)  # company plan: -3, 0, 7, 15, 30
    days = [DUE + dt.timedelta(days=n) for n in range(-5, 35)]

    runs = [
        mail_services.reminders_send(now=at(day)) for day in days for _twice in (1, 2)
    ]

    assert reminders(invoice) == [
        DUE - dt.timedelta(days=3),
        DUE,
        DUE + dt.timedelta(days=7),
        DUE + dt.timedelta(days=15),
        DUE + dt.timedelta(days=30),
    ]
    assert sum(len(run.sent) for run in runs) == 5


def test_a_late_run_sends_only_the_latest_reminder_due():
    invoice = DocumentFactory(finalised=True)

    mail_services.reminders_send(now=at(DUE + dt.timedelta(days=10)))

    assert reminders(invoice) == [DUE + dt.timedelta(days=7)]


def test_paid_canceled_hidden_and_switched_off_documents_get_none():
    company = CompanyFactory()
    paid = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=paid, amount=paid.total, method="transfer", actor=None, now=NOW
    )
    canceled = DocumentFactory(client__company=company, finalised=True)
    services.document_cancel(document=canceled, actor=None, now=NOW)
    hidden = DocumentFactory(client__company=company, finalised=True)
    hide(hidden)
    off = DocumentFactory(client__company=company, finalised=True)
    mail_services.reminders_set(document=off, enabled=False)
    quiet_client = ClientFactory(company=company)
    client_services.client_update(client=quiet_client, reminders_enabled=False)
    quiet = DocumentFactory(client=quiet_client, finalised=True)
    no_address = DocumentFactory(
        client__company=company, client__email="", finalised=True
    )
    draft = DocumentFactory(client__company=company)
    partly = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=partly, amount=Decimal("10.00"), method="transfer", actor=None, now=NOW
    )

    mail_services.reminders_send(now=at(DUE))

    sent = set(
        ClientEmail.objects.for_company(company)
        .filter(kind="reminder")
        .values_list("document_id", flat=True)
    )
    assert sent == {partly.pk}
    for document in (paid, canceled, hidden, off, quiet, no_address, draft):
        assert reminders(document) == []


def test_an_invoice_whose_bank_debit_is_processing_gets_none_until_it_fails():
    invoice = DocumentFactory(finalised=True)
    card_payment_settle(
        invoice_id=invoice.pk,
        payment_intent="pi_processing",
        amount=invoice.total,
        checkout_session_id="cs_processing",
        paid=False,
        now=NOW,
    )

    mail_services.reminders_send(now=at(DUE))
    card_payment_fail(
        invoice_id=invoice.pk,
        payment_intent="pi_processing",
        amount=invoice.total,
        checkout_session_id="cs_processing",
        now=NOW,
    )
    mail_services.reminders_send(now=at(DUE + dt.timedelta(days=7)))

    assert reminders(invoice) == [DUE + dt.timedelta(days=7)]


def test_a_quote_about_to_expire_gets_one_reminder():
    quote = DocumentFactory(kind="quote", finalised=True)  # expires 1 April 2026
    expiry = quote.expiry_date

    for day in range(-6, 3):
        mail_services.reminders_send(now=at(expiry + dt.timedelta(days=day)))

    assert reminders(quote) == [expiry - dt.timedelta(days=3)]


def test_a_company_without_a_schedule_sends_none():
    invoice = DocumentFactory(
        client__company__reminder_days="",
        client__company__quote_reminder_days=None,
        finalised=True,
    )

    mail_services.reminders_send(now=at(DUE + dt.timedelta(days=7)))

    assert reminders(invoice) == []


def test_the_reminder_e_mail_names_the_amount_due_and_the_link(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    invoice = DocumentFactory(finalised=True)

    with django_capture_on_commit_callbacks(execute=True):
        mail_services.reminders_send(now=at(DUE + dt.timedelta(days=7)))

    (message,) = mailoutbox
    assert message.subject == (
        f"Reminder: invoice INV-2026-0001 from {invoice.company.name}"
    )
    assert "was due on Apr 1, 2026 and is still unpaid" in message.body
    assert "Amount due: €120.00" in message.body
    assert f"/p/{invoice.client.portal_token}/documents/{invoice.pk}/" in message.body
    assert [name for name, _content, _type in message.attachments] == [
        "INV-2026-0001.pdf"
    ]
    event = invoice.events.get(kind="reminder_sent")
    assert event.details["reminder_date"] == "2026-04-08"


def test_the_command_runs_the_schedule(capsys):
    DocumentFactory(finalised=True)

    call_command("send_reminders")

    assert "reminder(s) queued" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgres_send_each_reminder_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent transactions")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    company = CompanyFactory()
    invoices = [
        DocumentFactory(client__company=company, finalised=True) for _ in range(20)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(mail_services.reminders_send(now=at(DUE)))
        except Exception as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(len(run.sent) + run.already for run in results) == [20, 20]
    assert sum(len(run.sent) for run in results) == 20
    for invoice in invoices:
        assert reminders(invoice) == [DUE]


def test_an_invoice_the_client_refused_gets_none():
    refused = DocumentFactory(finalised=True)
    owed = DocumentFactory(finalised=True, client__company=refused.company)
    LifecycleStatus.objects.create(
        company=refused.company,
        document=refused,
        code=LifecycleStatus.Code.REFUSED,
        source=LifecycleStatus.Source.CLIENT,
        at=NOW,
        recorded_at=NOW,
    )

    mail_services.reminders_send(now=at(DUE))

    assert reminders(refused) == []
    assert reminders(owed) == [DUE]

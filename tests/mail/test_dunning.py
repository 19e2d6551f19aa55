"""The dunning plan on the clock (time-machine): each rule, the scheduler's
pass, "Remind now", and the reminders read back from a real SMTP server."""

import datetime as dt
import email
import email.policy
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clients import services as client_services
from companies.models import Company
from documents.models import ClientEmail
from mail import services as mail_services
from mail.services.reminders import business_days_before
from payments.services import card_payment_settle, payment_record, transfer_declare
from tests.factories import ClientFactory, CompanyFactory, DocumentFactory
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db

# Invoices in these tests are issued on 2 March and due on Wednesday 1 April 2026.
DUE = dt.date(2026, 4, 1)


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def day(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def scheduler_pass(when: dt.datetime) -> None:
    """What the scheduler process does at `when`: one pass of run_scheduler."""
    with time_machine.travel(when, tick=False):
        call_command("run_scheduler", "--once", "--repair-every", "0", verbosity=0)


def sent(document) -> list[tuple[dt.date, dt.date]]:
    """Each reminder of `document`: the step it is for, the day it was asked."""
    return [
        (row.reminder_date, timezone.localdate(row.requested_at))
        for row in ClientEmail.objects.for_company(document.company)
        .filter(document=document, kind="reminder")
        .order_by("requested_at", "pk")
    ]


def every_day(first: int, last: int) -> None:
    for offset in range(first, last + 1):
        scheduler_pass(at(day(offset)))


def test_a_new_company_s_plan_is_3_days_before_the_due_date_then_0_7_15_30():
    company = Company.objects.create(name="Fresh", legal_name="Fresh SAS")

    assert company.reminder_days == "-3,0,7,15,30"


def test_the_plan_sends_each_step_on_its_day_once_through_the_scheduler():
    invoice = DocumentFactory(finalised=True)

    every_day(-5, 35)

    assert sent(invoice) == [(day(n), day(n)) for n in (-3, 0, 7, 15, 30)]


def test_a_pass_after_weeks_of_silence_sends_only_the_latest_step_due():
    invoice = DocumentFactory(finalised=True)

    scheduler_pass(at(day(20)))
    scheduler_pass(at(day(21)))

    assert sent(invoice) == [(day(15), day(20))]


def test_an_edited_plan_is_followed():
    invoice = DocumentFactory(finalised=True, client__company__reminder_days="2, 10")

    every_day(-5, 12)

    assert sent(invoice) == [(day(2), day(2)), (day(10), day(10))]


def test_a_paid_invoice_gets_no_more_reminders():
    invoice = DocumentFactory(finalised=True)
    every_day(-3, 0)
    payment_record(
        invoice=invoice,
        amount=invoice.total,
        method="transfer",
        actor=None,
        now=at(day(2)),
    )

    every_day(1, 35)

    assert sent(invoice) == [(day(-3), day(-3)), (day(0), day(0))]


def test_a_partly_paid_invoice_is_still_reminded():
    invoice = DocumentFactory(finalised=True)
    payment_record(
        invoice=invoice,
        amount=Decimal("10.00"),
        method="transfer",
        actor=None,
        now=at(day(-10)),
    )

    every_day(7, 8)

    assert sent(invoice) == [(day(7), day(7))]


def test_an_invoice_whose_payment_is_processing_gets_none():
    invoice = DocumentFactory(finalised=True)
    card_payment_settle(
        invoice_id=invoice.pk,
        payment_intent="pi_processing",
        amount=invoice.total,
        checkout_session_id="cs_processing",
        paid=False,
        now=at(day(-5)),
    )

    every_day(-4, 31)

    assert sent(invoice) == []


def test_a_client_with_reminders_off_gets_none():
    quiet = ClientFactory()
    client_services.client_update(client=quiet, reminders_enabled=False)
    invoice = DocumentFactory(client=quiet, finalised=True)

    every_day(-4, 31)

    assert sent(invoice) == []


def test_business_days_skip_the_weekend():
    # Monday 13 April 2026, five business days back: Monday 6 April.
    assert business_days_before(dt.date(2026, 4, 13), 5) == dt.date(2026, 4, 6)
    # Tuesday 14 April: Tuesday 7 April.
    assert business_days_before(dt.date(2026, 4, 14), 5) == dt.date(2026, 4, 7)


def test_a_declared_transfer_stops_reminders_for_5_business_days_only():
    invoice = DocumentFactory(finalised=True)
    every_day(-3, 0)
    # Monday 6 April, before that day's pass: "I paid by transfer".
    transfer_declare(
        invoice=invoice,
        client_name=invoice.client.name,
        paid_on_date=day(5),
        now=at(day(5), hour=6),
    )

    every_day(5, 16)

    # Step +7 (8 April) waits until Tuesday 14 April, the sixth business day
    # after the declaration; then the plan goes on (+15 on 16 April).
    assert sent(invoice) == [
        (day(-3), day(-3)),
        (day(0), day(0)),
        (day(7), day(13)),
        (day(15), day(15)),
    ]


def test_remind_now_counts_as_the_step_of_its_day_and_the_plan_goes_on(
    django_capture_on_commit_callbacks,
):
    invoice = DocumentFactory(finalised=True)
    with time_machine.travel(at(day(9)), tick=False):
        reminder = mail_services.reminder_send_now(
            document=invoice, actor=None, now=timezone.now()
        )

    every_day(9, 16)

    assert (reminder.reminder_date, reminder.kind) == (day(9), "reminder")
    # Step +7 (already due on the 9th) is not sent after it; +15 is.
    assert sent(invoice) == [(day(9), day(9)), (day(15), day(15))]


def test_remind_now_twice_the_same_day_is_refused_and_writes_nothing():
    invoice = DocumentFactory(finalised=True)
    mail_services.reminder_send_now(document=invoice, actor=None, now=at(day(3)))

    with pytest.raises(mail_services.ReminderRefused, match="already reminded today"):
        mail_services.reminder_send_now(
            document=invoice, actor=None, now=at(day(3), hour=15)
        )

    assert sent(invoice) == [(day(3), day(3))]


def test_remind_now_refuses_a_paid_invoice_and_a_draft():
    company = CompanyFactory()
    paid = DocumentFactory(client__company=company, finalised=True)
    payment_record(
        invoice=paid, amount=paid.total, method="transfer", actor=None, now=at(day(1))
    )
    draft = DocumentFactory(client__company=company)

    for document in (paid, draft):
        with pytest.raises(mail_services.ReminderRefused, match="not waiting"):
            mail_services.reminder_send_now(
                document=document, actor=None, now=at(day(2))
            )

    assert ClientEmail.objects.for_company(company).filter(kind="reminder").count() == 0


def test_client_remind_now_reminds_each_invoice_to_pay_and_says_why_not_others():
    customer = ClientFactory()
    first = DocumentFactory(client=customer, finalised=True)
    second = DocumentFactory(client=customer, finalised=True)
    paid = DocumentFactory(client=customer, finalised=True)
    payment_record(
        invoice=paid, amount=paid.total, method="transfer", actor=None, now=at(day(1))
    )
    mail_services.reminder_send_now(document=second, actor=None, now=at(day(2)))

    reminded, refused = mail_services.client_remind_now(
        client=customer, actor=None, now=at(day(2), hour=10)
    )

    assert [email.document_id for email in reminded] == [first.pk]
    assert refused == [f"{second}: already reminded today."]
    assert sent(paid) == []
    history = mail_services.reminders_history(client=customer)
    assert [email.document_id for email in history] == [first.pk, second.pk]


def test_client_remind_now_with_nothing_to_pay_is_refused():
    customer = ClientFactory()

    with pytest.raises(mail_services.ReminderRefused, match="no invoice to pay"):
        mail_services.client_remind_now(client=customer, actor=None, now=at(day(2)))


def test_the_scheduler_s_pass_e_mails_the_reminder_with_its_pdf_and_portal_link(
    settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    invoice = DocumentFactory(finalised=True, client__email="pay@client.example")
    token = invoice.client.portal_token

    with smtp_server(settings) as mailbox:
        with django_capture_on_commit_callbacks(execute=True):
            scheduler_pass(at(day(7)))
        with django_capture_on_commit_callbacks(execute=True):
            scheduler_pass(at(day(7), hour=12))  # a second pass: nothing more

    (envelope,) = mailbox.envelopes
    assert envelope.rcpt_tos == ["pay@client.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == (
        f"Reminder: invoice INV-2026-0001 from {invoice.company.name}"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Your invoice INV-2026-0001 was due on Apr 1, 2026 and is still unpaid." in (
        text
    )
    assert "Amount due: €120.00" in text
    assert f"https://portal.example/p/{token}/documents/{invoice.pk}/" in text
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert "INV-2026-0001.pdf" in attachments
    reminder = ClientEmail.objects.for_company(invoice.company).get(kind="reminder")
    assert (reminder.status, reminder.reminder_date) == ("sent", day(7))
    assert invoice.events.filter(kind="reminder_sent").count() == 1


def test_a_failing_pass_is_logged_and_the_scheduler_goes_on(monkeypatch, caplog):
    calls = []

    def broken(*, now):
        calls.append(now)
        raise RuntimeError("database went away")

    monkeypatch.setattr(mail_services, "reminders_send", broken)

    scheduler_pass(at(day(0)))  # raises nothing

    assert len(calls) == 1
    assert "Scheduler pass failed" in caplog.text

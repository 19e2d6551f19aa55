"""Owners and admins hear what their clients do: e-mails (each may opt out)
and the back office's recent-activity feed, with overdue and outstanding."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from documents import events
from payments import services as payment_services
from payments.services import payment_record
from signing import services as signing_services
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, MembershipFactory
from tests.portal.helpers import invoice, quote, url
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db


def members(company):
    owner = MembershipFactory(
        company=company, role="owner", user__email="owner@a.example"
    )
    admin = MembershipFactory(
        company=company, role="admin", user__email="admin@a.example"
    )
    MembershipFactory(company=company, role="manager", user__email="manager@a.example")
    MembershipFactory(company=company, role="reporting", user__email="report@a.example")
    return owner.user, admin.user


def test_client_actions_notify_owners_and_admins_who_want_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory(name="Atelier")
    owner, admin = members(company)
    admin.notify_client_activity = False
    admin.save()
    customer = ClientFactory(company=company, name="Café des Arts")
    bill = invoice(customer)
    offer = quote(customer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("beacon", customer), {"document": bill.pk, "version": 1})
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            invoice=bill,
            amount=Decimal("20.00"),
            method="transfer",
            actor=None,
            now=NOW,
        )
    with django_capture_on_commit_callbacks(execute=True):
        signing_services.quote_decline(quote=offer, actor=None, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        events.quote_accepted(document=offer, actor=owner, at=NOW)  # a member: quiet

    members_told = [
        (mail.to, mail.subject) for mail in mailoutbox if mail.to != [customer.email]
    ]
    assert members_told == [
        (["owner@a.example"], "Atelier: Café des Arts opened invoice INV-2026-0001"),
        (
            ["owner@a.example"],
            "Atelier: Café des Arts paid €20.00 on invoice INV-2026-0001",
        ),
        (["owner@a.example"], "Atelier: Café des Arts declined quote Q-2026-0001"),
    ]
    # The client has its receipt (issue 20), not the members' notices.
    assert [mail.subject for mail in mailoutbox if mail.to == [customer.email]] == [
        "Receipt REC-2026-0001 from Atelier"
    ]
    assert f"/admin/documents/invoice/{bill.pk}/change/" in mailoutbox[0].body
    assert "/admin/profile/" in mailoutbox[0].body


def test_a_member_opts_out_in_their_profile(client):
    company = CompanyFactory()
    user = sign_in(client, company)

    page = client.get("/admin/profile/")
    saved = client.post("/admin/profile/", {})

    user.refresh_from_db()
    assert page.status_code == 200
    assert messages_of(saved) == ["Your preferences are saved."]
    assert user.notify_client_activity is False


def test_the_home_page_shows_activity_overdue_and_outstanding(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Café des Arts")
    late = invoice(customer, due_date=dt.date(2026, 3, 10))
    invoice(customer, due_date=dt.date(2099, 1, 1))
    client.__class__().post(
        url("beacon", customer), {"document": late.pk, "version": 1}
    )

    response = client.get("/admin/")

    assert "Café des Arts opened invoice INV-2026-0001" in response.content.decode()
    figures = response.context["home_sections"][0]["figures"]
    assert figures["outstanding"]["amounts"] == ["€240.00"]
    assert (figures["overdue"]["amounts"], figures["overdue"]["count"]) == (
        ["€120.00"],
        1,
    )


def test_the_home_page_shows_no_receivables_to_a_manager(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")

    page = client.get("/admin/").content.decode()

    assert 'id="recent-activity"' not in page


# The worker command closes the database connection when it is done: on
# PostgreSQL that would end a test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_an_activity_email_the_server_refuses_is_tried_again_later(settings):
    """Production's worker: the refused address alone is retried, a minute on."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    company = CompanyFactory(name="Atelier")
    members(company)
    offer = quote(ClientFactory(company=company, name="Café des Arts"))

    def work() -> None:
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    with smtp_server(settings, refuse=1) as mailbox:
        signing_services.quote_decline(
            quote=offer, actor=None, now=NOW
        )  # commits: queued
        before = dt.datetime.now(dt.UTC)
        work()
        after = dt.datetime.now(dt.UTC)
        first = [envelope.rcpt_tos for envelope in mailbox.envelopes]
        retry = DBTaskResult.objects.get(status="READY")
        work()  # not due yet: nothing sent
        early = len(mailbox.envelopes)
        with time_machine.travel(retry.run_after + dt.timedelta(seconds=1), tick=False):
            work()

    # Members are mailed in address order: the admin's was refused.
    assert first == [["owner@a.example"]]
    assert retry.args_kwargs["args"][1:] == [2, ["admin@a.example"]]
    minute = dt.timedelta(seconds=60)
    assert before + minute <= retry.run_after <= after + minute
    assert early == 1
    assert [envelope.rcpt_tos for envelope in mailbox.envelopes] == [
        ["owner@a.example"],
        ["admin@a.example"],
    ]
    assert "declined quote Q-2026-0001" in mailbox.envelopes[1].content.decode()


def test_one_transfer_for_several_invoices_is_told_once_with_each_invoice(
    mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory(name="Atelier")
    members(company)
    customer = ClientFactory(company=company, name="Café des Arts")
    first, second, third = invoice(customer), invoice(customer), invoice(customer)
    batch = payment_services.transfer_batch_open(
        client=customer, invoices=[first, second, third], now=NOW
    )

    with django_capture_on_commit_callbacks(execute=True):
        payment_services.transfer_batch_declare(
            batch=batch, client_name=customer.name, paid_on_date=None, now=NOW
        )

    members_told = [mail.subject for mail in mailoutbox if mail.to != [customer.email]]
    reference = " ".join(
        batch.reference[start : start + 4]
        for start in range(0, len(batch.reference), 4)
    )
    numbers = ", ".join(sorted(doc.number for doc in (first, second, third)))
    assert members_told == [
        f"Atelier: Café des Arts declared one bank transfer, reference {reference}, "
        f"for invoices {numbers}",
        f"Atelier: Café des Arts declared one bank transfer, reference {reference}, "
        f"for invoices {numbers}",
    ]  # the owner and the admin, once each

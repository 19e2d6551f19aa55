"""Issued invoices go to the stand-in platform through the worker, over real
HTTP with the real `requests` client; statuses come back by search and by
webhook; a payment sends 212."""

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from payments import services as payment_services
from tests.backoffice import sign_in
from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    MembershipFactory,
    line,
)
from transmission import services, worker
from transmission.models import Flow, LifecycleStatus

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def company(standin):
    company = CompanyFactory(default_locale="fr")
    MembershipFactory(company=company, user__email="owner@example.com")
    services.platform_connection_from_environment(company=company, now=NOW)
    return company


def _issue(company, **kwargs):
    client = kwargs.pop("client", None) or ClientFactory(company=company)
    return DocumentFactory(client=client, finalised=True, **kwargs)


def _codes(document):
    return list(
        LifecycleStatus.objects.for_company(document.company)
        .filter(document=document)
        .order_by("at", "pk")
        .values_list("code", flat=True)
    )


def test_issued_invoice_is_submitted_with_its_checksum_and_acknowledged(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)

    flow = Flow.objects.for_company(company).get(document=invoice)
    (sent,) = standin.invoice_flows() or [
        f for f in standin.flows.values() if f["flowDirection"] == "Out"
    ]
    data = standin.files[sent["flowId"]]
    assert (flow.state, flow.flow_id, flow.tracking_id, flow.attempts) == (
        "submitted",
        sent["flowId"],
        invoice.number,
        1,
    )
    assert flow.sha256 == sent["sha256"] == hashlib.sha256(data).hexdigest()
    assert (sent["flowSyntax"], sent["processingRule"], sent["trackingId"]) == (
        "Factur-X",
        "B2B",
        invoice.number,
    )
    assert data.startswith(b"%PDF")
    assert flow.ack_status == "pending"

    seen = worker.platform_poll(connection=services.connection_of(company), now=LATER)

    flow.refresh_from_db()
    assert flow.ack_status == "ok"
    assert seen == 6  # our flow's acknowledgement, then 200, 202, 203, 204, 205
    assert _codes(invoice) == ["200", "202", "203", "204", "205"]


def test_polling_twice_records_each_status_once(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    connection = services.connection_of(company)
    worker.platform_poll(connection=connection, now=LATER)
    connection.refresh_from_db()
    connection.polled_until = None  # as if the poll's bookmark were lost
    worker.platform_poll(connection=connection, now=LATER)

    assert _codes(invoice) == ["200", "202", "203", "204", "205"]


def test_an_expired_token_is_refreshed_once(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _issue(company)
    standin.expire_tokens()

    worker.platform_poll(connection=services.connection_of(company), now=LATER)

    searches = [r for r in standin.requests if r.path.endswith("/v1/flows/search")]
    assert len(standin.posts("/token")) == 2
    assert searches[0].headers["Authorization"] != searches[1].headers["Authorization"]


def test_a_passing_failure_is_tried_again_later_then_given_up(
    standin, company, django_capture_on_commit_callbacks
):
    standin.fail_next = [503] * 10
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    flow = Flow.objects.for_company(company).get(document=invoice)
    # The immediate backend cannot wait: the first attempt failed and the
    # next one is due in 30 s.
    assert (flow.state, flow.attempts) == ("queued", 1)
    assert flow.next_attempt_at is not None
    assert "503" in flow.last_error

    for _attempt in range(2, 7):
        worker.flow_submit(flow_pk=flow.pk, now=LATER)
    flow.refresh_from_db()
    assert (flow.state, flow.attempts, flow.flow_id) == ("failed", 6, "")
    assert standin.invoice_flows() == []


def test_a_wrong_checksum_is_acknowledged_as_an_error(
    standin, company, django_capture_on_commit_callbacks, monkeypatch
):
    # A file altered on its way: the fingerprint sent is not the file's.
    monkeypatch.setattr(
        worker, "fingerprint", lambda data: hashlib.sha256(data + b"!").hexdigest()
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    monkeypatch.undo()

    worker.platform_poll(connection=services.connection_of(company), now=LATER)

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert flow.ack_status == "error"
    assert flow.ack_reason.startswith("ChecksumMismatch")
    assert _codes(invoice) == []


def test_refusal_with_its_reason_reaches_the_owner(
    standin, company, django_capture_on_commit_callbacks
):
    standin.default_scenario = "refused"
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        worker.platform_poll(connection=services.connection_of(company), now=LATER)

    refused = LifecycleStatus.objects.for_company(company).get(
        document=invoice, code="210"
    )
    assert (refused.reason_code, refused.reason, refused.source) == (
        "TX_TVA_ERR",
        "Taux de TVA erroné sur la ligne 2",
        "platform",
    )
    assert _codes(invoice) == ["200", "202", "203", "210"]
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert invoice.number in mail.outbox[0].subject
    assert "TX_TVA_ERR" in mail.outbox[0].body


def test_dispute_is_recorded_and_notified(
    standin, company, django_capture_on_commit_callbacks
):
    standin.default_scenario = "disputed"
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        worker.platform_poll(connection=services.connection_of(company), now=LATER)

    assert _codes(invoice) == ["200", "202", "203", "207"]
    disputed = LifecycleStatus.objects.for_company(company).get(
        document=invoice, code="207"
    )
    assert disputed.reason == "Quantité livrée inférieure à la quantité facturée"
    assert len(mail.outbox) == 1


def test_a_second_delivery_gets_213_which_leaves_the_valid_status(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    connection = services.connection_of(company)
    worker.platform_poll(connection=connection, now=LATER)
    # Delivered again (a retry after a lost answer): the platform says 213.
    flow = Flow.objects.for_company(company).get(document=invoice)
    Flow.objects.filter(pk=flow.pk).update(state="queued")
    worker.flow_submit(flow_pk=flow.pk, now=LATER)
    mail.outbox.clear()
    connection.refresh_from_db()
    worker.platform_poll(connection=connection, now=LATER)

    assert any(f["trackingId"].endswith("-213") for f in standin.lifecycle_flows()), (
        "the stand-in emitted its 213"
    )
    assert _codes(invoice) == ["200", "202", "203", "204", "205"]
    assert mail.outbox == []


def test_payment_in_full_sends_212_with_amounts_and_rates(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(
            company,
            lines=[line("Design", "1", "100.00"), line("Books", "2", "10.00", "5.5")],
        )
        payment_services.payment_record(
            invoice=invoice,
            amount=invoice.total,
            method="transfer",
            actor=None,
            now=LATER,
        )
    worker.platform_poll(connection=services.connection_of(company), now=LATER)

    paid = LifecycleStatus.objects.for_company(company).get(
        document=invoice, code="212"
    )
    assert (paid.source, paid.amount, paid.vat_rate) == (
        "product",
        Decimal("141.10"),
        None,
    )
    status_flow = Flow.objects.for_company(company).get(document=invoice, kind="status")
    assert (status_flow.state, status_flow.ack_status) == ("submitted", "ok")
    (received,) = standin.received_statuses
    assert received == {
        "number": invoice.number,
        "code": "212",
        "seller": company.registration_number,
        "amounts": [("MEN", "120.00", "20.00"), ("MEN", "21.10", "5.50")],
    }


def test_webhook_delivery_signed_is_taken_in_once(
    standin, company, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    standin.process()
    url = reverse("transmission:webhook")
    for body, headers in standin.deliveries * 2:  # every delivery twice
        response = client.post(
            url,
            body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
        assert response.status_code == 200

    assert _codes(invoice) == ["200", "202", "203", "204", "205"]
    assert Flow.objects.for_company(company).get(document=invoice).ack_status == "ok"


@pytest.mark.parametrize("case", ["unsigned", "stale", "wrong key", "not a flow"])
def test_webhook_unsigned_or_stale_is_400_and_records_nothing(
    standin, company, client, django_capture_on_commit_callbacks, case
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    flow = standin.emit(
        number=invoice.number,
        issue_date=invoice.issue_date.strftime("%Y%m%d"),
        seller_siren=company.registration_number,
        code="210",
        reason="Non",
    )
    body = json.dumps(flow).encode()
    headers = standin.signed(body)
    if case == "unsigned":
        headers = {}
    elif case == "stale":
        headers = standin.signed(body, timestamp=int(NOW.timestamp()))
    elif case == "wrong key":
        headers["Afnor-Signature"] = headers["Afnor-Signature"][::-1]
    else:
        body = b"[]"
        headers = standin.signed(body)
    response = client.post(
        reverse("transmission:webhook"),
        body,
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 400
    assert _codes(invoice) == []


def test_b2c_and_foreign_buyers_are_not_sent(
    standin, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _issue(
            company, client=ClientFactory(company=company, is_business=False, siren="")
        )
        _issue(company, client=ClientFactory(company=company, country="BE", siren=""))

    assert Flow.objects.for_company(company).count() == 0
    assert standin.requests == []


def test_a_fatal_rule_blocks_sending_and_names_its_rule(
    standin, company, django_capture_on_commit_callbacks, monkeypatch
):
    # The official validators said no (as BR-FR-12 would for a missing BT-49).
    from einvoicing import validation

    finding = validation.Finding("BR-FR-12", "fatal", "BT-49 missing", "BR-FR")
    monkeypatch.setattr(worker.validation, "validate", lambda xml: [finding])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)

    flow = Flow.objects.for_company(company).get(document=invoice)
    assert (flow.state, flow.flow_id) == ("failed", "")
    assert "BR-FR-12" in flow.last_error
    assert standin.posts("/v1/flows") == []


def test_the_owner_sends_a_failed_invoice_again(
    standin, company, client, django_capture_on_commit_callbacks
):
    standin.fail_next = [400]  # refused for good the first time
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    flow = Flow.objects.for_company(company).get(document=invoice)
    assert flow.state == "failed"
    sign_in(client, company)
    page = client.get(f"/admin/documents/invoice/{invoice.pk}/change/").content
    assert b"Send to the e-invoicing platform again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "admin:documents_document_action", args=[invoice.pk, "platform_again"]
            )
        )

    assert response.status_code == 302
    flow.refresh_from_db()
    assert (flow.state, flow.attempts) == ("submitted", 1)
    assert (
        len(standin.invoice_flows())
        + len([f for f in standin.flows.values() if f["flowDirection"] == "Out"])
        >= 1
    )


def test_the_webhook_is_registered_and_its_new_key_kept(
    standin, company, client, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    settings.PORTAL_BASE_URL = "https://portal.example.com"
    call_command("einvoicing_webhook_register", str(company.pk), stdout=io.StringIO())

    assert standin.callback_url == "https://portal.example.com/einvoicing/webhook/"
    connection = services.connection_of(company)
    from transmission.secrets import secret_decrypt

    assert secret_decrypt(connection.webhook_secret_encrypted) == standin.signing_key
    standin.callback_url = ""  # deliveries are replayed below, not posted
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _issue(company)
    standin.process()
    for body, headers in standin.deliveries:
        response = client.post(
            reverse("transmission:webhook"),
            body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
        assert response.status_code == 200
    assert _codes(invoice) == ["200", "202", "203", "204", "205"]

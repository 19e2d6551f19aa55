"""The back office's transfers for several invoices: the owner matches the
bank line by its reference and records it once (a payment per invoice), or
marks it as not received; reporting reads; another company's is not found."""

import datetime as dt
from decimal import Decimal

import pytest

from companies.references import grouped
from payments import services
from payments.models import Payment, TransferDeclaration
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice

pytestmark = pytest.mark.django_db

LIST = "/admin/payments/transferbatch/"
LATER = NOW + dt.timedelta(days=1)


@pytest.fixture
def batch():
    customer = ClientFactory()
    invoices = [invoice(customer), invoice(customer)]
    batch = services.transfer_batch_open(client=customer, invoices=invoices, now=NOW)
    return services.transfer_batch_declare(
        batch=batch, client_name="Ada", paid_on_date=None, now=LATER
    )


def test_the_list_shows_the_reference_to_match_and_one_record_button(client, batch):
    sign_in(client, batch.company)

    first = client.get(LIST)
    html = client.get(f"{LIST}?state=declared").content.decode()
    searched = client.get(f"{LIST}?q={batch.reference}").content.decode()

    assert first.status_code == 302
    assert first["Location"].endswith("?state=declared")
    assert grouped(batch.reference) in html
    assert html.count(f'id="record-batch-{batch.pk}"') == 1
    assert f'id="reject-batch-{batch.pk}"' in html
    for line in batch.lines.all():
        assert line.invoice.number in html
    assert grouped(batch.reference) in searched


def test_recorded_once_a_payment_per_invoice(client, batch):
    sign_in(client, batch.company)

    asked = client.get(f"{LIST}{batch.pk}/record/")
    nothing_yet = not Payment.objects.for_company(batch.company).exists()
    response = client.post(f"{LIST}{batch.pk}/record/", follow=True)
    again = client.post(f"{LIST}{batch.pk}/record/", follow=True)

    payments = Payment.objects.for_company(batch.company)
    assert sorted((p.invoice_id, p.amount) for p in payments) == sorted(
        (line.invoice_id, line.amount) for line in batch.lines.all()
    )
    assert any("recorded on" in message for message in messages_of(response))
    assert any("recorded already" in message for message in messages_of(again))
    assert payments.count() == 2
    page = asked.content.decode()
    assert nothing_yet and "Nothing changes until you confirm." in page
    assert f"reference {grouped(batch.reference)}, is recorded on each" in page
    for line in batch.lines.all():
        assert f"{line.invoice.number}: €{line.amount}" in page


def test_an_invoice_paid_meanwhile_is_said(client, batch):
    paid = batch.lines.order_by("invoice_id").first().invoice
    services.payment_record(
        invoice=paid, amount=Decimal("20.00"), method="manual", actor=None, now=NOW
    )
    sign_in(client, batch.company)

    response = client.post(f"{LIST}{batch.pk}/record/", follow=True)

    assert any(
        f"{paid.number} was paid otherwise meanwhile: €20.00 of this transfer is "
        "more than it still asked, kept as an overpayment to refund" in message
        for message in messages_of(response)
    )


def test_marked_not_received_nothing_is_recorded(client, batch):
    sign_in(client, batch.company)

    response = client.post(f"{LIST}{batch.pk}/reject/", follow=True)

    assert any("marked as not received" in m for m in messages_of(response))
    assert not Payment.objects.exists()
    assert not TransferDeclaration.objects.for_company(batch.company).waiting()


def test_reporting_reads_without_buttons_and_may_not_record(client, batch):
    sign_in(client, batch.company, role="reporting")

    html = client.get(f"{LIST}?state=declared").content.decode()
    response = client.post(f"{LIST}{batch.pk}/record/")

    assert grouped(batch.reference) in html
    assert "record-batch-" not in html
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_another_companys_transfer_is_not_found(client, batch):
    sign_in(client, ClientFactory().company)

    response = client.post(f"{LIST}{batch.pk}/record/")

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_its_declarations_point_to_it_and_are_not_answered_one_by_one(client, batch):
    declaration = TransferDeclaration.objects.for_company(batch.company).first()
    sign_in(client, batch.company)

    html = client.get(
        "/admin/payments/transferdeclaration/?state=waiting"
    ).content.decode()
    response = client.post(
        f"/admin/payments/transferdeclaration/{declaration.pk}/record/", follow=True
    )

    assert f"Paid with others: {grouped(batch.reference)}" in html
    assert f'id="record-{declaration.pk}"' not in html
    assert any("pays several invoices" in m for m in messages_of(response))
    assert not Payment.objects.exists()

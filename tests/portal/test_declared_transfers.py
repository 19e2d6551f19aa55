"""A declared transfer shows where the client looks: its row says so, and the
invoices tab's totals show the declared part, until the owner records it or
marks it as not received."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from payments import services
from payments.models import Payment, TransferDeclaration
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

DECLARED_URL = "/admin/payments/transferdeclaration/"
DECEMBER_3 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def _tab(http, customer) -> dict:
    html = http.get(url("invoices", customer)).content.decode()
    rows = re.findall(
        r'data-number="([^"]+)">.*?(?:data-declared>([^<]+)<|</tr>)', html, re.S
    )
    declared = re.search(r'id="balance-declared">.*?</div>', html, re.S)
    return {
        "rows": {number: note for number, note in rows},
        "owed": re.findall(
            r'id="balance-owed">.*?class="balance__amount"[^>]*>([^<]+)<', html, re.S
        ),
        "declared": re.findall(r">([^<]+)</span>", declared.group(0))
        if declared
        else [],
    }


def _declare(document, now=DECEMBER_3):
    return services.transfer_declare(
        invoice=document, client_name="Ada", paid_on_date=None, now=now
    )


def test_the_row_and_the_totals_show_a_declared_transfer(client):
    customer = ClientFactory()
    declared, other = invoice(customer), invoice(customer)
    _declare(declared)

    assert _tab(client, customer) == {
        "rows": {
            declared.number: "Transfer declared on Dec 3, awaiting confirmation",
            other.number: "",
        },
        "owed": ["€240.00"],
        "declared": ["€120.00"],
    }


def test_in_french_the_day_is_written_the_french_way(client):
    customer = ClientFactory(locale="fr")
    declared = invoice(customer)
    _declare(declared)

    assert _tab(client, customer)["rows"][declared.number] == (
        "Virement déclaré le 3 déc., en attente de confirmation"
    )


def test_recorded_the_declaration_leaves_the_row_and_the_totals(client):
    customer = ClientFactory()
    declared, other = invoice(customer), invoice(customer)
    declaration = _declare(declared)

    services.transfer_declaration_record(declaration=declaration, actor=None, now=NOW)

    assert _tab(client, customer) == {
        "rows": {declared.number: "", other.number: ""},
        "owed": ["€120.00"],
        "declared": [],
    }


def test_marked_not_received_the_invoice_is_plainly_to_pay_and_may_be_declared_again(
    client,
):
    customer = ClientFactory()
    declared = invoice(customer)
    declaration = _declare(declared)
    sign_in(client, customer.company)

    response = client.post(f"{DECLARED_URL}{declaration.pk}/reject/", follow=True)
    again = client.post(f"{DECLARED_URL}{declaration.pk}/reject/", follow=True)
    record = client.post(f"{DECLARED_URL}{declaration.pk}/record/", follow=True)
    client.logout()
    after_rejection = _tab(client, customer)
    second = _declare(declared, now=DECEMBER_3 + dt.timedelta(days=2))

    assert any("marked as not received" in m for m in messages_of(response))
    assert any("rejected already" in m for m in messages_of(again))
    assert any("was rejected" in m for m in messages_of(record))
    assert after_rejection == {
        "rows": {declared.number: ""},
        "owed": ["€120.00"],
        "declared": [],
    }
    assert second.pk != declaration.pk
    assert _tab(client, customer)["rows"][declared.number] == (
        "Transfer declared on Dec 5, awaiting confirmation"
    )
    assert not Payment.objects.for_company(customer.company).exists()
    declaration.refresh_from_db()
    assert declaration.rejected_at is not None


def test_reporting_may_not_mark_a_transfer_as_not_received(client):
    customer = ClientFactory()
    declaration = _declare(invoice(customer))
    sign_in(client, customer.company, role="reporting")

    response = client.post(f"{DECLARED_URL}{declaration.pk}/reject/")

    assert response.status_code == 403
    declaration.refresh_from_db()
    assert declaration.rejected_at is None


def test_another_companys_declaration_cannot_be_rejected(client):
    declaration = _declare(invoice(ClientFactory()))
    sign_in(client, ClientFactory().company)

    response = client.post(f"{DECLARED_URL}{declaration.pk}/reject/")

    assert response.status_code == 404
    assert (
        TransferDeclaration.objects.for_company(declaration.company).waiting().count()
        == 1
    )


def test_the_declared_part_never_shows_on_a_paid_invoice(client):
    customer = ClientFactory()
    declared = invoice(customer)
    _declare(declared)
    services.payment_record(
        invoice=declared,
        amount=Decimal("120.00"),
        method="manual",
        actor=None,
        now=NOW,
    )

    tab = _tab(client, customer)
    assert (tab["rows"][declared.number], tab["declared"]) == ("", [])

"""Amounts and dates in the payments back office, in the member's language."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from payments.services import payment_record, refund_record, transfer_declare
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 3, 3, 13, 5, tzinfo=dt.UTC)  # 14:05 in Paris


def text_of(html: str) -> str:
    # Only ASCII blanks fold: the no-break spaces of the formats must stay.
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def results(page: str) -> str:
    return text_of(page.split('id="result_list"')[1].split("</table>")[0])


@pytest.fixture
def payment(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    invoice = DocumentFactory(
        client=customer,
        finalised=True,
        lines=[line(unit_price="2000.00")],  # 2400.00
    )
    payment = payment_record(
        invoice=invoice,
        amount=Decimal("2123.28"),
        method="manual",
        actor=None,
        now=NOW + dt.timedelta(days=1),
        received_at=RECEIVED,
    )
    refund_record(
        payment=payment,
        amount=Decimal("1000.50"),
        actor=None,
        now=NOW + dt.timedelta(days=2),
    )
    return payment


@pytest.mark.parametrize(
    ("language", "amount", "refunded", "received"),
    [
        ("en", "€2,123.28", "€1,000.50", "3 Mar 2026, 14:05"),
        ("fr", "2\u202f123,28\u00a0€", "1\u202f000,50\u00a0€", "3 mars 2026, 14:05"),
    ],
)
def test_the_payments_list_formats_amounts_and_dates(
    client, payment, language, amount, refunded, received
):
    page = client.get(
        "/admin/payments/payment/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    row = results(page)
    assert f"{received} {payment.invoice.number} {amount}" in row
    assert refunded in row
    assert "2123.28" not in page


def test_the_payment_page_and_its_refunds_are_formatted_in_french(client, payment):
    page = client.get(
        f"/admin/payments/payment/{payment.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    # The title, the breadcrumbs, the read-only fields and the refunds inline.
    assert f"2\u202f123,28\u00a0€ — {payment.invoice.number}" in page
    assert "1\u202f000,50\u00a0€" in page
    assert "3 mars 2026, 14:05" in page
    assert "2123.28" not in page and "1000.50" not in page


def test_the_refunds_list_and_the_refund_form_are_formatted(client, payment):
    refunds = client.get(
        "/admin/payments/refund/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    too_much = client.post(
        f"/admin/payments/payment/{payment.pk}/refund/",
        {"amount": "5000.00"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert "1\u202f000,50\u00a0€" in results(refunds)
    assert too_much.status_code == 200
    assert "(1\u202f122,78\u00a0€)" in too_much.content.decode()


def test_declared_transfers_show_the_amount_and_days_formatted(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(
        client=ClientFactory(company=company),
        finalised=True,
        lines=[line(unit_price="1769.40")],  # 2123.28
    )
    transfer_declare(
        invoice=invoice,
        client_name="Café des Arts",
        paid_on_date=dt.date(2026, 3, 2),
        now=RECEIVED,
    )

    page = client.get(
        "/admin/payments/transferdeclaration/?state=waiting",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "3 Mar 2026, 14:05" in results(page)
    assert "€2,123.28 2 Mar 2026" in results(page)

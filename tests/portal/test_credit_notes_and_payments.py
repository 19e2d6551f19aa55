"""The portal once credit notes and payments meet: a credit note is never
payable; an invoice shows what is left to pay, or what is owed back to the
client; the list and the document page say the same."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from documents import services
from payments.services import payment_record
from tests.factories import NOW
from tests.payments import fake_stripe
from tests.payments.helpers import payable_invoice
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


def page(client, portal, document) -> str:
    response = client.get(url("document", portal, document_id=document.pk))
    assert response.status_code == 200
    return response.content.decode()


def row(client, portal, document) -> str:
    response = client.get(url("invoices", portal))
    assert response.status_code == 200
    html = response.content.decode()
    return html.split(f'data-document-id="{document.pk}"')[1].split("</tr>")[0]


def paid(invoice, amount: str) -> None:
    payment_record(
        invoice=invoice,
        amount=Decimal(amount),
        method="transfer",
        actor=None,
        now=NOW,
    )


def credit(invoice, amount: str):
    return services.invoice_credit_partly(
        invoice=invoice, amount=Decimal(amount), reason="", actor=None, now=LATER
    )


def test_a_credit_note_page_offers_no_payment_at_all(client, stripe_fake):
    invoice = payable_invoice()  # Stripe connected, IBAN on the invoice
    portal = invoice.client
    credit_note = credit(invoice, "20.00")
    assert 'id="pay-form"' in page(client, portal, invoice)  # still payable

    html = page(client, portal, credit_note)

    for absent in (
        'id="pay-form"',
        'id="bank-transfer"',
        'id="epc-qr"',
        'id="document-balance"',
        "Left to pay",
        'id="declare-form"',
    ):
        assert absent not in html, absent
    assert 'id="document-status">Credit note</span>' in html
    assert 'id="download-xml"' in html
    assert f'href="{url("invoices", portal)}" id="back-to-list"' in html
    invoice_url = url("document", portal, document_id=invoice.pk)
    assert f'<a href="{invoice_url}">Invoice INV-2026-0001</a>' in html


def test_a_partly_credited_invoice_asks_for_what_is_left_everywhere(
    client, stripe_fake
):
    invoice = payable_invoice()  # 120.00
    portal = invoice.client
    credit(invoice, "20.00")

    html = page(client, portal, invoice)
    listed = row(client, portal, invoice)

    assert re.search(r'id="pay-button"[^>]*>Pay €100\.00</button>', html)
    assert '<dd id="transfer-amount" data-copy="100.00">€100.00</dd>' in html
    assert '<dt>Left to pay</dt><dd id="amount-due">€100.00</dd>' in html
    assert "€100.00 left to pay" in listed
    assert "€120.00" in listed  # the invoice's own total


def test_a_paid_invoice_credited_afterwards_shows_money_owed_back(client, stripe_fake):
    invoice = payable_invoice()  # 120.00
    portal = invoice.client
    paid(invoice, "120.00")
    credit(invoice, "30.00")

    html = page(client, portal, invoice)
    listed = row(client, portal, invoice)

    assert 'id="document-status">Paid</span>' in html
    assert '<dt>Owed back to you</dt><dd id="amount-owed-back">€30.00</dd>' in html
    assert "Left to pay" not in html
    assert 'data-notice="credited"' in html
    assert "owes you €30.00 and will refund it to you" in html
    assert 'id="pay-form"' not in html
    assert 'id="bank-transfer"' not in html
    assert "€30.00 owed back to you" in listed
    assert "left to pay" not in listed
    history = html.split('id="history"')[1]
    assert (
        '<span class="history__detail">CN-2026-0001 — €30.00 '
        "(€30.00 owed back to you)</span>" in history
    )


def test_an_invoice_credited_whole_after_a_payment_reads_canceled_and_owed_back(
    client, stripe_fake
):
    invoice = payable_invoice()
    portal = invoice.client
    paid(invoice, "50.00")
    credit(invoice, "120.00")

    html = page(client, portal, invoice)
    listed = row(client, portal, invoice)

    assert 'id="document-status">Canceled</span>' in html
    assert '<dd id="amount-owed-back">€50.00</dd>' in html
    assert '<dd id="document-credited">€120.00</dd>' in html
    assert "€50.00 owed back to you" in listed
    assert 'data-status="canceled"' in listed


def test_an_overpaid_invoice_keeps_its_own_notice(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    payment_record(
        invoice=invoice,
        amount=Decimal("150.00"),
        method="transfer",
        actor=None,
        now=NOW,
        allow_overpayment=True,
    )

    html = page(client, portal, invoice)

    assert "You paid €30.00 more than this invoice asked for." in html
    assert 'data-notice="credited"' not in html
    assert '<dd id="amount-owed-back">€30.00</dd>' in html

"""An invoice to pay leads with paying, and loses nothing without JavaScript:
the amount due, the due date and one primary action come before the document
and its downloads; the transfer details are plain text (copy buttons are the
script's); the QR code is behind its toggle, in the page."""

import re

import pytest
from django.test import Client as HttpClient

from tests.factories import ClientFactory
from tests.payments import fake_stripe
from tests.payments.helpers import connect
from tests.portal.helpers import invoice, quote, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


def _page(http: HttpClient, document) -> str:
    return http.get(
        url("document", document.client, document_id=document.pk)
    ).content.decode()


def _order(html: str, *ids: str) -> list[int]:
    return [html.index(f'id="{element}"') for element in ids]


def test_an_invoice_to_pay_leads_with_the_amount_the_date_and_one_pay(client):
    bill = invoice(ClientFactory())
    html = _page(client, bill)

    positions = _order(
        html,
        "pay-panel",
        "pay-amount-due",
        "pay-due-date",
        "pay-by-transfer",
        "bank-transfer",
        "download-pdf",
        "document-body",
    )
    assert positions == sorted(positions)
    assert re.search(r'id="pay-amount-due">€120.00<', html)
    assert re.search(r'id="pay-due-date"><time datetime="2026-03-31">', html)
    # One primary action: the rest are secondary.
    assert re.findall(r'class="button"[^>]*id="([a-z-]+)"', html) == ["pay-by-transfer"]
    assert 'class="button button--secondary" id="download-pdf"' in html


def test_with_card_payments_pay_is_the_one_primary_action(client, stripe_fake):
    bill = invoice(ClientFactory())
    connect(bill.company)

    html = _page(client, bill)

    assert 'id="pay-button"' in html
    assert html.index('id="pay-button"') < html.index('id="bank-transfer"')
    assert 'id="pay-by-transfer"' not in html


def test_without_javascript_the_details_are_plain_text_and_the_qr_is_in_the_page(
    client,
):
    html = _page(client, invoice(ClientFactory()))

    assert "copy-button" not in html  # the script adds them
    assert re.search(r'id="transfer-iban" data-copy="FR\d+">FR', html)
    assert '<details class="transfer__qr" id="epc-qr-toggle">' in html
    assert '<summary id="epc-qr-summary">Pay from another device</summary>' in html
    assert "<svg" in html.split('id="epc-qr-toggle"')[1]
    assert '/static/portal/copy.js" defer></script>' in html


def test_a_paid_invoice_has_no_pay_panel_and_its_pdf_is_still_secondary(client):
    bill = invoice(ClientFactory(), status="paid")
    html = _page(client, bill)

    assert 'id="pay-panel"' not in html
    assert 'id="bank-transfer"' not in html
    assert 'class="button button--secondary" id="download-pdf"' in html


def test_a_quote_keeps_its_download_as_it_was(client):
    html = _page(client, quote(ClientFactory()))

    assert 'class="button" id="download-pdf"' in html
    assert 'id="pay-panel"' not in html

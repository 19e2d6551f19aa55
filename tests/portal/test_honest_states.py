"""What the invoice page says after paying never contradicts the invoice:
the notice in the address (the way back from Checkout, Back, a live update
fetching the page again) is read against the server's current state."""

import re

import pytest

from payments.services import invoice_mark_paid
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

NOTICES = ("paid", "processing", "open", "unconfirmed", "canceled")


def _said(client, document, query: str) -> dict:
    html = client.get(
        url("document", document.client, document_id=document.pk) + query
    ).content.decode()
    return {
        "notice": re.findall(r'id="payment-notice" data-notice="([a-z]+)"', html),
        "processing": 'id="payment-processing"' in html,
        "declared": 'id="declared-notice"' in html,
        "status": re.findall(r'id="document-status">([^<]+)<', html),
    }


@pytest.mark.parametrize("notice", NOTICES)
def test_a_paid_invoice_only_ever_says_it_is_paid(client, notice):
    paid = invoice(ClientFactory(), status="paid")

    assert _said(client, paid, f"?checkout={notice}") == {
        "notice": ["paid"],
        "processing": False,
        "declared": False,
        "status": ["Paid"],
    }


def test_back_to_a_canceled_checkout_after_paying_shows_the_payment(client):
    """Cancel once, pay, then Back: the page of the canceled attempt now says
    the invoice is paid, not "Payment canceled: nothing was charged"."""
    bill = invoice(ClientFactory())
    before = _said(client, bill, "?checkout=canceled")
    invoice_mark_paid(invoice=bill, actor=None, now=NOW)
    paid_after = _said(client, bill, "?checkout=canceled")

    assert before["notice"] == ["canceled"]
    assert paid_after["notice"] == ["paid"]


@pytest.mark.parametrize("notice", ["open", "canceled", "unconfirmed"])
def test_a_processing_payment_is_never_called_canceled_or_unmade(client, notice):
    debit = invoice(ClientFactory(), status="processing")

    assert _said(client, debit, f"?checkout={notice}") == {
        "notice": ["processing"],
        "processing": False,  # said once, by the notice itself
        "declared": False,
        "status": ["Processing"],
    }


@pytest.mark.parametrize("notice", NOTICES)
def test_an_open_invoice_says_what_the_return_said(client, notice):
    bill = invoice(ClientFactory())

    assert _said(client, bill, f"?checkout={notice}")["notice"] == [notice]


def test_a_canceled_invoice_says_nothing_of_paying(client):
    canceled = invoice(ClientFactory(), status="canceled")

    said = _said(client, canceled, "?checkout=open&declared=1")
    assert (said["notice"], said["declared"]) == ([], False)


def test_a_declared_transfer_banner_leaves_once_the_invoice_is_paid(client):
    open_bill = invoice(ClientFactory())
    paid = invoice(ClientFactory(), status="paid")

    assert _said(client, open_bill, "?declared=1")["declared"] is True
    assert _said(client, paid, "?declared=1")["declared"] is False


def test_an_unknown_notice_says_nothing(client):
    bill = invoice(ClientFactory())

    assert _said(client, bill, "?checkout=<script>")["notice"] == []

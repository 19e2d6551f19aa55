"""What the invoices tab opens with: what the client owes, and how much of it is
overdue, per currency, by the rules of `documents.status`."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine

from documents import services
from payments.services import payment_record, refund_record
from portal import selectors
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import hide, invoice, quote, url

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 15)
LATER = NOW + dt.timedelta(days=1)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        yield


def paid(document, amount: str):
    return payment_record(
        invoice=document, amount=Decimal(amount), method="transfer", actor=None, now=NOW
    )


def figures(html: str, figure: str) -> list[str]:
    block = html.split(f'id="balance-{figure}"')[1].split("</div>")[0]
    return re.findall(
        r'<span class="balance__amount" data-currency="\w+">([^<]+)<', block
    )


@pytest.fixture
def owing(today):
    """A client with every case the total must get right (each invoice 120.00)."""
    portal = ClientFactory(locale="fr")
    invoice(portal, due_date=D(2026, 4, 1))  # to pay, not late: 120
    partly = invoice(portal, due_date=D(2026, 3, 1))  # overdue, 10 paid: 110
    paid(partly, "10.00")
    refunded = invoice(portal, due_date=D(2026, 4, 1))  # 50 paid, 20 given back: 90
    refund_record(
        payment=paid(refunded, "50.00"), amount=Decimal("20.00"), actor=None, now=LATER
    )
    credited = invoice(portal, due_date=D(2026, 3, 10))  # overdue, 30 credited: 90
    services.invoice_credit_partly(
        invoice=credited, amount=Decimal("30.00"), reason="", actor=None, now=LATER
    )
    invoice(portal, due_date=D(2026, 3, 1), currency="USD")  # overdue: $120
    # None of these is owed: paid, canceled, processing (counted apart), hidden,
    # a quote, a draft, another client's.
    invoice(portal, due_date=D(2026, 3, 1), status="paid")
    invoice(portal, due_date=D(2026, 3, 1), status="canceled")
    invoice(portal, due_date=D(2026, 3, 1), status="processing")
    hide(invoice(portal, due_date=D(2026, 3, 1)))
    quote(portal)
    invoice(ClientFactory(company=portal.company), due_date=D(2026, 3, 1))
    return portal


def test_the_balance_follows_the_status_rules_per_currency(
    owing, django_assert_num_queries
):
    with django_assert_num_queries(1):
        balance = selectors.portal_balance(client=owing, today=TODAY)
    with django_assert_num_queries(0):  # cached until the portal changes
        again = selectors.portal_balance(client=owing, today=TODAY)

    assert (
        balance
        == again
        == [
            {
                "currency": "EUR",
                "owed": Decimal("410.00"),  # 120 + 110 + 90 + 90
                "owed_count": 4,
                "overdue": Decimal("200.00"),  # 110 + 90
                "overdue_count": 2,
                "processing": Decimal("120.00"),
                "processing_count": 1,
            },
            {
                "currency": "USD",
                "owed": Decimal("120.00"),
                "owed_count": 1,
                "overdue": Decimal("120.00"),
                "overdue_count": 1,
                "processing": Decimal("0.00"),
                "processing_count": 0,
            },
        ]
    )


def test_the_invoices_tab_opens_with_the_balance_in_the_clients_language(client, owing):
    html = client.get(url("invoices", owing)).content.decode()

    assert html.index('id="balance"') < html.index('id="filter-form"')
    assert figures(html, "owed") == ["410,00\xa0€", "120,00\xa0$US"]
    assert figures(html, "overdue") == ["200,00\xa0€", "120,00\xa0$US"]
    assert figures(html, "processing") == ["120,00\xa0€"]
    overdue_link = f'href="{url("invoices", owing)}?status=overdue"'
    assert f'{overdue_link} id="balance-overdue-link">3 factures en retard</a>' in html
    assert "Total à payer" in html
    # The quotes tab has no balance.
    quotes = client.get(url("quotes", owing)).content.decode()
    assert 'id="balance' not in quotes


def test_a_payment_moves_the_balance_at_once(client, today):
    portal = ClientFactory()
    bill = invoice(portal, due_date=D(2026, 3, 1))
    before = client.get(url("invoices", portal)).content.decode()

    paid(bill, "120.00")
    after = client.get(url("invoices", portal)).content.decode()

    assert figures(before, "owed") == ["€120.00"]
    assert figures(before, "overdue") == ["€120.00"]
    assert 'id="balance-owed"' not in after
    assert '<p class="balance balance--settled" id="balance-settled">' in after
    assert "You have nothing left to pay." in after


def test_no_invoice_no_balance(client, today):
    portal = ClientFactory()

    html = client.get(url("invoices", portal)).content.decode()

    assert 'id="balance' not in html
    assert "You have no invoices yet." in html


def test_a_partly_paid_invoice_shows_what_is_left_under_its_total(client, today):
    portal = ClientFactory(locale="fr")
    bill = invoice(portal, due_date=D(2026, 4, 1))
    paid(bill, "45.50")
    whole = invoice(portal, due_date=D(2026, 4, 2))

    html = client.get(url("invoices", portal)).content.decode()

    row = html.split(f'data-number="{bill.number}"')[1].split("</tr>")[0]
    assert re.search(
        r'<td data-label="Montant" class="numeric"><span class="amount-cell">'
        r'<span class="row-total">120,00\xa0€</span>'
        r'<span class="row-due" data-amount-due>74,50\xa0€ restant à payer</span>',
        row,
    )
    assert "Partiellement payée" in row
    untouched = html.split(f'data-number="{whole.number}"')[1].split("</tr>")[0]
    assert "data-amount-due" not in untouched

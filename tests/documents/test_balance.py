"""One rule for what a client owes and what of it is late: the portal, the
client's page in the back office and the dashboard read the same figures, and
each invoice's status agrees with them."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from backoffice.client_page import balance_rows
from backoffice.home import receivables_figures
from documents import services, status
from documents.models import Document
from documents.selectors import ageing, balance, client_balance
from payments.services import payment_record, refund_record, transfer_declare
from portal import selectors as portal_selectors
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 15)
LATER = NOW + dt.timedelta(days=1)
OLD = D(2025, 12, 1)


def paid(document, amount: str):
    return payment_record(
        invoice=document, amount=Decimal(amount), method="transfer", actor=None, now=NOW
    )


@pytest.fixture
def client_with_every_case():
    """Every invoice 120.00, all visible in the portal, one client."""
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        owing = ClientFactory(locale="en")
        invoice(owing, due_date=D(2026, 4, 1))  # to pay, not due: 120
        invoice(owing, due_date=D(2026, 3, 15))  # due today, not late: 120
        partly = invoice(owing, due_date=D(2026, 3, 1))  # late, 10 paid: 110
        paid(partly, "10.00")
        refunded = invoice(owing, due_date=D(2026, 4, 1))  # 50 in, 20 back: 90
        refund_record(
            payment=paid(refunded, "50.00"),
            amount=Decimal("20.00"),
            actor=None,
            now=LATER,
        )
        credited = invoice(owing, due_date=D(2026, 3, 10))  # late, 30 off: 90
        services.invoice_credit_partly(
            invoice=credited, amount=Decimal("30.00"), reason="", actor=None, now=LATER
        )
        declared = invoice(owing, due_date=D(2026, 3, 1))  # late, declared: 120
        transfer_declare(
            invoice=declared, client_name="Café", paid_on_date=None, now=LATER
        )
        invoice(owing, due_date=D(2026, 3, 1), currency="USD")  # late: $120
        # Processing (neither owed nor late, counted apart), paid and canceled.
        invoice(owing, due_date=D(2026, 3, 1), status="processing")
        invoice(owing, due_date=D(2026, 3, 1), status="paid")
        invoice(owing, due_date=D(2026, 3, 1), status="canceled")
        yield owing


def test_the_portal_and_the_back_office_read_the_same_balance(
    client_with_every_case,
):
    owing = client_with_every_case
    everything = Document.objects.for_company(owing.company)

    expected = [
        {
            "currency": "EUR",
            "owed": Decimal("650.00"),  # 120 + 120 + 110 + 90 + 90 + 120
            "owed_count": 6,
            "overdue": Decimal("320.00"),  # 110 + 90 + 120
            "overdue_count": 3,
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
    assert client_balance(client=owing, today=TODAY) == expected
    assert balance(everything, today=TODAY) == expected
    assert portal_selectors.portal_balance(client=owing, today=TODAY) == expected


def test_each_invoices_status_adds_up_to_the_balance(client_with_every_case):
    owing = client_with_every_case
    invoices = list(
        status.with_client_status(
            Document.objects.for_company(owing.company).filter(kind="invoice"), TODAY
        )
    )

    def total(shown: set[str], currency: str = "EUR") -> Decimal:
        return sum(
            (
                document.amount_due
                for document in invoices
                if document.currency == currency
                and status.client_status(document, TODAY) in shown
            ),
            Decimal(0),
        )

    # The SQL and the Python rule agree on every invoice of the case.
    assert [d.client_status for d in invoices] == [
        status.client_status(d, TODAY) for d in invoices
    ]
    assert total({"to_pay", "overdue", "partially_paid"}) == Decimal("650.00")
    assert total({"overdue"}) == Decimal("320.00")
    assert total({"overdue"}, "USD") == Decimal("120.00")


def test_the_dashboard_and_the_clients_page_show_those_figures(
    client_with_every_case,
):
    owing = client_with_every_case

    figures = receivables_figures(owing.company, TODAY)
    rows = balance_rows(client=owing)

    assert (figures["outstanding"]["amounts"], figures["outstanding"]["count"]) == (
        ["€650.00", "$120.00"],
        7,
    )
    assert (figures["overdue"]["amounts"], figures["overdue"]["count"]) == (
        ["€320.00", "$120.00"],
        4,
    )
    assert (figures["processing"]["amounts"], figures["processing"]["count"]) == (
        ["€120.00"],
        1,
    )
    assert rows == [
        {
            "currency": "EUR",
            "owed": "€650.00",
            "overdue": "€320.00",
            "processing": "€120.00",
        },
        {
            "currency": "USD",
            "owed": "$120.00",
            "overdue": "$120.00",
            "processing": "",
        },
    ]


def test_the_ageing_splits_what_is_owed_by_days_past_due(client_with_every_case):
    owing = client_with_every_case
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        invoice(owing, issue_date=OLD, due_date=D(2026, 2, 13))  # 30 days late: 120
        invoice(owing, issue_date=OLD, due_date=D(2026, 2, 12))  # 31 days late: 120
        invoice(owing, issue_date=OLD, due_date=D(2026, 1, 14))  # 60 days late: 120
        invoice(owing, issue_date=OLD, due_date=D(2025, 12, 15))  # 90 days late: 120
        invoice(owing, issue_date=OLD, due_date=D(2025, 12, 14))  # 91 days late: 120
        invoice(owing, due_date=None)  # no due date: not due, 120
    everything = Document.objects.for_company(owing.company)

    rows = ageing(everything, today=TODAY)

    assert rows == [
        {
            "currency": "EUR",
            # 120 + 120 + 90 (refunded) + 120 (no due date)
            "not_due": Decimal("450.00"),
            # 110 (14 days) + 90 (5 days) + 120 (declared, 14 days) + 120 (30)
            "days_1_30": Decimal("440.00"),
            "days_31_60": Decimal("240.00"),
            "days_61_90": Decimal("120.00"),
            "days_over_90": Decimal("120.00"),
            "total": Decimal("1370.00"),
        },
        {
            "currency": "USD",
            "not_due": Decimal("0.00"),
            "days_1_30": Decimal("120.00"),
            "days_31_60": Decimal("0.00"),
            "days_61_90": Decimal("0.00"),
            "days_over_90": Decimal("0.00"),
            "total": Decimal("120.00"),
        },
    ]
    assert [row["total"] for row in rows] == [
        line["owed"] for line in balance(everything, today=TODAY)
    ]

"""The statement of account: its figures agree with the one balance rule
(`documents.selectors.balance` and `ageing`) on every case, its page and PDF
are the client's, a bad period is a form error, and its queries are bounded."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from documents import services
from documents.selectors import ageing, balance
from payments.services import payment_record, refund_record
from portal.selectors import portal_documents
from portal.selectors.statement import portal_statement
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import invoice, url

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


def credit(document, amount: str):
    return services.invoice_credit_partly(
        invoice=document, amount=Decimal(amount), reason="", actor=None, now=NOW
    )


@pytest.fixture
def owing(today):
    """Every case the statement must get right (each invoice 120.00)."""
    customer = ClientFactory(locale="fr")
    invoice(customer, issue_date=D(2026, 1, 5), due_date=D(2026, 4, 1))  # 120
    partly = invoice(customer, issue_date=D(2026, 1, 10), due_date=D(2026, 1, 20))
    paid(partly, "10.00")  # 110, 54 days late
    refunded = invoice(customer, issue_date=D(2026, 2, 1), due_date=D(2026, 4, 1))
    refund_record(
        payment=paid(refunded, "50.00"), amount=Decimal("20.00"), actor=None, now=LATER
    )  # 90
    credited = invoice(customer, issue_date=D(2026, 2, 10), due_date=D(2026, 3, 10))
    credit(credited, "30.00")  # 90, 5 days late
    settled = invoice(customer, issue_date=D(2025, 10, 1), due_date=D(2025, 10, 31))
    paid(settled, "120.00")  # paid: 0
    invoice(
        customer, issue_date=D(2025, 11, 1), due_date=D(2025, 11, 10), currency="USD"
    )  # $120, 125 days late
    return customer


def _closing(statement) -> dict[str, Decimal]:
    return {line.currency: line.closing for line in statement.currencies}


def _owed(customer) -> dict[str, Decimal]:
    return {
        line["currency"]: line["owed"]
        for line in balance(portal_documents(client=customer), today=TODAY)
    }


def test_the_open_items_close_on_the_balance_selectors_owed(owing):
    statement = portal_statement(client=owing, today=TODAY)

    assert _closing(statement) == _owed(owing)
    assert _closing(statement) == {"EUR": Decimal("410.00"), "USD": Decimal("120.00")}
    # The paid invoice is no open item: not listed.
    invoices = [
        entry
        for line in statement.currencies
        for entry in line.entries
        if entry.kind == "invoice"
    ]
    assert len(invoices) == 5
    assert all(line.opening == 0 for line in statement.currencies)


def test_the_ageing_is_the_ageing_selectors(owing):
    statement = portal_statement(client=owing, today=TODAY)

    expected = ageing(portal_documents(client=owing), today=TODAY)
    assert [line.ageing for line in statement.currencies] == expected
    eur = statement.currencies[0].ageing
    assert (eur["not_due"], eur["days_1_30"], eur["days_31_60"]) == (
        Decimal("210.00"),
        Decimal("90.00"),
        Decimal("110.00"),
    )
    assert statement.currencies[1].ageing["days_over_90"] == Decimal("120.00")


def test_a_period_to_today_closes_on_the_balance_and_moves_in_date_order(owing):
    statement = portal_statement(client=owing, today=TODAY, start=D(2000, 1, 1))

    assert _closing(statement) == _owed(owing)
    eur = statement.currencies[0]
    days = [entry.day for entry in eur.entries]
    assert days == sorted(days)
    kinds = [entry.kind for entry in eur.entries]
    assert kinds.count("invoice") == 5
    assert kinds.count("credit_note") == 1
    assert kinds.count("payment") == 3
    assert kinds.count("refund") == 1
    # The running balance ends on the closing balance, and adds up.
    assert eur.entries[-1].balance == eur.closing
    assert eur.invoiced - eur.credited - eur.paid + eur.refunded == eur.closing


def test_the_opening_balance_carries_what_came_before(owing):
    whole = portal_statement(client=owing, today=TODAY, start=D(2000, 1, 1))
    later = portal_statement(client=owing, today=TODAY, start=D(2026, 1, 1))

    # The 2025 invoice was still owed on 1 January: paid in the period.
    assert later.currencies[0].opening == Decimal("120.00")
    assert Decimal("-120.00") in [entry.amount for entry in later.currencies[0].entries]
    assert later.currencies[1].opening == Decimal("120.00")  # the USD one is older
    assert later.currencies[1].entries == []
    assert _closing(later) == _closing(whole)


def test_a_period_in_the_past_stops_at_its_end(owing):
    statement = portal_statement(
        client=owing, today=TODAY, start=D(2026, 1, 1), end=D(2026, 1, 31)
    )

    eur = statement.currencies[0]
    assert [entry.kind for entry in eur.entries] == ["invoice", "invoice"]
    assert eur.opening == Decimal("120.00")  # the 2025 invoice, paid in March
    assert eur.closing == Decimal("360.00")  # the payments came in March


def test_the_invoices_tab_links_to_the_statement(client, owing):
    html = client.get(url("invoices", owing)).content.decode()

    link = re.search(r'<a href="([^"]+)" id="statement-link">', html)[1]
    assert "statement" in link
    assert client.get(link).status_code == 200


def test_the_page_is_in_the_clients_language_with_its_totals(client, owing):
    response = client.get(url("statement", owing))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Relevé de compte" in html
    closing = re.findall(r"data-closing><strong>([^<]+)<", html)
    assert closing == ["410,00\u00a0€", "120,00\u00a0$US"]
    assert 'data-bucket="days_over_90">120,00\u00a0$US' in html


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"start": "2026-03-01", "end": "2026-01-01"}, "statement-errors"),
        ({"start": "not a date"}, "start-error"),
        ({"end": "2026-02-30"}, "end-error"),
        ({"start": "0001-01-01"}, "start-error"),
    ],
)
def test_a_bad_period_is_the_form_with_its_error(client, owing, query, error):
    page = client.get(url("statement", owing), query)
    pdf = client.get(url("statement_pdf", owing), query)

    assert page.status_code == pdf.status_code == 400
    assert f'id="{error}"' in page.content.decode()
    assert f'id="{error}"' in pdf.content.decode()


def test_the_pdf_reads_back_with_the_figures(client, owing):
    response = client.get(url("statement_pdf", owing), {"start": "2025-01-01"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Relevé de compte" in text
    assert "Solde d’ouverture" in text or "Solde d'ouverture" in text
    assert "410,00" in text
    assert "120,00" in text
    assert owing.name in text


def test_a_members_preview_may_view_it(client, owing):
    sign_in(client, owing.company)

    assert client.get(url("statement", owing)).status_code == 200
    assert client.get(url("statement_pdf", owing)).status_code == 200


def _queries(client, customer) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("statement", customer), {"start": "2000-01-01"})
    assert response.status_code == 200
    return len(queries)


def test_the_queries_do_not_grow_with_the_documents(client, today):
    few, many = ClientFactory(), ClientFactory()
    for customer, count in ((few, 10), (many, 200)):
        for number in range(count):
            document = invoice(customer, issue_date=D(2026, 1, 1), due_date=TODAY)
            if number % 3 == 0:
                paid(document, "5.00")

    assert _queries(client, few) == _queries(client, many)


def test_a_period_too_long_to_print_says_so_on_the_page(client, owing, settings):
    # A limit no render meets: the real engine runs out of time.
    settings.PDF_RENDER_TIME_LIMIT_SECONDS = 0.001

    response = client.get(url("statement_pdf", owing), {"start": "2000-01-01"})

    html = response.content.decode()
    assert response.status_code == 503
    assert 'id="statement-errors"' in html
    assert "trop d’opérations" in html

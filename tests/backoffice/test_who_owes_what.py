"""Who owes what: the ageing report agreeing with the balance rule, its
drill-down, the client list's balance column, the invoices by client, and the
payment form's invoice picker."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from documents.models import Document
from documents.selectors import ageing, balance
from payments.services import payment_record
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)  # 1 June 2026
AGEING_URL = "/admin/documents/invoice/ageing/"


@pytest.fixture
def books():
    company = CompanyFactory()
    café = ClientFactory(company=company, name="Café des Arts")
    harbor = ClientFactory(company=company, name="Harbor")
    invoices = {
        # due 1 April: 61 days late on 1 June
        "old": DocumentFactory(client=café, finalised=True),
        # due 15 May: 17 days late
        "recent": DocumentFactory(
            client=café, due_date=dt.date(2026, 5, 15), finalised=True
        ),
        # due 20 June: not yet due
        "future": DocumentFactory(
            client=harbor, due_date=dt.date(2026, 6, 20), finalised=True
        ),
        # in dollars, due 1 April
        "dollars": DocumentFactory(client=harbor, currency="USD", finalised=True),
    }
    payment_record(
        invoice=invoices["recent"],
        amount=Decimal("20.00"),
        method="transfer",
        actor=None,
        now=NOW,
    )
    DocumentFactory(finalised=True)  # another company's
    return {"company": company, "café": café, "harbor": harbor, **invoices}


def test_the_ageing_agrees_with_the_balance_rule(books):
    documents = Document.objects.for_company(books["company"])
    today = TODAY.date()

    rows = {row["currency"]: row for row in ageing(documents, today=today)}
    owed = {row["currency"]: row["owed"] for row in balance(documents, today=today)}

    assert {currency: row["total"] for currency, row in rows.items()} == owed
    assert rows["EUR"]["days_61_90"] == Decimal("120.00")
    assert rows["EUR"]["days_1_30"] == Decimal("100.00")
    assert rows["EUR"]["not_due"] == Decimal("120.00")
    assert rows["USD"]["days_61_90"] == Decimal("120.00")


def test_the_ageing_report_links_each_amount_to_its_invoices(client, books):
    sign_in(client, books["company"], role="reporting")

    with time_machine.travel(TODAY, tick=False):
        page = client.get(AGEING_URL)
        (eur,) = [row for row in page.context["report"] if row["currency"] == "EUR"]
        cell = {cell["bucket"]: cell for cell in eur["cells"]}["days_1_30"]
        drilled = client.get(cell["url"])

    assert page.status_code == 200
    assert cell["amount"] == "€100.00"
    assert [doc.pk for doc in drilled.context["cl"].result_list] == [books["recent"].pk]


def test_a_manager_may_not_see_the_ageing_report(client, books):
    sign_in(client, books["company"], role="manager")

    assert client.get(AGEING_URL).status_code == 403


def test_the_client_list_shows_what_each_owes_and_sorts_by_it(client, books):
    sign_in(client, books["company"])

    with time_machine.travel(TODAY, tick=False):
        page = client.get("/admin/clients/client/", {"o": "-5"})

    rows = list(page.context["cl"].result_list)
    assert [c.name for c in rows] == ["Café des Arts", "Harbor"]
    café = rows[0]
    assert (café.owed, café.overdue, café.owed_currency) == (
        Decimal("220.00"),
        Decimal("220.00"),
        "EUR",
    )
    html = page.content.decode()
    assert "€220.00 (€220.00 overdue)" in html
    assert "in several currencies" in html  # Harbor: euros and dollars


def test_the_invoices_list_filters_by_client(client, books):
    sign_in(client, books["company"])
    stranger = Document.objects.exclude(company=books["company"]).get()

    mine = client.get("/admin/documents/invoice/", {"client": books["café"].pk})
    foreign = client.get("/admin/documents/invoice/", {"client": stranger.client_id})

    assert sorted(doc.pk for doc in mine.context["cl"].result_list) == sorted(
        [books["old"].pk, books["recent"].pk]
    )
    assert list(foreign.context["cl"].result_list) == []


def test_the_payment_form_picks_invoices_by_client_number_and_amount_due(client, books):
    sign_in(client, books["company"])

    page = client.get("/admin/payments/payment/add/")

    choices = [
        label
        for _value, label in page.context["adminform"].form.fields["invoice"].choices
    ]
    assert f"{books['recent'].number} · Café des Arts · €100.00 due" in choices

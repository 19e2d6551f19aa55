"""The back office's home page: the active company's receivables dashboard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import events
from payments.services import card_payment_settle, payment_record
from signing.services import quote_decline
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db

FUTURE = dt.date(2099, 1, 1)


def invoice(customer, unit_price="100.00", **kwargs):
    """A finalised invoice: unit_price + 20 % VAT, due in 2099 unless told."""
    kwargs.setdefault("due_date", FUTURE)
    return DocumentFactory(
        client=customer, finalised=True, lines=[line(unit_price=unit_price)], **kwargs
    )


def quote(customer, unit_price="100.00", **kwargs):
    kwargs.setdefault("expiry_date", FUTURE)
    return DocumentFactory(
        client=customer,
        kind="quote",
        finalised=True,
        lines=[line(unit_price=unit_price)],
        **kwargs,
    )


def pay(document, amount, received_at=None):
    now = timezone.now()
    return payment_record(
        invoice=document,
        amount=Decimal(amount),
        method="manual",
        actor=None,
        now=now,
        received_at=received_at or now,
    )


def company_with_receivables():
    """EUR and USD invoices paid, overdue and partly paid; quotes waiting,
    expired and declined; and another company's, which must never show."""
    company = CompanyFactory(name="Atelier Nord")
    eur = ClientFactory(company=company, name="Café des Arts")
    usd = ClientFactory(company=company, name="Brooklyn Roasters")
    paid = invoice(eur, "1000.00")  # 1200.00, paid in full this month
    pay(paid, "1200.00")
    invoice(eur, "100.00", due_date=dt.date(2026, 3, 10))  # 120.00 overdue
    partly = invoice(eur, "500.00")  # 600.00, 250.00 paid: 350.00 left
    pay(partly, "250.00")
    late_usd = invoice(usd, "1000.00", currency="USD", due_date=dt.date(2026, 4, 1))
    pay(late_usd, "200.00")  # 1000.00 left, overdue
    # 48.00 paid by a bank debit not yet confirmed: neither outstanding nor
    # overdue, as its client's portal says (Processing).
    debit = invoice(eur, "40.00", due_date=dt.date(2026, 3, 10))
    card_payment_settle(
        invoice_id=debit.pk,
        payment_intent=f"pi_test_{debit.pk}",
        amount=debit.total,
        checkout_session_id=f"cs_test_{debit.pk}",
        paid=False,
        now=NOW,
    )
    old = invoice(eur, "50.00")  # 60.00 paid long ago: not this month
    pay(old, "60.00", received_at=dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC))
    quote(eur, "2000.00")  # 2400.00 waiting
    quote(usd, "10.00", currency="USD")  # 12.00 waiting
    quote(eur, "999.00", expiry_date=dt.date(2026, 3, 20))  # expired
    declined = quote(eur, "777.00")
    quote_decline(quote=declined, actor=None, now=NOW, actor_name="Café des Arts")

    other = ClientFactory(company=CompanyFactory(), name="Someone Else's Client")
    invoice(other, "9000.00", due_date=dt.date(2026, 3, 10))
    quote(other, "9000.00")
    return company, declined


def figures_of(response):
    (section,) = response.context["home_sections"]
    return {
        name: (figure["amounts"], figure["count"])
        for name, figure in section["figures"].items()
    }


def test_the_dashboard_sums_each_currency_of_the_active_company_only(client):
    company, _declined = company_with_receivables()
    sign_in(client, company)

    response = client.get("/admin/")

    assert figures_of(response) == {
        # 120.00 + 350.00 in EUR, 1000.00 in USD; four open invoices.
        "outstanding": (["€470.00", "US$1,000.00"], 3),
        "overdue": (["€120.00", "US$1,000.00"], 2),
        "processing": (["€48.00"], 1),
        "received": (["€1,450.00", "US$200.00"], 3),
        "quotes": (["€2,400.00", "US$12.00"], 2),
    }
    page = response.content.decode()
    assert "Someone Else" not in page
    assert "€9,000.00" not in page and "9 000,00" not in page


def test_the_dashboard_speaks_the_member_s_language(client):
    company, _declined = company_with_receivables()
    sign_in(client, company)

    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr")

    figures = figures_of(response)
    assert figures["outstanding"] == (["470,00\u00a0€", "1\u202f000,00\u00a0$US"], 3)
    page = response.content.decode()
    assert "Total restant dû" in page
    assert "2 factures en retard" in page


def test_the_dashboard_counts_link_to_the_filtered_lists(client):
    company, _declined = company_with_receivables()
    sign_in(client, company)

    section = client.get("/admin/").context["home_sections"][0]
    outstanding_url = section["figures"]["outstanding"]["url"]
    overdue_url = section["figures"]["overdue"]["url"]
    processing_url = section["figures"]["processing"]["url"]
    received_url = section["figures"]["received"]["url"]

    outstanding = client.get(outstanding_url)
    overdue = client.get(overdue_url)
    processing = client.get(processing_url)
    received = client.get(received_url)
    assert (
        outstanding.status_code
        == overdue.status_code
        == processing.status_code
        == received.status_code
        == 200
    )
    assert sorted(d.total for d in outstanding.context["cl"].result_list) == [
        Decimal("120.00"),
        Decimal("600.00"),
        Decimal("1200.00"),
    ]
    assert [d.total for d in processing.context["cl"].result_list] == [Decimal("48.00")]
    assert sorted(d.total for d in overdue.context["cl"].result_list) == [
        Decimal("120.00"),
        Decimal("1000.00") * Decimal("1.2"),
    ]
    assert sorted(p.amount for p in received.context["cl"].result_list) == [
        Decimal("200.00"),
        Decimal("250.00"),
        Decimal("1200.00"),
    ]
    assert overdue_url.endswith("?status_is=overdue")


def test_the_activity_feed_links_each_line_to_its_document(client):
    company, declined = company_with_receivables()
    user = sign_in(client, company)
    user.full_name = "Camille Durand"
    user.save()
    customer = declined.client
    sent = invoice(customer, "10.00")
    events.document_sent(
        document=sent, version=None, actor=user, at=NOW, recipients=[customer.email]
    )
    events.document_viewed(
        document=sent,
        version=sent.current_version,
        at=NOW + dt.timedelta(hours=1),
        actor_name="",
    )
    events.invoice_transfer_declared(
        document=sent,
        at=NOW + dt.timedelta(hours=2),
        client_name="Café des Arts",
        paid_on="",
    )
    other = ClientFactory(company=CompanyFactory(), name="Someone Else's Client")
    theirs = invoice(other)
    events.document_viewed(
        document=theirs, version=theirs.current_version, at=NOW, actor_name=""
    )

    response = client.get("/admin/")

    activity = response.context["home_sections"][0]["activity"]
    lines = {(item["text"], item["url"]) for item in activity}
    change = "/admin/documents/document/{}/change/"
    number = sent.number
    assert {
        (
            f"Camille Durand sent invoice {number} to Café des Arts",
            change.format(sent.pk),
        ),
        (f"Café des Arts opened invoice {number}", change.format(sent.pk)),
        (
            f"Café des Arts declared a bank transfer for invoice {number}",
            change.format(sent.pk),
        ),
        (
            f"Café des Arts declined quote {declined.number}",
            change.format(declined.pk),
        ),
    } <= lines
    # Payments recorded this month are there too; the other company's never.
    assert any(" paid " in text for text, _url in lines)
    assert all(str(theirs.pk) not in url.split("/") for _text, url in lines)
    assert [item["at"] for item in activity] == sorted(
        (item["at"] for item in activity), reverse=True
    )
    page = response.content.decode()
    assert f'<a href="{change.format(sent.pk)}">Camille Durand sent' in page


def test_the_dashboard_runs_the_same_queries_however_much_data(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    invoice(customer, due_date=dt.date(2026, 3, 10))

    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/").status_code == 200

    for n in range(6):
        late = invoice(customer, currency="USD" if n % 2 else "EUR")
        pay(late, "10.00")
        quote(customer, currency="GBP" if n % 2 else "EUR")
        events.document_viewed(
            document=late, version=late.current_version, at=NOW, actor_name=""
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/").status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries) <= 25


def test_an_empty_company_gets_dashes_and_a_word_on_the_feed(client):
    sign_in(client, CompanyFactory())

    response = client.get("/admin/")

    assert figures_of(response)["outstanding"] == ([], 0)
    page = response.content.decode()
    assert "0 open invoices" in page
    assert "Nothing yet: documents you send" in page

import base64
import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branding.services import brand_kit_save
from documents import services
from tests.factories import NOW, BrandKitFactory, ClientFactory, DocumentFactory
from tests.portal.helpers import hide, invoice, quote, url

pytestmark = pytest.mark.django_db

D = dt.date
# client, brand kit, tab counts (= the list's count), open documents' count, and
# at most two page reads: the open ones by deadline, then the rest newest first.
# Brand and tab counts are cached until the client's portal revision moves on,
# and the first page needs no count of the open documents: a warm first page
# reads the client, then the open ones and the rest (or only the open ones when
# they fill the page).
LIST_QUERIES = 6
# The invoices tab's Pay several form (cards, or one transfer for a company
# with an IBAN): the invoices it may pay, cached under the revision as well.
PAY_SEVERAL_QUERIES = 1


@pytest.fixture
def today():
    """Pin the clock so statuses and order are exact: 15 March 2026, noon."""
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        yield


def _rows(response):
    html = response.content.decode()
    return re.findall(r'data-number="([^"]+)"', html)


def test_home_shows_the_invoices_tab_with_counts_in_both_tabs(client, today):
    portal = ClientFactory()
    first = invoice(portal, due_date=D(2026, 3, 1))
    second = invoice(portal, due_date=D(2026, 4, 1))
    quote(portal)
    hide(invoice(portal))
    DocumentFactory(client=portal)  # draft

    response = client.get(url("home", portal))

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(response) == [first.number, second.number]
    assert re.search(
        r'id="tab-invoice" data-kind="invoice" data-count="2" aria-current="page">'
        r'Invoices <span class="tabs__count">2</span>',
        html,
    )
    assert re.search(
        r'id="tab-quote" data-kind="quote" data-count="1">'
        r'Quotes <span class="tabs__count">1</span>',
        html,
    )


def test_each_tab_has_its_own_url(client, today):
    portal = ClientFactory()
    bill = invoice(portal)
    offer = quote(portal, expiry_date=D(2026, 4, 1), requires_signature=True)

    invoices = client.get(url("invoices", portal))
    quotes = client.get(url("quotes", portal))

    assert _rows(invoices) == [bill.number]
    assert _rows(quotes) == [offer.number]
    assert 'id="tab-quote" data-kind="quote" data-count="1" aria-current="page"' in (
        quotes.content.decode()
    )


def test_a_row_shows_number_status_amount_and_dates(client, today):
    portal = ClientFactory(locale="en")
    bill = invoice(portal, issue_date=D(2026, 3, 2), due_date=D(2026, 3, 10))

    html = client.get(url("invoices", portal)).content.decode()

    row = html[html.index(f'data-document-id="{bill.pk}"') :].split("</tr>")[0]
    assert f'href="{url("document", portal, document_id=bill.pk)}"' in row
    assert '<span class="status status--overdue">Overdue</span>' in row
    assert "€120.00" in row
    assert '<time datetime="2026-03-02">Mar 2, 2026</time>' in row
    assert '<time datetime="2026-03-10">Mar 10, 2026</time>' in row
    assert re.findall(r'data-label="([^"]+)"', row) == [
        "Number",
        "Status",
        "Amount",
        "Issue date",
        "Due date",
    ]


def test_row_labels_follow_the_language(client, today):
    portal = ClientFactory(locale="fr")
    bill = invoice(portal)
    offer = quote(portal)

    invoices = client.get(url("invoices", portal)).content.decode()
    quotes = client.get(url("quotes", portal)).content.decode()

    invoice_row = invoices.split(f'data-document-id="{bill.pk}"')[1].split("</tr>")[0]
    quote_row = quotes.split(f'data-document-id="{offer.pk}"')[1].split("</tr>")[0]
    assert re.findall(r'data-label="([^"]+)"', invoice_row) == [
        "Numéro",
        "Statut",
        "Montant",
        "Date d’émission",
        "Date d’échéance",
    ]
    assert re.findall(r'data-label="([^"]+)"', quote_row)[-1] == "Valable jusqu’au"


def test_quote_rows_show_their_expiry_date_and_labels(client, today):
    portal = ClientFactory()
    quote(portal, expiry_date=D(2026, 4, 1), requires_signature=True)
    quote(portal, expiry_date=D(2026, 3, 1))

    html = client.get(url("quotes", portal)).content.decode()

    assert ">Valid until</th>" in html
    assert ">Awaiting signature</span>" in html
    assert ">Expired</span>" in html
    assert '<time datetime="2026-04-01">Apr 1, 2026</time>' in html


def test_filter_form_and_search(client, today):
    portal = ClientFactory()
    overdue = invoice(portal, due_date=D(2026, 3, 1))
    to_pay = invoice(portal, due_date=D(2026, 4, 1))

    by_status = client.get(url("invoices", portal), {"status": "overdue"})
    by_number = client.get(url("invoices", portal), {"number": to_pay.number})
    nothing = client.get(url("invoices", portal), {"number": "ZZZ"})
    bogus = client.get(
        url("invoices", portal), {"status": "<script>", "number": "x" * 99}
    )

    assert _rows(by_status) == [overdue.number]
    assert '<option value="overdue" selected>Overdue</option>' in (
        by_status.content.decode()
    )
    assert _rows(by_number) == [to_pay.number]
    assert _rows(nothing) == []
    assert "No document matches these filters." in nothing.content.decode()
    assert _rows(bogus) == [overdue.number, to_pay.number]
    assert "<script>" not in bogus.content.decode()


def test_status_filter_shows_the_status_applied(client, today):
    portal = ClientFactory()
    invoice(portal)
    select = re.compile(r'<select name="status" id="id_status">(.*?)</select>', re.S)

    unfiltered = client.get(url("invoices", portal)).content.decode()
    overdue = client.get(url("invoices", portal), {"status": "overdue"})
    bogus = client.get(url("invoices", portal), {"status": "bogus"})

    assert '<label for="id_status">Status</label>' in unfiltered
    options = re.findall(r"<option[^>]*>[^<]*</option>", select.search(unfiltered)[1])
    assert options == [
        '<option value="" selected>All statuses</option>',
        '<option value="to_pay">To pay</option>',
        '<option value="overdue">Overdue</option>',
        '<option value="partially_paid">Partially paid</option>',
        '<option value="processing">Processing</option>',
        '<option value="paid">Paid</option>',
        '<option value="canceled">Canceled</option>',
        '<option value="credit_note">Credit note</option>',
    ]
    assert re.findall(
        r"<option[^>]*selected>", select.search(overdue.content.decode())[1]
    ) == ['<option value="overdue" selected>']
    # An unknown status is dropped, not shown as an error: the list is unfiltered.
    assert re.findall(
        r"<option[^>]*selected>", select.search(bogus.content.decode())[1]
    ) == ['<option value="" selected>']
    assert "aria-invalid" not in bogus.content.decode()


def test_every_control_has_a_label(client, today):
    portal = ClientFactory()
    invoice(portal)

    html = client.get(url("invoices", portal)).content.decode()

    for control_id in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html, control_id
    assert '<th scope="col">Number</th>' in html
    assert "<caption>" in html


def test_pagination_keeps_the_filters(client, today):
    portal = ClientFactory()
    for day in range(1, 46):
        invoice(
            portal,
            issue_date=D(2026, 1, 1) + dt.timedelta(days=day),
            due_date=D(2026, 4, 1),
        )

    first = client.get(url("invoices", portal), {"status": "to_pay"})
    last = client.get(url("invoices", portal), {"status": "to_pay", "page": "3"})
    beyond = client.get(url("invoices", portal), {"page": "99"})

    assert len(_rows(first)) == 20
    assert len(_rows(last)) == 5
    assert _rows(beyond) == _rows(last)
    assert 'href="?status=to_pay&amp;page=2"' in first.content.decode()
    assert "Page 3 of 3" in last.content.decode()
    assert 'id="page-next"' not in last.content.decode()


@pytest.mark.parametrize("name", ["invoices", "quotes"])
def test_query_count_does_not_grow_with_the_number_of_documents(
    client, today, django_assert_max_num_queries, name
):
    small, large = ClientFactory(), ClientFactory()
    BrandKitFactory(company=large.company)
    kind = "invoice" if name == "invoices" else "quote"
    for portal, count in ((small, 10), (large, 200)):
        DocumentFactory.create_batch(count, client=portal, kind=kind, finalised=True)

    counts = []
    for portal in (small, large):
        for query in ({}, {"page": "2"}, {"status": "to_pay", "number": "2026"}):
            # A filtered list needs its own COUNT(*) of the rest: one query more.
            expected = (
                LIST_QUERIES
                + (1 if "status" in query else 0)
                + (PAY_SEVERAL_QUERIES if name == "invoices" else 0)
            )
            with django_assert_max_num_queries(expected):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url(name, portal), query)
                    assert response.status_code == 200
            counts.append(len(queries))

    # Where a page falls (open part, rest, or both) may save a read; the number
    # of documents never adds one.
    assert (
        max(counts[3:])
        <= max(counts[:3])
        <= LIST_QUERIES + 1 + (PAY_SEVERAL_QUERIES if name == "invoices" else 0)
    )


def test_a_warm_first_page_reads_the_client_and_the_rows_only(client, today):
    mixed, all_open = ClientFactory(), ClientFactory()
    invoice(mixed, due_date=D(2026, 4, 1))
    invoice(mixed, status="paid")
    for _ in range(20):
        invoice(all_open, due_date=D(2026, 4, 1))

    warm = {}
    for portal in (mixed, all_open):
        # An empty filter keeps the rendered page itself out of the page cache
        # (portal.views.page.cached_page): this is the cost of rendering it warm.
        page = url("invoices", portal) + "?status="
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        warm[portal] = (len(queries), len(_rows(response)))

    # The client, then the open part and the rest; or the open part alone.
    assert (warm[mixed], warm[all_open]) == ((3, 2), (2, 20))


def test_tab_counts_change_as_soon_as_a_document_is_hidden_or_finalised(client, today):
    portal = ClientFactory()
    bill = invoice(portal)
    draft = DocumentFactory(client=portal, kind="quote")

    def tabs():
        html = client.get(url("invoices", portal)).content.decode()
        return re.findall(
            r'id="tab-([a-z]+)" data-kind="[a-z]+" data-count="(\d+)"', html
        )

    first = tabs()
    hide(bill)
    hidden = tabs()
    services.document_finalise(document=draft, actor=None, now=NOW)
    finalised = tabs()
    services.document_show(document=bill, actor=None, now=NOW)
    shown = tabs()

    assert first == [("invoice", "1"), ("quote", "0")]
    assert hidden == [("invoice", "0"), ("quote", "0")]
    assert finalised == [("invoice", "0"), ("quote", "1")]
    assert shown == [("invoice", "1"), ("quote", "1")]


def test_brand_changes_reach_the_page_as_soon_as_the_kit_is_saved(client, today):
    portal = ClientFactory()
    kit = {"primary_colour": "#1F3A5F", "accent_colour": "#E07A1F"}
    brand_kit_save(
        company=portal.company, actor=None, now=NOW, display_name="Before", **kit
    )
    before = client.get(url("home", portal)).content.decode()

    brand_kit_save(
        actor=None,
        now=NOW,
        company=portal.company,
        display_name="After",
        primary_colour="#FFE066",
        accent_colour="#777777",
    )
    after = client.get(url("home", portal)).content.decode()

    name = re.compile(r'<span class="brand-name" id="brand-name">([^<]*)</span>')
    style = re.compile(r'id="brand-style">([^<]*)</style>')
    assert (name.search(before)[1], style.search(before)[1]) == (
        "Before",
        ":root { --brand-primary: #1F3A5F; --brand-on-primary: #FFFFFF; "
        "--brand-accent: #E07A1F; --brand-on-accent: #111111; }",
    )
    assert (name.search(after)[1], style.search(after)[1]) == (
        "After",
        ":root { --brand-primary: #FFE066; --brand-on-primary: #111111; "
        "--brand-accent: #767676; --brand-on-accent: #FFFFFF; }",
    )


def test_brand_colours_and_name_reach_the_page_as_custom_properties(client, today):
    portal = ClientFactory()
    BrandKitFactory(
        company=portal.company,
        display_name="Acme <b>Studio</b>",
        primary_colour="#FFE066",
        accent_colour="#777777",
    )

    response = client.get(url("home", portal))

    html = response.content.decode()
    allowed = re.search(r"'sha256-([^']+)'", response["Content-Security-Policy"])[1]
    style = re.search(r'<style id="brand-style">([^<]*)</style>', html)
    digest = base64.b64encode(hashlib.sha256(style[1].encode()).digest()).decode()
    assert allowed == digest
    assert style[1] == (
        ":root { --brand-primary: #FFE066; --brand-on-primary: #111111; "
        "--brand-accent: #767676; --brand-on-accent: #FFFFFF; }"
    )
    assert "Acme &lt;b&gt;Studio&lt;/b&gt;" in html
    assert "<b>Studio</b>" not in html
    assert 'style="' not in html  # CSP allows no style attributes


def test_company_without_a_brand_kit_falls_back_to_its_name_and_default_colours(
    client, today
):
    portal = ClientFactory(company__name="Plain Company")

    html = client.get(url("home", portal)).content.decode()

    assert '<span class="brand-name" id="brand-name">Plain Company</span>' in html
    assert "--brand-primary: #1F3A5F;" in html
    assert 'id="brand-logo"' not in html

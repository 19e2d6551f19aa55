import datetime as dt

import pytest

from branding.services import brand_kit_save
from clients.models import Client
from companies.services import company_update
from documents import services
from documents.models import Document
from documents.status import CLIENT_STATUSES, client_status
from mail import services as mail_services
from payments.services import payment_record
from portal import selectors
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.portal.helpers import TODAY, hide, invoice, quote

pytestmark = pytest.mark.django_db

D = dt.date


def _listed(client, kind, **filters):
    documents = selectors.portal_document_list(
        client=client, kind=kind, today=TODAY, **filters
    )
    return [(document.number, document.client_status) for document in documents]


def test_status_filters_in_the_database_match_the_model_for_every_case():
    client = ClientFactory()
    documents = [
        invoice(client, due_date=D(2026, 3, 20)),  # to pay
        invoice(client, due_date=D(2026, 3, 15)),  # due today: still to pay
        invoice(client, due_date=D(2026, 3, 14)),  # overdue
        invoice(client, due_date=None),  # to pay, no due date
        invoice(client, due_date=D(2026, 3, 2), status="partially_paid"),  # overdue
        invoice(client, due_date=D(2026, 4, 2), status="partially_paid"),
        invoice(client, due_date=D(2026, 3, 2), status="paid"),
        invoice(client, due_date=D(2026, 3, 2), status="canceled"),
        invoice(client, due_date=D(2026, 3, 2), status="processing"),  # not overdue
        quote(client, expiry_date=D(2026, 4, 1), requires_signature=True),
        quote(client, expiry_date=D(2026, 4, 1)),
        quote(client, expiry_date=D(2026, 3, 1)),  # expired
        quote(client, expiry_date=None),
        quote(client, expiry_date=D(2026, 3, 1), status="accepted"),
        quote(client, status="declined"),
        quote(client, status="canceled"),
    ]
    # The invoices tab lists credit notes too: the one that canceled an invoice.
    documents += list(
        Document.objects.for_company(client.company).filter(kind="credit_note")
    )

    # Each status filter selects exactly the documents the model gives it.
    from_database = {
        number: code
        for kind, codes in CLIENT_STATUSES.items()
        for code in codes
        for number, _status in _listed(client, kind, status=code)
    }

    assert from_database == {
        document.number: client_status(document, TODAY) for document in documents
    }
    assert sorted(set(from_database.values())) == sorted(
        [
            *CLIENT_STATUSES["invoice"],
            "expired",
            "awaiting_signature",
            "pending",
            "accepted",
            "declined",
        ]
    )


def test_invoices_most_urgent_first():
    client = ClientFactory()
    paid_new = invoice(
        client, issue_date=D(2026, 3, 10), due_date=D(2026, 3, 10), status="paid"
    )
    to_pay_late = invoice(client, due_date=D(2026, 5, 1))
    overdue_recent = invoice(client, due_date=D(2026, 3, 10))
    canceled_old = invoice(
        client, issue_date=D(2026, 1, 5), due_date=D(2026, 1, 5), status="canceled"
    )
    to_pay_soon = invoice(client, due_date=D(2026, 3, 20))
    overdue_oldest = invoice(client, issue_date=D(2026, 1, 1), due_date=D(2026, 2, 1))
    # Invoices are finalised with a due date now; one finalised before that
    # rule may still have none.
    to_pay_undated = invoice(client)
    Document.objects.for_company(client.company).filter(pk=to_pay_undated.pk).update(
        due_date=None
    )
    partly_soon = invoice(client, due_date=D(2026, 3, 25), status="partially_paid")

    numbers = [number for number, _status in _listed(client, "invoice")]

    assert numbers == [
        d.number
        for d in (
            overdue_oldest,
            overdue_recent,  # overdue, by due date
            to_pay_soon,
            partly_soon,
            to_pay_late,
            to_pay_undated,  # to pay, by due date
            paid_new,
            canceled_old.credit_notes.get(),  # issued on 2 March
            canceled_old,  # the rest, newest first
        )
    ]


def test_quotes_awaiting_an_answer_first_then_the_rest_newest_first():
    client = ClientFactory()
    accepted = quote(client, issue_date=D(2026, 3, 12), status="accepted")
    pending_late = quote(client, expiry_date=D(2026, 6, 1))
    expired = quote(client, issue_date=D(2026, 2, 1), expiry_date=D(2026, 3, 1))
    signature_soon = quote(client, expiry_date=D(2026, 3, 20), requires_signature=True)

    numbers = [number for number, _status in _listed(client, "quote")]

    assert numbers == [
        signature_soon.number,
        pending_late.number,
        accepted.number,
        expired.number,
    ]


def test_filter_by_client_status_and_search_by_number():
    client = ClientFactory()
    overdue = invoice(client, due_date=D(2026, 3, 1))
    to_pay = invoice(client, due_date=D(2026, 4, 1))
    paid = invoice(client, due_date=D(2026, 3, 1), status="paid")

    assert _listed(client, "invoice", status="overdue") == [(overdue.number, "overdue")]
    assert _listed(client, "invoice", status="to_pay") == [(to_pay.number, "to_pay")]
    assert _listed(client, "invoice", status="paid") == [(paid.number, "paid")]
    assert _listed(client, "invoice", number=to_pay.number[-4:].lower()) == [
        (to_pay.number, "to_pay")
    ]
    assert _listed(client, "invoice", number="nothing-like-it") == []
    # An unknown status filters nothing out rather than erring.
    assert len(_listed(client, "invoice", status="bogus")) == 3


def test_list_and_counts_hold_only_the_clients_visible_finalised_documents():
    client = ClientFactory()
    shown = invoice(client)
    hide(invoice(client))
    DocumentFactory(client=client)  # a draft
    invoice(ClientFactory(company=client.company))  # same company, another client
    invoice(ClientFactory())  # another company
    quote(client)

    assert [n for n, _s in _listed(client, "invoice")] == [shown.number]
    assert selectors.portal_tab_counts(client=client) == {"invoice": 1, "quote": 1}


def test_portal_client_resolves_only_a_current_token_of_an_addon_company():
    from django.http import Http404

    client = ClientFactory()
    assert selectors.portal_client(token=client.portal_token) == client

    for token in ("", "x" * 43, client.portal_token[:-1], client.portal_token + "x"):
        with pytest.raises(Http404):
            selectors.portal_client(token=token)

    type(client.company).objects.filter(pk=client.company.pk).update(
        has_receivables_addon=False
    )
    with pytest.raises(Http404):
        selectors.portal_client(token=client.portal_token)


def _fresh(client):
    """The client as a portal request reads it: with its current revision."""
    return selectors.portal_client(token=client.portal_token)


def test_first_page_reads_the_open_part_without_counting_it(
    django_assert_num_queries,
):
    client = ClientFactory()
    open_invoices = [
        invoice(client, due_date=D(2026, 3, day), issue_date=D(2026, 1, day))
        for day in (20, 10, 30)
    ]
    settled = [
        invoice(client, status="paid", issue_date=D(2026, 1, day)) for day in (5, 9)
    ]
    expected = [
        *sorted(open_invoices, key=lambda document: document.due_date),
        *sorted(settled, key=lambda document: document.issue_date, reverse=True),
    ]

    def numbers(documents):
        return [document.number for document in documents]

    def listing():
        return selectors.portal_document_list(
            client=client, kind="invoice", today=TODAY
        )

    with django_assert_num_queries(1):  # the open part fills the page
        assert numbers(listing()[0:2]) == numbers(expected[0:2])
    with django_assert_num_queries(2):  # the open part, then the rest
        assert numbers(listing()[0:4]) == numbers(expected[0:4])
    with django_assert_num_queries(2):
        assert numbers(listing()[:]) == numbers(expected)
    with django_assert_num_queries(3):  # a later page counts the open part first
        assert numbers(listing()[2:5]) == numbers(expected[2:5])
    for start in range(6):
        for stop in range(start, 7):
            assert numbers(listing()[start:stop]) == numbers(expected[start:stop])


def test_tab_counts_are_read_once_per_portal_revision(django_assert_num_queries):
    client = ClientFactory()
    invoice(client)
    quote(client)
    fresh = _fresh(client)

    with django_assert_num_queries(1):
        first = selectors.portal_tab_counts(client=fresh)
    with django_assert_num_queries(0):
        again = selectors.portal_tab_counts(client=fresh)

    assert first == again == {"invoice": 1, "quote": 1}


def test_a_recreated_client_with_the_same_id_and_revision_misses_the_cache(
    django_assert_num_queries,
):
    client = ClientFactory()
    invoice(client)
    selectors.portal_tab_counts(client=_fresh(client))
    # As after a database is recreated (a demo reseeded) next to a shared cache.
    Client.objects.filter(pk=client.pk).update(created_at=NOW + dt.timedelta(days=1))
    quote(client)
    Client.objects.filter(pk=client.pk).update(portal_revision=1)  # as cached
    recreated = _fresh(client)

    with django_assert_num_queries(1):
        counts = selectors.portal_tab_counts(client=recreated)

    assert (recreated.portal_revision, counts) == (1, {"invoice": 1, "quote": 1})


def test_tab_counts_follow_every_change_the_client_can_see():
    client = ClientFactory()
    bill = invoice(client)
    quote(client)

    def counts():
        return selectors.portal_tab_counts(client=_fresh(client))

    assert counts() == {"invoice": 1, "quote": 1}
    hide(bill)
    assert counts() == {"invoice": 0, "quote": 1}
    services.document_show(document=bill, actor=None, now=NOW)
    assert counts() == {"invoice": 1, "quote": 1}
    draft = DocumentFactory(client=client, kind="quote")
    assert counts() == {"invoice": 1, "quote": 1}  # a draft is not the client's
    services.document_finalise(document=draft, actor=None, now=NOW)
    assert counts() == {"invoice": 1, "quote": 2}
    invoice(client)
    assert counts() == {"invoice": 2, "quote": 2}


def test_brand_is_read_once_per_portal_revision(django_assert_num_queries):
    client = ClientFactory()
    brand_kit_save(
        actor=None,
        now=NOW,
        company=client.company,
        display_name="Acme",
        primary_colour="#1F3A5F",
        accent_colour="#E07A1F",
    )
    fresh = _fresh(client)

    with django_assert_num_queries(1):
        first = selectors.portal_brand(client=fresh)
    with django_assert_num_queries(0):
        again = selectors.portal_brand(client=fresh)

    assert first == again
    assert (first.name, first.palette.primary.background) == ("Acme", "#1F3A5F")


def test_brand_follows_brand_kit_save_and_the_company_name_at_once():
    client = ClientFactory(company__name="Plain Company")
    neighbour = ClientFactory(company=client.company)
    before = selectors.portal_brand(client=_fresh(client))
    selectors.portal_brand(client=_fresh(neighbour))  # cached for both clients

    brand_kit_save(
        actor=None,
        now=NOW,
        company=client.company,
        display_name="Acme",
        primary_colour="#FFE066",
        accent_colour="#777777",
    )
    after = selectors.portal_brand(client=_fresh(client))
    company_update(company=client.company, actor=None, now=NOW, name="Renamed Company")
    neighbours = selectors.portal_brand(client=_fresh(neighbour))

    assert (before.name, before.version, before.palette.css_properties()) == (
        "Plain Company",
        "default",
        {
            "--brand-primary": "#1F3A5F",
            "--brand-on-primary": "#FFFFFF",
            "--brand-accent": "#E07A1F",
            "--brand-on-accent": "#111111",
        },
    )
    assert (after.name, after.palette.css_properties()) == (
        "Acme",
        {
            "--brand-primary": "#FFE066",
            "--brand-on-primary": "#111111",
            "--brand-accent": "#767676",
            "--brand-on-accent": "#FFFFFF",
        },
    )
    assert after.version != "default"
    assert neighbours == after  # the kit's name wins over the company's


def test_brand_without_a_kit_follows_a_company_rename():
    client = ClientFactory(company__name="Plain Company")
    selectors.portal_brand(client=_fresh(client))

    company_update(company=client.company, actor=None, now=NOW, name="Renamed Company")

    assert selectors.portal_brand(client=_fresh(client)).name == "Renamed Company"


def test_document_history_is_read_once_per_portal_revision(
    django_assert_num_queries,
):
    client = ClientFactory()
    bill = invoice(client)
    fresh = _fresh(client)

    with django_assert_num_queries(3):  # versions, events, lifecycle statuses
        first = selectors.portal_document_history(client=fresh, document=bill)
    with django_assert_num_queries(0):
        again = selectors.portal_document_history(client=fresh, document=bill)

    assert (
        first
        == again
        == {
            "versions": [{"number": 1, "created_at": NOW}],
            "events": [
                {
                    "kind": "finalised",
                    "at": NOW,
                    "version_number": 1,
                    "details": {},  # only what the page shows is cached
                }
            ],
            "lifecycle": [],
        }
    )


def test_document_history_follows_new_versions_sending_and_payments(
    django_capture_on_commit_callbacks,
):
    client = ClientFactory()
    bill = invoice(client)
    later = NOW + dt.timedelta(days=1)
    selectors.portal_document_history(client=_fresh(client), document=bill)

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task
        mail_services.document_send(document=bill, actor=None, now=later)
    services.document_update(
        document=bill,
        lines=services.document_lines(bill),
        actor=None,
        now=later,
        notes="Changed",
    )
    bill.refresh_from_db()
    payment_record(
        invoice=bill, amount=bill.total, method="manual", actor=None, now=later
    )
    history = selectors.portal_document_history(client=_fresh(client), document=bill)

    assert [version["number"] for version in history["versions"]] == [2, 1]
    assert [(event["kind"], event["details"]) for event in history["events"]] == [
        ("finalised", {}),
        ("sent", {}),  # the recipient's address stays out of the cache
        ("new_version", {}),
        (
            "payment_received",
            {"amount": str(bill.total), "currency": "EUR", "method": "manual"},
        ),
        ("paid", {}),
    ]

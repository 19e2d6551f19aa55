import datetime as dt

import pytest

from documents.models import Document
from portal import selectors
from tests.factories import ClientFactory, DocumentFactory
from tests.portal.helpers import TODAY, hide, invoice, quote

pytestmark = pytest.mark.django_db

D = dt.date


def _listed(client, kind, **filters):
    documents = selectors.portal_document_list(
        client=client, kind=kind, today=TODAY, **filters
    )
    return [(document.number, document.client_status(TODAY)) for document in documents]


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
        quote(client, expiry_date=D(2026, 4, 1), requires_signature=True),
        quote(client, expiry_date=D(2026, 4, 1)),
        quote(client, expiry_date=D(2026, 3, 1)),  # expired
        quote(client, expiry_date=None),
        quote(client, expiry_date=D(2026, 3, 1), status="accepted"),
        quote(client, status="declined"),
        quote(client, status="canceled"),
    ]

    # Each status filter selects exactly the documents the model gives it.
    from_database = {
        number: code
        for kind, labels in selectors.CLIENT_STATUS_LABELS.items()
        for code in labels
        for number, _status in _listed(client, kind, status=code)
    }

    assert from_database == {
        document.number: document.client_status(TODAY) for document in documents
    }
    assert sorted(set(from_database.values())) == sorted(
        [
            *selectors.CLIENT_STATUS_LABELS["invoice"],
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
    to_pay_undated = invoice(client, due_date=None)
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


def test_status_labels_cover_every_code():
    assert selectors.client_status_label("invoice", "overdue") == "Overdue"
    assert selectors.client_status_label("quote", "awaiting_signature") == (
        "Awaiting signature"
    )
    assert set(Document.Status.values) - {"draft"} <= {
        *selectors.CLIENT_STATUS_LABELS["invoice"],
        *selectors.CLIENT_STATUS_LABELS["quote"],
    }

"""Document actions in the back office: one document from its page, or in bulk."""

from decimal import Decimal

import pytest
from django.utils import timezone

from documents import services
from documents.models import Document
from payments.models import Payment
from tests.backoffice import messages_of, sign_in
from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/documents/invoice/"
QUOTES_URL = "/admin/documents/quote/"


def action_url(document, name):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def change_url(document):
    page = "quote" if document.kind == "quote" else "invoice"
    return f"/admin/documents/{page}/{document.pk}/change/"


def bulk(client, name, documents, url=LIST_URL, confirmed=True):
    """A bulk action, as confirmed on its confirmation page when it asks first."""
    data = {"action": name, "index": "0", "_selected_action": [d.pk for d in documents]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(url, data)


def event_kinds(document):
    return list(document.events.order_by("pk").values_list("kind", flat=True))


# Hide and show, one at a time.


def test_hide_from_the_change_page_writes_the_event(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    document.client.refresh_from_db()
    revision = document.client.portal_revision

    response = client.post(action_url(document, "hide"))

    assert (response.status_code, response.url) == (302, change_url(document))
    assert messages_of(response) == ["INV-2026-0001: hidden from the client's portal."]
    document.refresh_from_db()
    document.client.refresh_from_db()
    event = document.events.order_by("pk").last()
    assert (document.hidden_from_portal, event.kind, event.actor) == (
        True,
        "hidden",
        user,
    )
    assert document.client.portal_revision == revision + 1


def test_show_from_the_change_page_writes_the_event(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    services.document_hide(document=document, actor=None, now=NOW)

    response = client.post(action_url(document, "show"))

    assert messages_of(response) == ["INV-2026-0001: shown in the client's portal."]
    document.refresh_from_db()
    event = document.events.order_by("pk").last()
    assert (document.hidden_from_portal, event.kind, event.actor) == (
        False,
        "shown",
        user,
    )


def test_hiding_a_hidden_document_says_so_and_writes_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    services.document_hide(document=document, actor=None, now=NOW)

    response = client.post(action_url(document, "hide"))

    assert messages_of(response) == [
        "INV-2026-0001 was already hidden from the client's portal."
    ]
    assert event_kinds(document) == ["created", "finalised", "hidden"]


def test_change_page_offers_the_actions_that_fit_the_document(client):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)

    response = client.get(change_url(quote))

    offered = [action.name for action, url in response.context["document_actions"]]
    assert offered == [
        "send",
        "hide",
        "cancel",
        "mark_accepted",
        "mark_declined",
        "duplicate",
        "reminders_off",
    ]


def test_change_page_offers_no_action_to_reporting(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.get(change_url(document))

    assert "document_actions" not in response.context
    assert "/actions/" not in response.content.decode()


# Hide and show in bulk.


def test_bulk_hide_touches_only_the_company_s_documents(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    first = DocumentFactory(client=customer, finalised=True)
    second = DocumentFactory(client=customer, finalised=True)
    theirs = DocumentFactory(finalised=True)

    response = bulk(client, "hide", [first, second, theirs])

    assert messages_of(response) == [
        "INV-2026-0001: hidden from the client's portal.",
        "INV-2026-0002: hidden from the client's portal.",
    ]
    ours = Document.objects.for_company(company)
    assert dict(ours.values_list("pk", "hidden_from_portal")) == {
        first.pk: True,
        second.pk: True,
    }
    theirs.refresh_from_db()
    assert theirs.hidden_from_portal is False
    assert event_kinds(theirs) == ["created", "finalised"]
    assert [event_kinds(first)[-1], event_kinds(second)[-1]] == ["hidden", "hidden"]


def test_bulk_with_only_foreign_ids_changes_nothing(client):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory(finalised=True)

    bulk(client, "hide", [theirs])

    theirs.refresh_from_db()
    assert theirs.hidden_from_portal is False
    assert event_kinds(theirs) == ["created", "finalised"]


def test_bulk_show(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    documents = [DocumentFactory(client=customer, finalised=True) for _ in range(2)]
    for document in documents:
        services.document_hide(document=document, actor=None, now=NOW)

    bulk(client, "show", documents)

    ours = Document.objects.for_company(company).order_by("pk")
    assert list(ours.values_list("hidden_from_portal", flat=True)) == [False, False]
    assert [event_kinds(document)[-1] for document in documents] == ["shown", "shown"]


# The other actions.


def test_finalise_numbers_the_draft(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company)

    response = client.post(action_url(document, "finalise"))

    document.refresh_from_db()
    number = f"INV-{timezone.localdate().year}-0001"
    assert (document.status, document.number) == ("to_pay", number)
    assert messages_of(response) == [f"{number}: finalised."]


def test_a_refused_action_says_why_and_changes_nothing(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.post(action_url(document, "finalise"))

    assert messages_of(response) == [
        "INV-2026-0001: This document is already finalised."
    ]
    assert event_kinds(document) == ["created", "finalised"]


def test_bulk_reports_each_document(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    draft = DocumentFactory(client=customer)
    final = DocumentFactory(client=customer, finalised=True)

    response = bulk(client, "finalise", [draft, final])

    draft.refresh_from_db()
    assert draft.status == "to_pay"
    assert messages_of(response) == [
        f"{draft.number}: finalised.",
        "INV-2026-0001: This document is already finalised.",
    ]


def test_send_records_it_and_emails_the_client(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    user = sign_in(client, company)
    document = DocumentFactory(
        client__company=company, client__email="compta@martin.example", finalised=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(document, "send"))

    document.refresh_from_db()
    event = document.events.order_by("pk").last()
    assert messages_of(response) == [
        "INV-2026-0001: being sent to the client (see its e-mails)."
    ]
    assert document.sent_at is not None
    assert (event.kind, event.actor, event.details) == (
        "sent",
        user,
        {"to": ["compta@martin.example"]},
    )
    assert [mail.to for mail in mailoutbox] == [["compta@martin.example"]]


def test_send_to_a_client_without_email_is_refused(client, mailoutbox):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(
        client__company=company, client__name="Durand", client__email="", finalised=True
    )

    response = client.post(action_url(document, "send"))

    assert messages_of(response) == ["INV-2026-0001: Durand has no e-mail address."]
    document.refresh_from_db()
    assert document.sent_at is None
    assert mailoutbox == []


def test_cancel(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.post(action_url(document, "cancel"))

    document.refresh_from_db()
    assert document.status == "canceled"
    assert messages_of(response) == ["INV-2026-0001: canceled."]
    assert event_kinds(document)[-1] == "canceled"


def test_mark_as_paid_records_the_balance_by_hand(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.post(action_url(document, "mark_paid"))

    document.refresh_from_db()
    payment = Payment.objects.for_company(company).get()
    assert messages_of(response) == ["INV-2026-0001: marked as paid."]
    assert (document.status, document.amount_paid) == ("paid", Decimal("120.00"))
    assert (payment.amount, payment.method, payment.recorded_by) == (
        Decimal("120.00"),
        "manual",
        user,
    )


def test_mark_as_paid_refuses_a_quote(client):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)

    response = client.post(action_url(quote, "mark_paid"))

    assert messages_of(response) == [
        "Q-2026-0001: Only an open invoice can receive a payment."
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("action", "status", "event", "message"),
    [
        ("mark_accepted", "accepted", "accepted", "Q-2026-0001: marked accepted."),
        ("mark_declined", "declined", "declined", "Q-2026-0001: marked declined."),
    ],
)
def test_mark_a_quote_accepted_or_declined(client, action, status, event, message):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)

    response = client.post(action_url(quote, action))

    quote.refresh_from_db()
    assert (quote.status, event_kinds(quote)[-1]) == (status, event)
    assert messages_of(response) == [message]


def test_an_invoice_cannot_be_marked_accepted(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.post(action_url(document, "mark_accepted"))

    assert messages_of(response) == ["INV-2026-0001: Only a quote can be accepted."]
    document.refresh_from_db()
    assert document.status == "to_pay"


def test_hide_works_on_a_paid_invoice(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    client.post(action_url(document, "mark_paid"))

    client.post(action_url(document, "hide"))

    document.refresh_from_db()
    assert (document.status, document.hidden_from_portal) == ("paid", True)


# Access to the action URLs.


def test_action_on_another_company_s_document_is_not_found(client):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory(finalised=True)

    response = client.post(action_url(theirs, "hide"))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.hidden_from_portal is False


def test_an_unknown_action_is_not_found(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    assert client.post(action_url(document, "delete")).status_code == 404


def test_actions_that_do_not_ask_first_have_no_page(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.get(action_url(document, "hide"))

    assert response.status_code == 404
    document.refresh_from_db()
    assert document.hidden_from_portal is False


def test_reporting_has_no_bulk_actions_and_a_forged_one_is_refused(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    document = DocumentFactory(client__company=company, finalised=True)

    changelist = client.get(LIST_URL)
    forged = bulk(client, "hide", [document])
    single = client.post(action_url(document, "hide"))

    assert changelist.context["action_form"] is None
    assert (forged.status_code, single.status_code) == (403, 403)
    document.refresh_from_db()
    assert document.hidden_from_portal is False
    assert event_kinds(document) == ["created", "finalised"]


@pytest.mark.parametrize(
    ("url", "kind", "action"),
    [
        (LIST_URL, "invoice", "hide"),
        (LIST_URL, "invoice", "mark_paid"),
        (LIST_URL, "invoice", "cancel"),
        (QUOTES_URL, "quote", "hide"),
        (QUOTES_URL, "quote", "send"),
    ],
)
def test_reporting_gets_403_on_every_bulk_action_like_its_other_writes(
    client, url, kind, action
):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    document = DocumentFactory(client__company=company, kind=kind, finalised=True)

    asked = bulk(client, action, [document], url=url, confirmed=False)
    confirmed = bulk(client, action, [document], url=url)

    assert (asked.status_code, confirmed.status_code) == (403, 403)
    document.refresh_from_db()
    assert (document.status, document.hidden_from_portal, document.sent_at) == (
        "to_pay" if kind == "invoice" else "pending",
        False,
        None,
    )
    assert event_kinds(document) == ["created", "finalised"]


def test_reporting_gets_403_on_a_forged_bulk_action_of_the_clients_list(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    customer = ClientFactory(company=company)

    response = client.post(
        "/admin/clients/client/",
        {"action": "delete_selected", "index": "0", "_selected_action": [customer.pk]},
    )

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.archived_at is None


@pytest.mark.parametrize("action", ["hide", "finalise", "mark_paid", "cancel"])
def test_manager_gets_403_on_every_action(client, action):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    document = DocumentFactory(client__company=company, finalised=True)

    single = client.post(action_url(document, action))
    in_bulk = bulk(client, action, [document])

    assert (single.status_code, in_bulk.status_code) == (403, 403)
    document.refresh_from_db()
    assert (document.status, document.hidden_from_portal) == ("to_pay", False)
    assert event_kinds(document) == ["created", "finalised"]


def test_owner_sees_every_bulk_action_and_no_delete(client):
    sign_in(client, CompanyFactory())

    response = client.get(LIST_URL)

    def choices(response):
        field = response.context["action_form"].fields["action"]
        return [name for name, label in field.choices]

    assert choices(response) == [
        "",
        "finalise",
        "finalise_and_send",
        "send",
        "show_and_send",
        "hide",
        "show",
        "mark_paid",
        "cancel",
        "delete_draft",
        "remind_now",
        "waive_interest",
        "waive_indemnity",
        "claim_late_fees",
        "add_late_fees",
        "reminders_off",
        "reminders_on",
    ]
    assert choices(client.get(QUOTES_URL)) == [
        "",
        "finalise",
        "finalise_and_send",
        "send",
        "show_and_send",
        "hide",
        "show",
        "mark_accepted",
        "mark_declined",
        "convert_to_invoice",
        "cancel",
        "delete_draft",
        "reminders_off",
        "reminders_on",
    ]

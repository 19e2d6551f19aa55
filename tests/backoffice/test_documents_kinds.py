"""Invoices and Quotes as two back-office lists: each shows its own kind, its
forms only their fields, `?client=` prefills, the shared addresses redirect,
and a company without the add-on sees no portal wording."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document
from tests.backoffice import sign_in
from tests.backoffice.test_documents import add_post, change_url, listed
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

INVOICES = "/admin/documents/invoice/"
QUOTES = "/admin/documents/quote/"


def form_fields(response):
    return list(response.context["adminform"].form.fields)


def test_each_list_shows_only_its_kind_credit_notes_with_invoices(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    invoice = DocumentFactory(client=customer, finalised=True)
    quote = DocumentFactory(client=customer, kind="quote", finalised=True)
    services.document_cancel(document=invoice, actor=None, now=NOW)  # credit note
    credit_note = Document.objects.for_company(company).get(kind="credit_note")

    assert set(listed(client.get(INVOICES))) == {invoice, credit_note}
    assert listed(client.get(QUOTES)) == [quote]
    assert listed(client.get(INVOICES, {"invoice_kind": "credit_note"})) == [
        credit_note
    ]
    assert listed(client.get(INVOICES, {"invoice_kind": "invoice"})) == [invoice]


def test_the_status_filter_reads_as_the_client_does(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    today = timezone.localdate()
    overdue = DocumentFactory(
        client=customer,
        finalised=True,
        issue_date=today - dt.timedelta(days=40),
        due_date=today - dt.timedelta(days=10),
    )
    DocumentFactory(
        client=customer,
        finalised=True,
        issue_date=today,
        due_date=today + dt.timedelta(days=30),
    )

    response = client.get(INVOICES, {"status_is": "overdue"})

    assert listed(response) == [overdue]
    assert '<td class="field-status_shown">Overdue</td>' in response.content.decode()


def test_the_invoice_form_shows_only_invoice_fields(client):
    company = CompanyFactory(payment_terms_days=45, payment_terms_end_of_month=True)
    sign_in(client, company)

    response = client.get(f"{INVOICES}add/")

    assert form_fields(response) == [
        "client",
        "currency",
        "issue_date",
        "due_date",
        "operation_category",
        "vat_exemption",
        "delivery_date",
        "delivery_end_date",
        "purchase_order",
        "euro_rate",
        "notes",
        "hidden_from_portal",
    ]
    help_text = response.context["adminform"].form.fields["due_date"].help_text
    assert "the company's: 45 days end of month" in help_text


def test_the_quote_form_shows_only_quote_fields(client):
    sign_in(client, CompanyFactory())

    response = client.get(f"{QUOTES}add/")

    assert form_fields(response) == [
        "client",
        "currency",
        "issue_date",
        "expiry_date",
        "requires_signature",
        "vat_exemption",
        "notes",
        "hidden_from_portal",
    ]


def test_change_pages_show_only_their_kind_s_fields(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company)
    quote = DocumentFactory(client__company=company, kind="quote")

    invoice_page = client.get(change_url(invoice))
    quote_page = client.get(change_url(quote))

    invoice_fields = form_fields(invoice_page)
    assert "due_date" in invoice_fields
    assert not {"expiry_date", "requires_signature"} & set(invoice_fields)
    assert "Payment terms" in invoice_page.content.decode()
    quote_fields = form_fields(quote_page)
    assert {"expiry_date", "requires_signature"} <= set(quote_fields)
    assert not {"due_date", "operation_category"} & set(quote_fields)


def test_an_invoice_posted_with_quote_fields_ignores_them(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    client.post(
        f"{INVOICES}add/",
        add_post(customer, expiry_date="2026-04-01", requires_signature="on"),
    )

    invoice = Document.objects.for_company(company).get()
    assert (invoice.kind, invoice.expiry_date, invoice.requires_signature) == (
        "invoice",
        None,
        False,
    )


def test_a_quote_is_created_from_the_quote_form(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.post(
        f"{QUOTES}add/",
        add_post(
            customer,
            kind=None,
            due_date=None,
            expiry_date="2026-04-01",
            requires_signature="on",
        ),
    )

    assert (response.status_code, response.url) == (302, QUOTES)
    quote = Document.objects.for_company(company).get()
    assert (quote.kind, quote.due_date, quote.requires_signature) == (
        "quote",
        None,
        True,
    )


def test_new_pages_prefill_the_client_and_its_due_date(client):
    company = CompanyFactory(payment_terms_days=30)
    sign_in(client, company)
    customer = ClientFactory(company=company, payment_terms_days=15)
    today = timezone.localdate()

    invoice = client.get(f"{INVOICES}add/", {"client": customer.pk})
    quote = client.get(f"{QUOTES}add/", {"client": customer.pk})

    initial = invoice.context["adminform"].form.initial
    assert (str(initial["client"]), initial["due_date"]) == (
        str(customer.pk),
        today + dt.timedelta(days=15),
    )
    assert str(quote.context["adminform"].form.initial["client"]) == str(customer.pk)
    assert "due_date" not in quote.context["adminform"].form.initial


def test_another_company_s_client_is_not_prefilled(client):
    sign_in(client, CompanyFactory())
    theirs = ClientFactory()

    response = client.get(f"{INVOICES}add/", {"client": theirs.pk})

    assert "client" not in response.context["adminform"].form.initial
    assert theirs.name not in response.content.decode()


def test_an_invoice_left_without_due_date_takes_the_client_s_terms(client):
    company = CompanyFactory(payment_terms_days=30)
    sign_in(client, company)
    customer = ClientFactory(
        company=company, payment_terms_days=30, payment_terms_end_of_month=True
    )

    client.post(f"{INVOICES}add/", add_post(customer, due_date=""))

    invoice = Document.objects.for_company(company).get()
    assert invoice.due_date == dt.date(2026, 4, 30)  # 2 March + 30 days, month end


def test_finalising_an_invoice_without_due_date_says_why(client):
    company = CompanyFactory()
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company)
    # A draft whose due date was cleared (the form allows it on a draft).
    Document.objects.for_company(company).filter(pk=invoice.pk).update(due_date=None)

    page = client.get(f"/admin/documents/document/{invoice.pk}/actions/finalise/")
    response = client.post(
        f"/admin/documents/document/{invoice.pk}/actions/finalise/", follow=True
    )

    assert "This invoice has no due date: give it one, then finalise it." in (
        page.content.decode()
    )
    assert (
        "Draft Invoice: This invoice has no due date: give it one, then finalise it."
        in [str(message) for message in response.context["messages"]]
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == ("draft", None)


# The shared addresses lead to the kind's pages.


def test_the_shared_addresses_redirect_to_the_kind_s_pages(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    invoice = DocumentFactory(client=customer)
    quote = DocumentFactory(client=customer, kind="quote")

    def location(url, **params):
        response = client.get(url, params)
        assert response.status_code == 302
        return response["Location"]

    assert location(reverse("admin:documents_document_changelist")) == INVOICES
    assert location("/admin/documents/document/", kind="quote") == QUOTES
    assert location(
        reverse("admin:documents_document_change", args=[quote.pk])
    ) == change_url(quote)
    assert location(
        reverse("admin:documents_document_change", args=[invoice.pk])
    ) == change_url(invoice)
    assert (
        location("/admin/documents/document/add/", kind="quote", client=customer.pk)
        == f"{QUOTES}add/?client={customer.pk}"
    )
    assert location(f"/admin/documents/document/{quote.pk}/history/") == (
        f"{QUOTES}{quote.pk}/history/"
    )
    # A quote's address on the invoices' pages finds it too.
    assert location(f"{INVOICES}{quote.pk}/change/") == change_url(quote)


def test_the_shared_address_of_another_company_s_document_reveals_nothing(client):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory(kind="quote")

    response = client.get(f"/admin/documents/document/{theirs.pk}/change/", follow=True)

    assert response.redirect_chain[-1] == ("/admin/", 302)


# A company without the Client Portal add-on.


def test_without_the_add_on_no_portal_wording_on_the_documents_pages(client):
    company = CompanyFactory(has_receivables_addon=False)
    sign_in(client, company)
    invoice = DocumentFactory(client__company=company, finalised=True)

    pages = [
        client.get(INVOICES),
        client.get(QUOTES),
        client.get(f"{INVOICES}add/"),
        client.get(change_url(invoice)),
    ]

    for page in pages:
        # The page's own content (the site's header names the product).
        html = page.content.decode().split('id="content"', 1)[1]
        assert "portal" not in html.lower(), page.wsgi_request.path
    actions = pages[0].context["action_form"].fields["action"].choices
    assert not {"hide", "show", "show_and_send"} & {name for name, _ in actions}
    assert "hidden_from_portal" not in form_fields(pages[2])
    assert {action.name for action, _ in pages[3].context["document_actions"]} == {
        "send",
        "cancel",
        "correct",
        "mark_paid",
        "remind_now",  # by e-mail with its PDF: no portal needed
        "waive_interest",  # overdue by now: French late-payment law applies
        "waive_indemnity",
        "add_late_fees",
        "duplicate",
        "reminders_off",
    }


def test_amounts_and_dates_in_the_member_s_language(client):
    company = CompanyFactory()
    sign_in(client, company)
    DocumentFactory(client__company=company, finalised=True)

    html = client.get(INVOICES, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "120,00\u00a0€" in html
    assert "2 mars 2026" in html

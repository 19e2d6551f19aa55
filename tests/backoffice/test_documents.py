"""The back office's document pages: scope, roles, saving through the services,
and bad input turned into form errors with nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import HttpResponse

from documents import services
from documents.models import Document, DocumentEvent, DocumentLine, DocumentVersion
from payments import services as payment_services
from tests.backoffice import messages_of, sign_in
from tests.factories import (
    NOW,
    ClientFactory,
    CompanyFactory,
    DocumentFactory,
    line,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/documents/invoice/"
ADD_URL = "/admin/documents/invoice/add/"
QUOTES_URL = "/admin/documents/quote/"
QUOTE_ADD_URL = "/admin/documents/quote/add/"


def change_url(document):
    page = "quote" if document.kind == "quote" else "invoice"
    return f"/admin/documents/{page}/{document.pk}/change/"


def listed(response):
    return list(response.context["cl"].result_list)


def posted_back(response, **changes):
    """What a browser posts back from this change form, with `changes` applied."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False:
                data[field.html_name] = str(value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def add_post(customer, lines=(("Design", "2", "150.00", "20"),), **header):
    data = {
        "client": str(customer.pk),
        "kind": "invoice",
        "currency": "EUR",
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (description, quantity, unit_price, vat_rate) in enumerate(lines):
        data |= {
            f"lines-{index}-description": description,
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit_price": unit_price,
            f"lines-{index}-vat_rate": vat_rate,
        }
    data |= header
    return {name: value for name, value in data.items() if value is not None}


def form_errors(response):
    """The header form's errors and each line form's errors, as posted back."""
    lines = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "lines"
    )
    return (
        response.context["adminform"].form.errors,
        [form.errors for form in lines.forms if form.errors],
        list(lines.non_form_errors()),
    )


# The list.


def test_list_shows_only_the_company_s_documents(client):
    company = CompanyFactory()
    sign_in(client, company)
    mine = DocumentFactory(client__company=company, finalised=True)
    DocumentFactory(finalised=True)

    response = client.get(LIST_URL)

    assert listed(response) == [mine]


def test_list_shows_number_total_and_portal_visibility(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Maison Martin")
    shown = DocumentFactory(client=customer, finalised=True)
    hidden = DocumentFactory(client=customer, finalised=True)
    services.document_hide(document=hidden, actor=None, now=NOW)
    DocumentFactory(client=customer)

    html = client.get(LIST_URL).content.decode()

    assert f'<a href="{change_url(shown)}">INV-2026-0001</a>' in html
    assert "Maison Martin" in html
    assert "€120.00" in html
    assert html.count('<td class="field-portal_visibility">In portal</td>') == 1
    assert html.count('<td class="field-portal_visibility">Hidden</td>') == 1
    assert html.count('<td class="field-portal_visibility">Not yet (draft)</td>') == 1


def test_list_filters_by_kind_status_and_visibility(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    quote = DocumentFactory(client=customer, kind="quote", finalised=True)
    hidden = DocumentFactory(client=customer, finalised=True)
    services.document_hide(document=hidden, actor=None, now=NOW)
    draft = DocumentFactory(client=customer)

    assert listed(client.get(QUOTES_URL)) == [quote]
    assert listed(client.get(LIST_URL, {"status_is": "draft"})) == [draft]
    assert listed(client.get(LIST_URL, {"hidden_from_portal__exact": "1"})) == [hidden]


def test_search_by_number_and_client_name_stays_in_the_company(client):
    company = CompanyFactory()
    sign_in(client, company)
    mine = DocumentFactory(
        client__company=company, client__name="Durand", finalised=True
    )
    theirs = DocumentFactory(client__name="Durand Other", finalised=True)
    assert mine.number == theirs.number == "INV-2026-0001"

    assert listed(client.get(LIST_URL, {"q": "INV-2026-0001"})) == [mine]
    assert listed(client.get(LIST_URL, {"q": "Durand"})) == [mine]
    assert listed(client.get(LIST_URL, {"q": "Other"})) == []


def test_another_company_s_document_page_does_not_exist(client):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory(finalised=True)

    response = client.get(change_url(theirs))

    assert (response.status_code, response.url) == (302, "/admin/")
    assert messages_of(response) == [
        f"invoice with ID “{theirs.pk}” doesn’t exist. Perhaps it was deleted?"
    ]


def test_add_form_offers_only_the_company_s_clients(client):
    company = CompanyFactory(default_currency="CHF")
    sign_in(client, company)
    mine = ClientFactory(company=company)
    ClientFactory()

    response = client.get(ADD_URL)

    form = response.context["adminform"].form
    assert list(form.fields["client"].queryset) == [mine]
    assert form.initial["currency"] == "CHF"


def test_add_with_another_company_s_client_is_refused(client):
    company = CompanyFactory()
    sign_in(client, company)
    theirs = ClientFactory()

    response = client.post(ADD_URL, add_post(theirs))

    assert form_errors(response)[0] == {
        "client": [
            "Select a valid choice. That choice is not one of the available choices."
        ]
    }
    assert not Document.objects.exists()


# Saving through the services.


def test_add_creates_a_draft_with_its_lines_and_totals(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.post(
        ADD_URL,
        add_post(
            customer,
            lines=[("Design", "2", "150.00", "20"), ("Hosting", "1", "10.00", "5.5")],
        ),
    )

    document = Document.objects.for_company(company).get()
    assert (response.status_code, response.url) == (302, LIST_URL)
    assert (document.status, document.client, document.due_date) == (
        "draft",
        customer,
        dt.date(2026, 4, 1),
    )
    assert (document.total_excl_tax, document.total_tax, document.total) == (
        Decimal("310.00"),
        Decimal("60.55"),
        Decimal("370.55"),
    )
    assert list(
        document.lines.order_by("position").values_list(
            "description", "quantity", "unit_price", "vat_rate"
        )
    ) == [
        ("Design", Decimal("2"), Decimal("150.00"), Decimal("20")),
        ("Hosting", Decimal("1"), Decimal("10.00"), Decimal("5.5")),
    ]
    event = DocumentEvent.objects.for_company(company).get()
    assert (event.kind, event.actor) == ("created", user)


def test_add_may_hide_the_document_from_the_start(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    client.post(ADD_URL, add_post(customer, hidden_from_portal="on"))

    assert Document.objects.for_company(company).get().hidden_from_portal is True


def test_change_page_preselects_each_line_s_vat_rate(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(
        client__company=company, lines=[line("Books", "1", "10.00", "5.5")]
    )

    html = client.get(change_url(document)).content.decode()

    assert '<option value="5.5" selected>5.5%</option>' in html


def test_changing_a_draft_changes_it_in_place(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company)
    page = client.get(change_url(document))

    response = client.post(
        change_url(document),
        posted_back(
            page,
            **{
                "lines-0-quantity": "3",
                "notes": "Thank you",
                "lines-1-description": None,
            },
        ),
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.notes, document.total) == (
        "draft",
        "Thank you",
        Decimal("360.00"),
    )
    assert not DocumentVersion.objects.for_company(company).exists()


def test_a_draft_may_move_to_another_of_the_company_s_clients(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company)
    other = ClientFactory(company=company)
    page = client.get(change_url(document))

    client.post(change_url(document), posted_back(page, client=str(other.pk)))

    document.refresh_from_db()
    assert document.client == other


def test_changing_a_finalised_quote_appends_a_version(client):
    company = CompanyFactory()
    user = sign_in(client, company)
    document = DocumentFactory(client__company=company, kind="quote", finalised=True)
    page = client.get(change_url(document))

    response = client.post(
        change_url(document),
        posted_back(
            page,
            **{
                "lines-1-description": "Travel",
                "lines-1-quantity": "1",
                "lines-1-unit_price": "50.00",
                "lines-1-vat_rate": "20",
            },
        ),
    )

    assert response.status_code == 302
    assert "Saved as version 2; the earlier versions are kept." in messages_of(response)
    document.refresh_from_db()
    versions = list(document.versions.order_by("number"))
    assert [version.total for version in versions] == [
        Decimal("120.00"),
        Decimal("180.00"),
    ]
    assert (document.current_version, document.total, versions[1].created_by) == (
        versions[1],
        Decimal("180.00"),
        user,
    )
    assert document.events.order_by("pk").last().kind == "new_version"


def test_a_crafted_post_cannot_rewrite_an_issued_invoice(client):
    company = CompanyFactory()
    sign_in(client, company)
    other_client = ClientFactory(company=company)
    document = DocumentFactory(client__company=company, finalised=True)
    page = client.get(change_url(document))
    form = page.context["adminform"].form

    crafted = posted_back(
        page,
        client=str(other_client.pk),
        currency="USD",
        issue_date="2025-10-01",
        vat_exemption="franchise",
        **{
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(document.lines.get().pk),
            "lines-0-document": str(document.pk),
            "lines-0-description": "Rewritten",
            "lines-0-quantity": "9",
            "lines-0-unit_price": "1.00",
            "lines-0-vat_rate": "5.5",
        },
    )
    response = client.post(change_url(document), crafted)

    assert response.status_code == 302
    assert not {"client", "currency", "issue_date", "vat_exemption"} & set(form.fields)
    document.refresh_from_db()
    line = document.lines.get()
    assert (
        document.number,
        document.client_id,
        document.currency,
        document.issue_date,
        document.total,
        document.versions.count(),
        (line.description, line.quantity, line.unit_price, line.vat_rate),
    ) == (
        "INV-2026-0001",
        document.client.pk,
        "EUR",
        dt.date(2026, 3, 2),
        Decimal("120.00"),
        1,
        ("Consulting", Decimal("1"), Decimal("100.00"), Decimal("20")),
    )
    assert document.client != other_client


def test_deleted_lines_are_left_out(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(
        client__company=company, lines=[line("Keep"), line("Drop", unit_price="5.00")]
    )
    page = client.get(change_url(document))

    client.post(change_url(document), posted_back(page, **{"lines-1-DELETE": "on"}))

    assert list(document.lines.values_list("description", flat=True)) == ["Keep"]


def test_saving_unchanged_finalised_content_writes_no_version(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    page = client.get(change_url(document))

    response = client.post(change_url(document), posted_back(page))

    assert response.status_code == 302
    assert document.versions.count() == 1


@pytest.mark.parametrize(
    "settle",
    [
        lambda d: services.document_cancel(document=d, actor=None, now=NOW),
        lambda d: payment_services.invoice_mark_paid(invoice=d, actor=None, now=NOW),
    ],
    ids=["canceled", "paid"],
)
def test_a_settled_document_is_read_only(client, settle):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    settle(document)
    page = client.get(change_url(document))

    response = client.post(
        change_url(document), posted_back(page, notes="Changed after the fact")
    )

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert response.status_code == 403
    document.refresh_from_db()
    assert (document.notes, document.versions.count()) == ("", 1)


def test_a_refusal_only_the_service_sees_saves_nothing(client, monkeypatch):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    page = client.get(change_url(document))

    def refuse(**kwargs):
        raise services.DocumentNotEditable("A paid document can no longer be changed.")

    monkeypatch.setattr(services, "document_update", refuse)
    response = client.post(change_url(document), posted_back(page, notes="Too late"))

    assert (response.status_code, response.url) == (302, change_url(document))
    assert messages_of(response) == ["A paid document can no longer be changed."]
    document.refresh_from_db()
    assert (document.notes, document.versions.count()) == ("", 1)


def test_versions_and_history_are_shown_read_only(
    client, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is printed
        document = DocumentFactory(client__company=company, finalised=True)

    response = client.get(change_url(document))

    inlines = {
        inline.formset.prefix: inline
        for inline in response.context["inline_admin_formsets"]
    }
    for prefix in ("versions", "events"):
        assert (
            inlines[prefix].has_add_permission,
            inlines[prefix].has_change_permission,
            inlines[prefix].has_delete_permission,
        ) == (False, False, False)
    assert [form.instance.kind for form in inlines["events"].formset.forms] == [
        "created",
        "finalised",
    ]
    assert (
        f'<a href="/admin/documents/document/{document.pk}/versions/1/pdf/">'
        "Download PDF</a>" in response.content.decode()
    )


# Roles.


def test_reporting_sees_documents_and_changes_nothing(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    document = DocumentFactory(client__company=company)
    page = client.get(change_url(document))

    add = client.post(ADD_URL, add_post(document.client))
    change = client.post(change_url(document), posted_back(page, notes="Changed"))

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert (add.status_code, change.status_code) == (403, 403)
    document.refresh_from_db()
    assert document.notes == ""
    assert list(
        Document.objects.for_company(document.company).values_list("pk", flat=True)
    ) == [document.pk]


def test_manager_gets_403_on_every_document_page(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    document = DocumentFactory(client__company=company, finalised=True)

    responses = [
        client.get(LIST_URL),
        client.get(ADD_URL),
        client.post(ADD_URL, add_post(document.client)),
        client.get(change_url(document)),
        client.get(f"/admin/documents/invoice/{document.pk}/history/"),
        client.post(change_url(document), {"notes": "Changed"}),
        # The shared addresses, which lead to these pages, refuse as well.
        client.get("/admin/documents/document/"),
        client.get(f"/admin/documents/document/{document.pk}/change/"),
        client.get(f"/admin/documents/document/{document.pk}/history/"),
    ]

    assert [response.status_code for response in responses] == [403] * 9
    document.refresh_from_db()
    assert document.notes == ""


def test_nobody_deletes_a_document(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company)

    response = client.post(
        f"/admin/documents/document/{document.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


# The PDF download: access only; the PDF itself is the PDF work's to test.


@pytest.fixture
def pdf_served(monkeypatch):
    served = []

    def version_pdf_response(*, request, version):
        served.append(version)
        return HttpResponse(b"%PDF", content_type="application/pdf")

    monkeypatch.setattr("printing.downloads.version_pdf_response", version_pdf_response)
    return served


def pdf_url(document, number=1):
    return f"/admin/documents/document/{document.pk}/versions/{number}/pdf/"


@pytest.mark.parametrize("role", ["owner", "admin", "reporting"])
def test_members_who_see_documents_download_a_version(client, pdf_served, role):
    company = CompanyFactory()
    sign_in(client, company, role=role)
    document = DocumentFactory(client__company=company, finalised=True)

    response = client.get(pdf_url(document))

    assert response.status_code == 200
    assert pdf_served == [document.current_version]


def test_manager_gets_403_on_a_version_pdf(client, pdf_served):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    document = DocumentFactory(client__company=company, finalised=True)

    assert client.get(pdf_url(document)).status_code == 403
    assert pdf_served == []


def test_another_company_s_version_pdf_is_not_found(client, pdf_served):
    sign_in(client, CompanyFactory())
    theirs = DocumentFactory(finalised=True)

    assert client.get(pdf_url(theirs)).status_code == 404
    assert pdf_served == []


def test_a_missing_version_pdf_is_not_found(client, pdf_served):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)

    assert client.get(pdf_url(document, number=2)).status_code == 404
    assert pdf_served == []


# Bad input: a form error on the page, nothing saved.

BAD_LINES = [
    (
        ("Design", "-1", "150.00", "20"),
        {"quantity": ["A quantity must be greater than zero."]},
    ),
    (
        ("Design", "0", "150.00", "20"),
        {"quantity": ["A quantity must be greater than zero."]},
    ),
    (
        ("Design", "1", "-5.00", "20"),
        {"unit_price": ["A unit price cannot be negative."]},
    ),
    (
        ("Design", "1", "150.00", "7"),
        {"vat_rate": ["Select a valid choice. 7 is not one of the available choices."]},
    ),
    (("", "1", "150.00", "20"), {"description": ["This field is required."]}),
    (("   ", "1", "150.00", "20"), {"description": ["This field is required."]}),
]


@pytest.mark.parametrize(("bad_line", "errors"), BAD_LINES)
def test_a_bad_line_is_a_form_error_and_nothing_is_created(client, bad_line, errors):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.post(ADD_URL, add_post(customer, lines=[bad_line]))

    assert response.status_code == 200
    assert form_errors(response) == ({}, [errors], [])
    assert not Document.objects.exists()
    assert not DocumentLine.objects.exists()


BAD_HEADERS = [
    ({"currency": "XYZ"}, {"currency": ["XYZ is not a known currency."]}),
    (
        {"due_date": "2026-03-01"},
        {"due_date": ["The due date cannot be before the issue date."]},
    ),
    (
        {"kind": "quote", "due_date": None, "expiry_date": "2026-03-01"},
        {"expiry_date": ["The expiry date cannot be before the issue date."]},
    ),
]


@pytest.mark.parametrize(("header", "errors"), BAD_HEADERS)
def test_a_bad_header_is_a_form_error_and_nothing_is_created(client, header, errors):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    url = QUOTE_ADD_URL if header.get("kind") == "quote" else ADD_URL

    response = client.post(url, add_post(customer, **header))

    assert response.status_code == 200
    assert form_errors(response) == (errors, [], [])
    assert not Document.objects.exists()


def test_a_total_too_large_to_store_is_a_form_error(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.post(
        ADD_URL, add_post(customer, lines=[("Gold", "999999999", "999999999.00", "20")])
    )

    assert form_errors(response) == ({}, [], ["The document's total is too large."])
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"lines-0-quantity": "-2"},
            "quantity",
            "A quantity must be greater than zero.",
        ),
        (
            {"lines-0-unit_price": "-1.00"},
            "unit_price",
            "A unit price cannot be negative.",
        ),
        ({"lines-0-description": ""}, "description", "This field is required."),
        (
            {"lines-0-vat_rate": "19.6"},
            "vat_rate",
            "Select a valid choice. 19.6 is not one of the available choices.",
        ),
    ],
)
def test_bad_input_on_a_finalised_quote_writes_no_version(
    client, changes, field, message
):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, kind="quote", finalised=True)
    page = client.get(change_url(document))

    response = client.post(change_url(document), posted_back(page, **changes))

    assert response.status_code == 200
    assert form_errors(response) == ({}, [{field: [message]}], [])
    document.refresh_from_db()
    assert (document.versions.count(), document.total) == (1, Decimal("120.00"))
    assert list(document.lines.values_list("quantity", "unit_price")) == [
        (Decimal("1"), Decimal("100.00"))
    ]


def test_a_due_date_before_the_issue_date_on_a_finalised_document(client):
    company = CompanyFactory()
    sign_in(client, company)
    document = DocumentFactory(client__company=company, finalised=True)
    page = client.get(change_url(document))

    response = client.post(
        change_url(document), posted_back(page, due_date="2026-01-01")
    )

    assert form_errors(response) == (
        {"due_date": ["The due date cannot be before the issue date."]},
        [],
        [],
    )
    document.refresh_from_db()
    assert (document.due_date, document.versions.count()) == (dt.date(2026, 4, 1), 1)

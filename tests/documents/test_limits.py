"""No document can be made too big to print, and no field holds control
characters where one line is expected."""

from decimal import Decimal

import pytest
from django.conf import settings

from clients.forms import ClientForm
from companies.forms import CompanySettingsForm
from companies.validators import NOTES_MAX_LENGTH
from documents import services
from documents.models import DocumentLine
from documents.totals import MAX_LINES
from mail import services as mail_services
from tests.backoffice import browser_form_data, sign_in
from tests.backoffice.test_documents import ADD_URL, LIST_URL, add_post, change_url
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line

pytestmark = pytest.mark.django_db


def test_notes_longer_than_the_limit_are_a_form_error_and_nothing_is_saved(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)

    response = client.post(
        ADD_URL, add_post(customer, notes="x" * (NOTES_MAX_LENGTH + 1))
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["notes"] == [
        f"Ensure this value has at most {NOTES_MAX_LENGTH} characters "
        f"(it has {NOTES_MAX_LENGTH + 1})."
    ]
    assert customer.documents.count() == 0


def test_too_many_lines_are_a_form_error_and_nothing_is_saved(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    lines = [(f"Line {n}", "1", "1.00", "20") for n in range(MAX_LINES + 1)]

    response = client.post(ADD_URL, add_post(customer, lines=lines))

    assert response.status_code == 200
    (lines_formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "lines"
    ]
    assert lines_formset.non_form_errors() == [
        f"A document has at most {MAX_LINES} lines."
    ]
    assert customer.documents.count() == 0


def test_the_services_refuse_the_same_limits():
    customer = ClientFactory()

    with pytest.raises(services.InvalidDocument, match="at most 200 lines"):
        DocumentFactory(client=customer, lines=[line()] * (MAX_LINES + 1))
    with pytest.raises(services.InvalidDocument, match="Notes have at most 5000"):
        DocumentFactory(client=customer, notes="x" * (NOTES_MAX_LENGTH + 1))
    with pytest.raises(services.InvalidDocument, match="one line"):
        DocumentFactory(client=customer, lines=[line("Design\r\nBcc: x@example.com")])
    assert customer.documents.count() == 0


@pytest.mark.parametrize(
    "name", ["Acme\r\nBcc: evil@example.com", "Acme\tLtd", "A\x1b[2J", "A\u2028B"]
)
def test_control_characters_are_refused_in_single_line_fields(name):
    form = ClientForm(data={"name": name, "locale": "fr"})

    assert not form.is_valid()
    message = "Use a single line, without line breaks, tabs or control characters."
    assert form.errors["name"] == [message]


def test_an_address_keeps_its_lines():
    form = ClientForm(
        data={"name": "Acme", "locale": "fr", "address": "1 rue X\r\n75001 Paris"}
    )

    assert form.is_valid(), form.errors


def test_a_line_break_in_a_name_already_stored_does_not_break_sending(
    mailoutbox, django_capture_on_commit_callbacks
):
    customer = ClientFactory(name="Acme\r\nBcc: evil@example.com")
    document = DocumentFactory(client=customer, finalised=True)

    with django_capture_on_commit_callbacks(execute=True):
        mail_services.document_send(document=document, actor=None, now=NOW)

    (mail,) = mailoutbox
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.to == [customer.email]


@pytest.mark.parametrize("code", ["KWD", "BHD", "TND"])
def test_three_decimal_currencies_are_refused_with_a_clear_message(code):
    company = CompanyFactory()
    form = CompanySettingsForm(
        instance=company,
        data={"name": company.name, "default_currency": code, "default_locale": "fr"},
    )

    assert not form.is_valid()
    assert form.errors["default_currency"] == [
        f"{code} has 3 decimal places; amounts are kept with at most 2, so "
        "documents cannot use it yet."
    ]
    with pytest.raises(services.InvalidDocument, match=f"{code} has 3 decimal"):
        DocumentFactory(client=ClientFactory(company=company), currency=code)


def test_zero_and_two_decimal_currencies_are_fine():
    for code in ("JPY", "EUR", "GBP"):
        DocumentFactory(currency=code)


def _posted(fields, **changes):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data | {name: [value] for name, value in changes.items()}


def test_a_draft_at_the_line_limit_saves_from_its_page_as_a_browser_posts_it(client):
    company = CompanyFactory()
    sign_in(client, company)
    draft = DocumentFactory(
        client__company=company,
        lines=[line(f"Line {n}", unit_price="10.00") for n in range(MAX_LINES)],
    )
    page = client.get(change_url(draft))
    fields = browser_form_data(page.content.decode(), "invoice_form")

    response = client.post(
        change_url(draft),
        _posted(fields, **{"lines-199-unit_price": "12.50", "_save": "Save"}),
    )

    assert (response.status_code, response.get("Location")) == (302, LIST_URL)
    draft.refresh_from_db()
    prices = list(
        DocumentLine.objects.for_company(company)
        .filter(document=draft)
        .order_by("position", "pk")
        .values_list("unit_price", flat=True)
    )
    assert prices == [Decimal("10.00")] * (MAX_LINES - 1) + [Decimal("12.50")]
    assert draft.total == Decimal("2403.00")  # 1,992.50 + 20 % VAT


def test_the_field_limit_is_what_the_largest_form_posts_and_little_more(client):
    company = CompanyFactory()
    sign_in(client, company)
    draft = DocumentFactory(client__company=company, lines=[line()] * MAX_LINES)
    page = client.get(change_url(draft)).content.decode()
    # Every line's "delete" ticked: the most this page can post.
    most = browser_form_data(page, "invoice_form") + [
        (f"lines-{n}-DELETE", "on") for n in range(MAX_LINES)
    ]

    assert 0 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS - len(most) < 100
    assert len(most) > 1000  # Django's default would refuse it

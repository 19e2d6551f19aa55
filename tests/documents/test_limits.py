"""No document can be made too big to print, and no field holds control
characters where one line is expected."""

import pytest

from clients.forms import ClientForm
from companies.forms import CompanySettingsForm
from companies.validators import NOTES_MAX_LENGTH
from documents import services
from documents.totals import MAX_LINES
from mail import services as mail_services
from tests.backoffice import sign_in
from tests.backoffice.test_documents import ADD_URL, add_post
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

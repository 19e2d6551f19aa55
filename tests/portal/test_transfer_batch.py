"""Paying the ticked invoices by one bank transfer, from the invoices tab: a
page of its own (one reference, one QR code, the invoices and their amounts,
plain text without JavaScript), then "I have sent this transfer"."""

import re

import pytest
from django.utils import timezone

from documents.models import ClientEmail
from payments import services
from payments.models import TransferBatch, TransferDeclaration
from tests.backoffice import sign_in
from tests.factories import ClientFactory, DocumentFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return ClientFactory()


def _open(http, customer, invoices):
    return http.post(
        url("transfer_batch_open", customer),
        {"invoice": [document.pk for document in invoices]},
    )


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, element_id
    return found[1].strip()


def test_without_card_payments_the_form_offers_the_transfer(client, customer):
    invoice(customer), invoice(customer)

    html = client.get(url("invoices", customer)).content.decode()

    form = html.split('id="pay-several-form"')[1].split("</form>")[0]
    assert f'action="{url("transfer_batch_open", customer)}"' in html
    assert 'id="pay-several-transfer-button"' in form
    assert 'id="pay-several-button"' not in form


def test_the_ticked_invoices_get_one_reference_and_one_qr_code(client, customer):
    first, second = invoice(customer), invoice(customer)
    invoice(customer)  # not ticked

    response = _open(client, customer, [first, second])
    page = client.get(response["Location"])

    batch = TransferBatch.objects.for_company(customer.company).get()
    html = page.content.decode()
    assert response.status_code == 303
    assert response["Location"] == url(
        "transfer_batch", customer, batch_id=batch.public_id
    )
    assert page.status_code == 200
    assert _text(html, "transfer-amount") == "€240.00"
    assert _text(html, "transfer-iban") == "FR7630006000011234567890189"
    assert _text(html, "transfer-bic") == "AGRIFRPP"
    assert re.sub(r"\s", "", _text(html, "transfer-reference")) == batch.reference
    assert html.count("<svg") == 1
    assert re.findall(
        r'<tr data-number="([^"]+)"><th scope="row"><a href="[^"]+">[^<]+</a></th>'
        r'<td class="numeric">([^<]+)</td>',
        html,
    ) == sorted([(first.number, "€120.00"), (second.number, "€120.00")])
    assert "/static/portal/copy.js" in html


def test_one_ticked_invoice_is_paid_on_its_own_page(client, customer):
    only = invoice(customer)
    invoice(customer)

    response = _open(client, customer, [only])

    assert response.status_code == 303
    assert response["Location"] == url("document", customer, document_id=only.pk) + (
        "#bank-transfer"
    )
    assert not TransferBatch.objects.exists()


@pytest.mark.parametrize("chosen", ["another client's", "garbage", "nothing"])
def test_what_the_client_cannot_pay_is_a_400_that_opens_nothing(
    client, customer, chosen
):
    own = invoice(customer)
    invoice(customer)
    values = {
        "another client's": [own.pk, invoice(ClientFactory()).pk],
        "garbage": [own.pk, "1; DROP"],
        "nothing": [],
    }[chosen]

    response = client.post(url("transfer_batch_open", customer), {"invoice": values})

    assert response.status_code == 400
    assert "Choose the invoices to pay." in _text(
        response.content.decode(), "pay-several-error"
    ).replace("<p>", "")
    assert not TransferBatch.objects.exists()


def test_two_currencies_are_refused_with_the_reason(client, customer):
    euros = invoice(customer)
    pounds = DocumentFactory(client=customer, finalised=True, currency="GBP")

    response = _open(client, customer, [euros, pounds])

    html = response.content.decode()
    assert response.status_code == 409
    assert "paid one currency at a time" in html.split('id="pay-several-error"')[1]
    assert not TransferBatch.objects.exists()


def test_another_clients_batch_is_not_found(client, customer):
    first, second = invoice(customer), invoice(customer)
    location = _open(client, customer, [first, second])["Location"]
    batch_id = location.rstrip("/").rsplit("/", 1)[1]
    neighbour = ClientFactory(company=customer.company)

    page = client.get(url("transfer_batch", neighbour, batch_id=batch_id))
    declare = client.post(
        url("transfer_batch_declare", neighbour, batch_id=batch_id), {}
    )
    guessed = client.get(url("transfer_batch", customer, batch_id="1"))

    assert (page.status_code, declare.status_code, guessed.status_code) == (
        404,
        404,
        404,
    )
    assert not TransferDeclaration.objects.exists()


def test_declared_every_invoice_shows_it_and_the_client_gets_one_email(
    client, customer, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = invoice(customer), invoice(customer)
    location = _open(client, customer, [first, second])["Location"]
    batch_id = location.rstrip("/").rsplit("/", 1)[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("transfer_batch_declare", customer, batch_id=batch_id),
            {"paid_on": ""},
        )
    page = client.get(response["Location"]).content.decode()
    tab = client.get(url("invoices", customer)).content.decode()
    invoice_page = client.get(
        url("document", customer, document_id=first.pk)
    ).content.decode()

    assert response.status_code == 303
    assert response["Location"] == f"{location}?declared=1"
    assert 'data-state="declared"' in page
    assert 'id="declare-form"' not in page
    assert tab.count("Transfer declared on ") == 2
    assert 'id="transfer-declared"' in invoice_page
    assert (
        ClientEmail.objects.for_company(customer.company)
        .filter(kind=ClientEmail.Kind.TRANSFER_DECLARED)
        .count()
        == 1
    )
    assert len(mailoutbox) == 1


def test_a_bad_date_is_the_page_again_with_its_error(client, customer):
    first, second = invoice(customer), invoice(customer)
    location = _open(client, customer, [first, second])["Location"]
    batch_id = location.rstrip("/").rsplit("/", 1)[1]

    garbled = client.post(
        url("transfer_batch_declare", customer, batch_id=batch_id),
        {"paid_on": "tomorrow"},
    )
    future = client.post(
        url("transfer_batch_declare", customer, batch_id=batch_id),
        {"paid_on": "2999-01-01"},
    )

    assert garbled.status_code == 400
    assert "Enter the date as shown" in garbled.content.decode()
    assert future.status_code == 400
    assert "cannot be in the future" in _text(future.content.decode(), "batch-error")
    assert not TransferDeclaration.objects.exists()


def test_a_members_preview_may_not_declare(client, customer):
    first, second = invoice(customer), invoice(customer)
    location = _open(client, customer, [first, second])["Location"]
    batch_id = location.rstrip("/").rsplit("/", 1)[1]
    sign_in(client, customer.company)

    opened = _open(client, customer, [first, second])
    declared = client.post(
        url("transfer_batch_declare", customer, batch_id=batch_id), {}
    )

    assert (opened.status_code, declared.status_code) == (403, 403)
    assert not TransferDeclaration.objects.exists()


def test_get_is_not_allowed_to_open_nor_declare(client, customer):
    response = client.get(url("transfer_batch_open", customer))

    assert response.status_code == 405


def test_in_french_the_page_speaks_french(client):
    customer = ClientFactory(locale="fr")
    first, second = invoice(customer), invoice(customer)

    location = _open(client, customer, [first, second])["Location"]
    html = client.get(location).content.decode()

    assert "Payer plusieurs factures par un seul virement" in html
    assert "J’ai envoyé ce virement" in html
    assert _text(html, "transfer-amount") == "240,00\u00a0€"


def test_an_invoice_declared_paid_is_not_ticked_again_by_default(client, customer):
    declared, first, second = invoice(customer), invoice(customer), invoice(customer)
    location = _open(client, customer, [declared, first])["Location"]
    client.post(f"{location}sent/", {})
    batch_id = location.rstrip("/").rsplit("/", 1)[1]
    assert TransferDeclaration.objects.filter(batch__public_id=batch_id).count() == 2

    html = client.get(url("invoices", customer)).content.decode()

    form = html.split('id="pay-several-form"')[1].split("</form>")[0]
    ticked = re.findall(r'value="(\d+)"[^>]*? checked>', form)
    assert ticked == [str(second.pk)]
    assert form.count("transfer declared, awaiting confirmation") == 2


def test_once_recorded_the_page_no_longer_asks_for_the_transfer(client, customer):
    first, second = invoice(customer), invoice(customer)
    page_url = _open(client, customer, [first, second])["Location"]
    batch = TransferBatch.objects.for_company(customer.company).get()
    services.transfer_batch_record(batch=batch, actor=None, now=timezone.now())

    html = client.get(page_url).content.decode()

    assert 'data-state="recorded"' in html
    assert _text(html, "transfer-heading") == "€240.00 received by one transfer"
    assert "<svg" not in html and 'id="transfer-iban"' not in html
    assert 'id="declare-form"' not in html


def test_a_batch_its_invoices_no_longer_match_says_not_to_send_it(client, customer):
    first, second = invoice(customer), invoice(customer)
    page_url = _open(client, customer, [first, second])["Location"]
    services.invoice_mark_paid(invoice=second, actor=None, now=timezone.now())

    html = client.get(page_url).content.decode()

    assert 'data-state="stale"' in html
    assert "Do not send it" in html
    assert _text(html, "transfer-heading") == "A transfer of €240.00, not to send"
    assert "<svg" not in html and 'id="transfer-iban"' not in html
    assert 'id="declare-form"' not in html

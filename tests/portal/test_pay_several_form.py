"""The invoices tab's "Pay several invoices at once": a POST form with one
checkbox per open invoice (the first currency's ticked), checked again on the
server; refusals are the tab again with the reason, and open nothing."""

import re

import pytest

from payments.models import CheckoutSession, CheckoutSessionLine
from tests.backoffice import sign_in
from tests.factories import ClientFactory, DocumentFactory
from tests.payments import fake_stripe
from tests.payments.helpers import connect
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


@pytest.fixture
def customer(stripe_fake):
    customer = ClientFactory()
    connect(customer.company)
    return customer


def _form(html: str) -> dict:
    section = html.split('id="pay-several"')[1].split("</section>")[0]
    return {
        "boxes": re.findall(
            r'<input type="checkbox" name="invoice" value="(\d+)"[^>]*'
            r'data-currency="([A-Z]{3})"[^>]*?( checked)?>',
            section,
        ),
        "total": re.search(r'id="pay-several-total"[^>]*>([^<]+)<', section)[1],
    }


def test_every_open_invoice_has_its_box_and_the_first_currency_is_ticked(
    client, customer, stripe_fake
):
    euros = [invoice(customer), invoice(customer)]
    pounds = DocumentFactory(client=customer, finalised=True, currency="GBP")
    invoice(customer, status="paid")  # nothing to pay: no box

    response = client.get(url("invoices", customer))

    html = response.content.decode()
    assert sorted(_form(html)["boxes"]) == sorted(
        [(str(euros[0].pk), "EUR", " checked"), (str(euros[1].pk), "EUR", " checked")]
        + [(str(pounds.pk), "GBP", "")]
    )
    assert _form(html)["total"] == "€240.00"
    assert stripe_fake.base_url in response["Content-Security-Policy"]
    assert "/static/portal/pay-several.js" in html


def test_the_ticked_invoices_go_to_one_checkout(client, customer, stripe_fake):
    first, second, _third = (invoice(customer) for _ in range(3))

    response = client.post(
        url("invoices_pay", customer), {"invoice": [first.pk, second.pk]}
    )

    checkout = CheckoutSession.objects.for_company(customer.company).get()
    assert response.status_code == 303
    assert response["Location"] == checkout.url
    assert sorted(
        CheckoutSessionLine.objects.for_company(customer.company).values_list(
            "invoice_id", flat=True
        )
    ) == sorted([first.pk, second.pk])


def test_one_ticked_invoice_is_paid_as_on_its_own_page(client, customer):
    only = invoice(customer)
    invoice(customer)

    response = client.post(url("invoices_pay", customer), {"invoice": [only.pk]})

    assert response.status_code == 303
    checkout = CheckoutSession.objects.for_company(customer.company).get()
    assert checkout.invoice_id == only.pk
    assert not CheckoutSessionLine.objects.for_company(customer.company).exists()


def test_two_currencies_are_refused_with_the_ticks_kept(client, customer):
    euros = invoice(customer)
    invoice(customer)
    pounds = DocumentFactory(client=customer, finalised=True, currency="GBP")

    response = client.post(
        url("invoices_pay", customer), {"invoice": [euros.pk, pounds.pk]}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "paid one currency at a time" in html.split('id="pay-several-error"')[1]
    assert {pk for pk, _c, ticked in _form(html)["boxes"] if ticked} == {
        str(euros.pk),
        str(pounds.pk),
    }
    assert not CheckoutSession.objects.exists()


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

    response = client.post(url("invoices_pay", customer), {"invoice": values})

    assert response.status_code == 400
    assert "Choose the invoices to pay." in response.content.decode()
    assert not CheckoutSession.objects.exists()


def test_without_card_payments_nor_iban_there_is_no_form(client):
    customer = ClientFactory(company__iban="")
    invoice(customer), invoice(customer)

    html = client.get(url("invoices", customer)).content.decode()

    assert 'id="pay-several"' not in html


def test_a_members_preview_may_not_pay_several(client, customer):
    first, second = invoice(customer), invoice(customer)
    sign_in(client, customer.company)

    response = client.post(
        url("invoices_pay", customer), {"invoice": [first.pk, second.pk]}
    )

    assert response.status_code == 403
    assert not CheckoutSession.objects.exists()

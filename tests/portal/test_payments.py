"""Paying an invoice from the portal: the Pay form, the return from Checkout,
bank transfer details with their QR code, and "I have paid by transfer"."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from companies.references import is_valid_creditor_reference
from documents.models import DocumentEvent
from payments import services
from payments.models import CheckoutSession, Payment, TransferDeclaration
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.payments import fake_stripe
from tests.payments.helpers import connect, payable_invoice
from tests.portal.helpers import hide, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


SESSIONS = "/v1/checkout/sessions"


def page(client, portal, invoice, **params):
    response = client.get(url("document", portal, document_id=invoice.pk), params)
    assert response.status_code == 200
    return response.content.decode()


def pay(client, portal, invoice):
    return client.post(url("invoice_pay", portal, document_id=invoice.pk))


def back_from_checkout(client, stripe_fake, session_id, *, canceled=False):
    """The client's browser sent back by Checkout to the address it was given."""
    address = urlsplit(stripe_fake.return_url(session_id, canceled=canceled))
    assert address.netloc == "testserver"
    return client.get(f"{address.path}?{address.query}")


def test_an_open_invoice_offers_pay_as_a_post_form(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client

    html = page(client, portal, invoice)

    pay_url = url("invoice_pay", portal, document_id=invoice.pk)
    assert (
        f'<form class="pay-form" id="pay-form" method="post" action="{pay_url}">'
        in html
    )
    assert re.search(r'id="pay-button"[^>]*>Pay €120\.00</button>', html)
    assert 'name="csrfmiddlewaretoken"' in html.split('id="pay-form"')[1]
    assert f'href="{pay_url}"' not in html  # never a link


def test_pay_answers_303_to_the_checkout_session(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client

    response = pay(client, portal, invoice)

    checkout = CheckoutSession.objects.for_company(invoice.company).get()
    assert (response.status_code, response["Location"]) == (303, checkout.url)
    (request,) = stripe_fake.posts(SESSIONS)
    # The way back names the session alone: no link of the client's.
    assert (request.form["success_url"], request.form["cancel_url"]) == (
        "http://testserver/p/checkout/return/?session_id={CHECKOUT_SESSION_ID}",
        "http://testserver/p/checkout/canceled/?session_id={CHECKOUT_SESSION_ID}",
    )
    assert request.form["locale"] == "en"


def test_pay_with_csrf_checks_on_is_refused_without_the_token(stripe_fake):
    from django.test import Client

    invoice = payable_invoice()
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(url("invoice_pay", invoice.client, document_id=invoice.pk))

    assert response.status_code == 403
    assert stripe_fake.posts(SESSIONS) == []


def test_a_get_on_pay_opens_nothing(client, stripe_fake):
    invoice = payable_invoice()

    response = client.get(url("invoice_pay", invoice.client, document_id=invoice.pk))

    assert response.status_code == 405
    assert stripe_fake.posts(SESSIONS) == []


def test_a_stripe_outage_shows_a_message_on_the_page_and_changes_nothing(
    client, stripe_fake
):
    invoice = payable_invoice()
    stripe_fake.fail_next(500, times=3)

    response = pay(client, invoice.client, invoice)

    html = response.content.decode()
    assert response.status_code == 503
    assert 'id="payment-error" role="alert"' in html
    assert "Card payment is unavailable right now." in html
    invoice.refresh_from_db()
    assert invoice.status == "to_pay"
    assert not CheckoutSession.objects.for_company(invoice.company).exists()


def test_pay_on_a_paid_invoice_gives_a_clear_message_and_no_session(
    client, stripe_fake
):
    invoice = payable_invoice()
    services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)

    response = pay(client, invoice.client, invoice)

    assert response.status_code == 409
    assert "This invoice has nothing left to pay online." in response.content.decode()
    assert stripe_fake.posts(SESSIONS) == []


def test_pay_on_what_is_not_the_client_s_open_invoice_is_404(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    hidden = payable_invoice(client=portal)
    hide(hidden)
    draft = DocumentFactory(client=portal)
    quote = DocumentFactory(client=portal, kind="quote", finalised=True)
    theirs = payable_invoice()

    statuses = [
        pay(client, portal, document).status_code
        for document in (hidden, draft, quote, theirs)
    ]
    stranger = pay(client, theirs.client, invoice).status_code

    assert statuses + [stranger] == [404] * 5
    assert stripe_fake.posts(SESSIONS) == []


def test_the_return_shows_paid_before_any_webhook(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    checkout_url = pay(client, portal, invoice)["Location"]
    session_id = checkout_url.rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)

    response = back_from_checkout(client, stripe_fake, session_id)
    html = client.get(response["Location"]).content.decode()

    document_url = url("document", portal, document_id=invoice.pk)
    assert (response.status_code, response["Location"]) == (
        303,
        f"{document_url}?checkout=paid",
    )
    assert '<span class="status status--paid" id="document-status">Paid</span>' in html
    assert "Thank you: your payment was received." in html
    assert "Paid €120.00 by card" in html
    assert 'id="pay-button"' not in html and 'id="bank-transfer"' not in html
    assert Payment.objects.for_company(invoice.company).get().method == "card"


def test_the_return_of_a_bank_debit_shows_processing(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    session_id = pay(client, portal, invoice)["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id, status="unpaid")

    response = back_from_checkout(client, stripe_fake, session_id)
    html = client.get(response["Location"]).content.decode()
    listed = client.get(url("invoices", portal)).content.decode()

    assert response["Location"].endswith("?checkout=processing")
    assert 'id="document-status">Processing</span>' in html
    assert 'id="pay-button"' not in html
    assert f'data-document-id="{invoice.pk}" data-status="processing"' in listed


def test_the_return_lands_on_the_invoice_its_session_was_opened_for(
    client, stripe_fake
):
    invoice = payable_invoice()
    other = payable_invoice(client=invoice.client)
    portal = invoice.client
    session_id = pay(client, portal, other)["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)

    response = back_from_checkout(client, stripe_fake, session_id)

    assert response["Location"] == (
        url("document", portal, document_id=other.pk) + "?checkout=paid"
    )
    invoice.refresh_from_db()
    other.refresh_from_db()
    assert (invoice.status, other.status) == ("to_pay", "paid")


def test_canceled_checkout_lands_on_the_invoice_unchanged_with_a_note(
    client, stripe_fake
):
    invoice = payable_invoice()
    portal = invoice.client
    session_id = pay(client, portal, invoice)["Location"].rsplit("/", 1)[-1]

    response = back_from_checkout(client, stripe_fake, session_id, canceled=True)
    html = client.get(response["Location"]).content.decode()

    assert (response.status_code, response["Location"]) == (
        303,
        url("document", portal, document_id=invoice.pk) + "?checkout=canceled",
    )
    assert "Payment canceled: nothing was charged." in html
    assert 'id="pay-button"' in html
    invoice.refresh_from_db()
    assert invoice.status == "to_pay"
    # Nothing was asked of Stripe on the way back: nothing was paid.
    assert [r.path for r in stripe_fake.requests if r.method == "GET"] == []


def test_the_return_during_a_stripe_outage_says_it_is_confirming(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    session_id = pay(client, portal, invoice)["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)
    stripe_fake.outage = True

    response = back_from_checkout(client, stripe_fake, session_id)
    html = client.get(response["Location"]).content.decode()

    assert response["Location"].endswith("?checkout=unconfirmed")
    assert "We are confirming your payment" in html
    invoice.refresh_from_db()
    assert invoice.status == "to_pay"


def test_the_cancel_url_shows_the_invoice_unchanged_with_a_note(client, stripe_fake):
    invoice = payable_invoice()

    html = page(client, invoice.client, invoice, checkout="canceled")

    assert "Payment canceled: nothing was charged." in html
    assert 'id="pay-button"' in html
    # Notices are not a way to inject anything: the page's own scripts only.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/portal/copy.js" defer>',
        '<script src="/static/portal/live.js" defer>',
        '<script src="/static/portal/beacon.js" defer>',
        '<script src="/static/portal/language.js" defer>',
    ]
    assert (
        page(client, invoice.client, invoice, checkout="<b>x</b>").count(
            'id="payment-notice"'
        )
        == 0
    )


def test_an_old_version_offers_no_payment(client, stripe_fake):
    from documents.services import document_lines, document_update

    invoice = payable_invoice()
    document_update(
        document=invoice, lines=document_lines(invoice), actor=None, now=NOW, notes="v2"
    )

    html = client.get(
        url("document_version", invoice.client, document_id=invoice.pk, number=1)
    ).content.decode()

    assert 'id="pay-button"' not in html and 'id="bank-transfer"' not in html


def test_without_stripe_only_the_bank_transfer_is_offered(client, settings):
    invoice = DocumentFactory(finalised=True)

    html = page(client, invoice.client, invoice)

    assert 'id="pay-button"' not in html
    assert 'id="bank-transfer"' in html


def test_bank_transfer_shows_iban_rf_reference_and_an_inline_epc_qr(client):
    invoice = DocumentFactory(finalised=True)
    portal = invoice.client

    html = page(client, portal, invoice)

    section = html.split('id="bank-transfer"')[1].split("</section>")[0]
    assert "FR7630006000011234567890189" in section
    assert "AGRIFRPP" in section
    reference = re.search(
        r'id="transfer-reference" data-copy="RF16INV20260001">([^<]+)<', section
    )[1]
    assert reference == "RF16 INV2 0260 001"
    assert is_valid_creditor_reference(reference)
    assert f'id="transfer-invoice">{invoice.number}<' in section
    assert re.search(
        r'<figure class="transfer__qr-figure" id="epc-qr">\s*<svg ', section
    )
    assert "<img" not in section and "style=" not in section


def test_the_qr_code_carries_an_epc_credit_transfer(client):
    from segno import helpers

    invoice = DocumentFactory(finalised=True)

    html = page(client, invoice.client, invoice)

    expected = helpers.make_epc_qr(
        name=f"{invoice.company.name} SAS",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        amount=Decimal("120.00"),
        reference="RF16INV20260001",
    )
    expected_path = re.search(r' d="([^"]+)"', expected.svg_inline(scale=4))[1]
    assert f'd="{expected_path}"' in html


def test_no_qr_code_for_another_currency_than_euro(client):
    invoice = DocumentFactory(finalised=True, currency="GBP")

    html = page(client, invoice.client, invoice)

    assert 'id="bank-transfer"' in html and 'id="epc-qr"' not in html


def test_i_have_paid_by_transfer_writes_history_and_changes_no_status(client):
    invoice = DocumentFactory(finalised=True)
    portal = invoice.client
    revision = portal.portal_revision
    today = timezone.localdate()

    response = client.post(
        url("transfer_declare", portal, document_id=invoice.pk),
        {"paid_on": today.isoformat()},
    )
    again = client.post(url("transfer_declare", portal, document_id=invoice.pk), {})
    html = client.get(response["Location"]).content.decode()

    assert (response.status_code, again.status_code) == (303, 303)
    assert response["Location"].endswith("?declared=1")
    invoice.refresh_from_db()
    portal.refresh_from_db()
    assert invoice.status == "to_pay" and portal.portal_revision > revision
    declaration = TransferDeclaration.objects.for_company(invoice.company).get()
    assert (declaration.paid_on_date, declaration.amount) == (today, Decimal("120.00"))
    events = DocumentEvent.objects.for_company(invoice.company).filter(
        kind="transfer_declared"
    )
    assert [(e.actor_name, e.details) for e in events] == [
        (portal.name, {"paid_on": today.isoformat()})
    ]
    assert "now knows you paid by bank transfer" in html
    assert 'id="transfer-declared"' in html and 'id="declare-form"' not in html


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        ("2999-01-01", "The date of the transfer cannot be in the future."),
        (
            "2000-01-01",
            "The date of the transfer cannot be before the invoice was issued.",
        ),
        ("yesterday", "Enter the date as shown: year, month, day."),
    ],
)
def test_a_bad_transfer_date_is_a_clear_message_and_nothing_written(
    client, paid_on, message
):
    invoice = DocumentFactory(finalised=True)

    response = client.post(
        url("transfer_declare", invoice.client, document_id=invoice.pk),
        {"paid_on": paid_on},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TransferDeclaration.objects.for_company(invoice.company).exists()


def test_a_paid_invoice_takes_no_declaration(client):
    invoice = DocumentFactory(finalised=True)
    services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)

    response = client.post(
        url("transfer_declare", invoice.client, document_id=invoice.pk), {}
    )

    assert response.status_code == 400
    assert "This invoice has nothing left to pay." in response.content.decode()
    assert not TransferDeclaration.objects.for_company(invoice.company).exists()


def test_the_list_shows_what_is_left_to_pay(client):
    invoice = DocumentFactory(finalised=True)
    services.payment_record(
        invoice=invoice, amount=Decimal("20.00"), method="transfer", actor=None, now=NOW
    )

    listed = client.get(url("invoices", invoice.client)).content.decode()
    html = page(client, invoice.client, invoice)

    assert "€100.00 left to pay" in listed
    assert 'id="amount-due">€100.00</dd>' in html
    assert "Paid €20.00 by bank transfer" in html


def test_a_refund_shows_on_the_page_and_the_invoice_is_due_again(client):
    invoice = DocumentFactory(finalised=True, due_date=dt.date(2099, 1, 1))
    payment = services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    services.refund_record(
        payment=payment, amount=Decimal("50.00"), actor=None, now=NOW
    )

    html = page(client, invoice.client, invoice)

    assert 'id="document-status">Partially paid</span>' in html
    assert 'id="amount-refunded">€50.00</dd>' in html
    assert 'id="amount-due">€50.00</dd>' in html
    assert "Refunded €50.00" in html


def test_an_overpaid_invoice_says_so(client, stripe_fake):
    invoice = payable_invoice()
    portal = invoice.client
    session_id = pay(client, portal, invoice)["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)
    services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    back_from_checkout(client, stripe_fake, session_id)

    html = page(client, portal, invoice)

    assert "You paid €120.00 more than this invoice asked for." in html
    assert 'id="amount-due"' not in html


def test_a_warm_invoice_page_with_payments_stays_at_two_queries(
    client, stripe_fake, django_assert_max_num_queries
):
    invoice = payable_invoice()
    page(client, invoice.client, invoice)

    with django_assert_max_num_queries(2):
        page(client, invoice.client, invoice)


def test_connecting_stripe_shows_pay_on_open_pages_at_once(client, stripe_fake):
    invoice = DocumentFactory(finalised=True)
    before = page(client, invoice.client, invoice)

    connect(invoice.company)
    after = page(client, invoice.client, invoice)

    assert 'id="pay-button"' not in before and 'id="pay-button"' in after
    services.stripe_disconnect(company=invoice.company, now=NOW, actor=None)
    assert 'id="pay-button"' not in page(client, invoice.client, invoice)


def test_every_payment_url_answers_404_for_another_client_s_invoice(client):
    invoice = DocumentFactory(finalised=True)
    stranger = ClientFactory()

    responses = [
        client.post(url("invoice_pay", stranger, document_id=invoice.pk)),
        client.post(url("transfer_declare", stranger, document_id=invoice.pk)),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert not TransferDeclaration.objects.for_company(invoice.company).exists()


def test_payment_dates_use_the_business_day(client):
    # The declared day is checked against the business time zone's today.
    invoice = DocumentFactory(
        finalised=True, issue_date=timezone.localdate() - dt.timedelta(days=3)
    )

    response = client.post(
        url("transfer_declare", invoice.client, document_id=invoice.pk),
        {"paid_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 303


def test_only_a_page_offering_pay_lets_its_form_go_to_checkout(client, stripe_fake):
    invoice = payable_invoice()
    paid = payable_invoice(client=invoice.client)
    services.invoice_mark_paid(invoice=paid, actor=None, now=NOW)

    def form_action(document):
        response = client.get(url("document", invoice.client, document_id=document.pk))
        csp = response["Content-Security-Policy"]
        return re.search(r"form-action ([^;]+);", csp)[1]

    assert form_action(invoice) == f"'self' {stripe_fake.base_url}"
    assert form_action(paid) == "'self'"

"""The back office's payment pages: recording and refunding by hand, the lists
to review, declared transfers, and the Stripe connection page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from companies.models import AuditEvent
from documents.models import DocumentEvent
from payments import services
from payments.models import Payment, Refund, StripeAccount, TransferDeclaration
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, CompanyFactory, DocumentFactory
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.helpers import (
    charge_event,
    checkout_open,
    connect,
    deliver,
    payable_invoice,
    session_event,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/payments/payment/add/"
STRIPE_URL = "/admin/payments/stripeaccount/"
DECLARED_URL = "/admin/payments/transferdeclaration/"


def record_form(invoice, **values):
    return {
        "invoice": invoice.pk,
        "amount": "20.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "transfer",
        "note": "",
        **values,
    }


def test_an_owner_records_a_payment_by_hand(client):
    invoice = DocumentFactory(finalised=True)
    owner = sign_in(client, invoice.company)
    day = timezone.localdate() - dt.timedelta(days=1)

    response = client.post(
        ADD_URL,
        record_form(
            invoice, received_on=day.isoformat(), method="manual", note="Cheque 42"
        ),
    )

    assert response.status_code == 302
    payment = Payment.objects.for_company(invoice.company).get()
    assert (payment.amount, payment.method, payment.note, payment.recorded_by) == (
        Decimal("20.00"),
        "manual",
        "Cheque 42",
        owner,
    )
    assert timezone.localdate(payment.received_at) == day
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", Decimal("100.00"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "150.00"}, "amount", "This is more than the amount due (€120.00)."),
        ({"amount": "0"}, "amount", "A payment must be greater than zero."),
        (
            {"received_on": "2999-01-01"},
            "received_on",
            "A payment cannot be received in the future.",
        ),
        ({"method": "card"}, "method", "Select a valid choice."),
    ],
)
def test_a_bad_payment_is_shown_on_its_field_and_nothing_written(
    client, values, field, message
):
    invoice = DocumentFactory(finalised=True)
    sign_in(client, invoice.company)

    response = client.post(ADD_URL, record_form(invoice, **values))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert any(error.startswith(message) for error in errors), errors
    assert not Payment.objects.for_company(invoice.company).exists()


def test_an_overpayment_by_hand_needs_the_box_and_is_then_flagged(client):
    invoice = DocumentFactory(finalised=True)
    sign_in(client, invoice.company)

    client.post(ADD_URL, record_form(invoice, amount="150.00", allow_overpayment="on"))

    payment = Payment.objects.for_company(invoice.company).get()
    assert (payment.amount, payment.overpaid_amount) == (
        Decimal("150.00"),
        Decimal("30.00"),
    )
    overpayments = client.get("/admin/payments/overpayment/")
    assert list(overpayments.context["cl"].result_list) == [payment]


def test_only_the_company_s_open_invoices_can_be_picked(client):
    company = CompanyFactory()
    sign_in(client, company)
    mine = DocumentFactory(finalised=True, client__company=company)
    paid = DocumentFactory(finalised=True, client__company=company)
    services.invoice_mark_paid(invoice=paid, actor=None, now=NOW)
    theirs = DocumentFactory(finalised=True)

    page = client.get(ADD_URL)
    stranger = client.post(ADD_URL, record_form(theirs))

    choices = list(page.context["adminform"].form.fields["invoice"].queryset)
    assert choices == [mine]
    assert "invoice" in stranger.context["adminform"].form.errors
    assert not Payment.objects.for_company(theirs.company).exists()


def test_a_transfer_is_refunded_by_hand_and_the_invoice_is_due_again(client):
    invoice = DocumentFactory(finalised=True, due_date=dt.date(2099, 1, 1))
    sign_in(client, invoice.company)
    payment = services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    url = f"/admin/payments/payment/{payment.pk}/refund/"

    page = client.get(url)
    response = client.post(url, {"amount": "120.00", "note": "Returned"})
    too_much = client.post(url, {"amount": "1.00"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert "amount" in too_much.context["form"].errors
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("to_pay", Decimal("120.00"))
    refund = Refund.objects.for_company(invoice.company).get()
    assert (refund.amount, refund.note, refund.provider_reference) == (
        Decimal("120.00"),
        "Returned",
        None,
    )
    kinds = DocumentEvent.objects.for_company(invoice.company).values_list(
        "kind", flat=True
    )
    assert list(kinds.order_by("pk"))[-1] == "refunded"


def _card_payment(stripe_fake, invoice):
    checkout = checkout_open(invoice, stripe_fake)
    session = stripe_fake.session_pay(checkout.session_id)
    deliver(session_event("checkout.session.completed", session), WEBHOOK_SECRET)
    return Payment.objects.for_company(invoice.company).get(), session


def test_a_card_payment_is_refunded_through_stripe_once(client, stripe_fake):
    invoice = payable_invoice()
    sign_in(client, invoice.company)
    payment, session = _card_payment(stripe_fake, invoice)
    account = StripeAccount.objects.for_company(invoice.company).get()
    url = f"/admin/payments/payment/{payment.pk}/refund/"

    response = client.post(url, {"amount": "20.00"})
    # Stripe then tells us too: recorded already, nothing more.
    charge = stripe_fake.charge_for(session["payment_intent"])
    webhook = deliver(charge_event(charge, account=account.account_id), WEBHOOK_SECRET)

    assert response.status_code == 302
    (request,) = stripe_fake.posts("/v1/refunds")
    assert request.headers["stripe-account"] == account.account_id
    assert request.headers["idempotency-key"] == f"refund-{payment.pk}-after0-2000"
    assert request.form == {
        "payment_intent": session["payment_intent"],
        "amount": "2000",
        "expand[0]": "charge",
    }
    assert webhook.json()["reason"] == "already_recorded"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", Decimal("20.00"))
    assert Refund.objects.for_company(invoice.company).get().amount == Decimal("20.00")


def test_a_refund_stripe_refuses_records_nothing(client, stripe_fake):
    invoice = payable_invoice()
    sign_in(client, invoice.company)
    payment, _session = _card_payment(stripe_fake, invoice)
    stripe_fake.fail_next(400, type="invalid_request_error", message="No.")

    response = client.post(
        f"/admin/payments/payment/{payment.pk}/refund/", {"amount": "20.00"}
    )

    assert response.status_code == 200
    assert "Stripe did not refund this payment" in str(
        response.context["form"].non_field_errors()
    )
    assert not Refund.objects.for_company(invoice.company).exists()
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_discrepancies_are_the_company_s_own_and_say_why(client, stripe_fake):
    invoice = payable_invoice()
    other = payable_invoice()
    checkout = checkout_open(invoice, stripe_fake)
    session = stripe_fake.session_pay(checkout.session_id)
    stranger = StripeAccount.objects.for_company(other.company).get()
    deliver(
        session_event(
            "checkout.session.completed", session, account=stranger.account_id
        ),
        WEBHOOK_SECRET,
    )
    sign_in(client, invoice.company, role="reporting")

    mine = client.get("/admin/payments/discrepancy/")
    sign_in(client, other.company)
    theirs = client.get("/admin/payments/discrepancy/")

    (row,) = mine.context["cl"].result_list
    assert (row.reason, row.invoice_id) == ("account_mismatch", invoice.pk)
    assert "Sent by another Stripe account than the company" in mine.content.decode()
    assert list(theirs.context["cl"].result_list) == []


def test_a_declared_transfer_is_recorded_once_asked_first(client):
    invoice = DocumentFactory(finalised=True)
    day = timezone.localdate()
    services.transfer_declare(
        invoice=invoice, client_name="Ada", paid_on_date=day, now=timezone.now()
    )
    sign_in(client, invoice.company)
    declaration = TransferDeclaration.objects.for_company(invoice.company).get()

    listed = client.get(DECLARED_URL, follow=True)
    asked = client.get(f"{DECLARED_URL}{declaration.pk}/record/")
    recorded_before = Payment.objects.for_company(invoice.company).count()
    response = client.post(f"{DECLARED_URL}{declaration.pk}/record/")
    again = client.post(f"{DECLARED_URL}{declaration.pk}/record/", follow=True)

    html = listed.content.decode()
    assert f'href="{DECLARED_URL}{declaration.pk}/record/"' in html
    page = asked.content.decode()
    assert "Nothing changes until you confirm." in page
    assert (
        f"€120.00 received by transfer is recorded on invoice {invoice.number}, "
        "and the client gets its receipt by e-mail." in page
    )
    assert 'id="answer-confirm-form"' in page and 'name="csrfmiddlewaretoken"' in page
    assert recorded_before == 0  # asking records nothing
    assert response.status_code == 302
    payment = Payment.objects.for_company(invoice.company).get()
    assert (payment.method, payment.amount) == ("transfer", Decimal("120.00"))
    assert timezone.localdate(payment.received_at) == day
    declaration.refresh_from_db()
    assert declaration.payment == payment
    assert any("recorded already" in m for m in messages_of(again))
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_reporting_sees_declared_transfers_but_records_nothing(client):
    invoice = DocumentFactory(finalised=True)
    services.transfer_declare(
        invoice=invoice, client_name="Ada", paid_on_date=None, now=NOW
    )
    declaration = TransferDeclaration.objects.for_company(invoice.company).get()
    sign_in(client, invoice.company, role="reporting")

    listed = client.get(DECLARED_URL, follow=True)
    post = client.post(f"{DECLARED_URL}{declaration.pk}/record/")

    assert listed.status_code == 200
    assert f"{declaration.pk}/record/" not in listed.content.decode()
    assert list(listed.context["cl"].result_list) == [declaration]
    assert post.status_code == 403
    assert not Payment.objects.for_company(invoice.company).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/payments/payment/",
        ADD_URL,
        "/admin/payments/refund/",
        "/admin/payments/overpayment/",
        "/admin/payments/discrepancy/",
        DECLARED_URL + "?state=waiting",
        STRIPE_URL,
    ],
)
def test_managers_get_403_on_every_payments_page(client, url):
    sign_in(client, CompanyFactory(), role="manager")

    assert client.get(url).status_code == 403


def test_managers_get_403_on_every_payments_action(client):
    invoice = DocumentFactory(finalised=True)
    payment = services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    sign_in(client, invoice.company, role="manager")

    responses = [
        client.post(f"/admin/payments/payment/{payment.pk}/refund/", {"amount": "1"}),
        client.post(STRIPE_URL + "connect/"),
        client.post(STRIPE_URL + "disconnect/"),
        client.get(STRIPE_URL + "return/"),
    ]

    assert [r.status_code for r in responses] == [403] * 4


def test_without_the_platform_key_the_stripe_page_says_so(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    company = CompanyFactory()
    sign_in(client, company)

    page = client.get(STRIPE_URL)
    post = client.post(STRIPE_URL + "connect/")

    assert 'id="stripe-not-configured"' in page.content.decode()
    assert messages_of(post) == ["Card payments are not configured on this platform."]
    assert not StripeAccount.objects.for_company(company).exists()


def test_connect_stripe_creates_the_account_and_goes_to_onboarding(client, stripe_fake):
    company = CompanyFactory(email="billing@example.com")
    sign_in(client, company)

    response = client.post(STRIPE_URL + "connect/")
    again = client.post(STRIPE_URL + "connect/")  # a double click: one account

    account = StripeAccount.objects.for_company(company).get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"{stripe_fake.base_url}/connect/onboarding/{account.account_id}"
    )
    assert again.status_code == 302
    assert len(stripe_fake.accounts) == 1
    (created,) = stripe_fake.posts("/v1/accounts")
    assert created.form == {
        "type": "standard",
        "metadata[company_id]": str(company.pk),
        "email": "billing@example.com",
        "country": "FR",
    }
    assert created.headers["idempotency-key"] == f"connect-account-{company.pk}"
    link = stripe_fake.posts("/v1/account_links")[0]
    assert link.form == {
        "account": account.account_id,
        "refresh_url": f"http://testserver{STRIPE_URL}refresh/",
        "return_url": f"http://testserver{STRIPE_URL}return/",
        "type": "account_onboarding",
    }


def test_back_from_onboarding_the_account_s_state_is_stored(client, stripe_fake):
    stripe_fake.new_accounts_can_charge = False
    company = CompanyFactory()
    sign_in(client, company)
    client.post(STRIPE_URL + "connect/")
    account = StripeAccount.objects.for_company(company).get()
    before = account.can_take_payments
    stripe_fake.accounts[account.account_id]["charges_enabled"] = True

    response = client.get(STRIPE_URL + "return/", follow=True)

    account.refresh_from_db()
    assert (before, account.can_take_payments) == (False, True)
    assert "Stripe is connected: your clients can pay" in messages_of(response)[0]
    assert 'data-state="ready"' in response.content.decode()


def test_disconnect_then_connect_again_reuses_the_account(client, stripe_fake):
    company = CompanyFactory()
    member = sign_in(client, company)
    account = connect(company)

    client.post(STRIPE_URL + "disconnect/")
    page = client.get(STRIPE_URL)
    disconnected = StripeAccount.objects.for_company(company).get()
    client.post(STRIPE_URL + "connect/")

    assert not disconnected.is_connected
    assert 'data-state="disconnected"' in page.content.decode()
    assert len(stripe_fake.posts("/v1/accounts")) == 1
    again = StripeAccount.objects.for_company(company).get()
    assert (again.account_id, again.is_connected) == (account.account_id, True)
    # Who turned card payments off and on again is in the activity log.
    assert list(
        AuditEvent.objects.for_company(company)
        .order_by("pk")
        .values_list("kind", "subject_name", "actor_name")
    ) == [
        ("stripe_connected", account.account_id, ""),
        ("stripe_disconnected", account.account_id, str(member)),
        ("stripe_connected", account.account_id, str(member)),
    ]


def test_reporting_reads_the_stripe_page_without_buttons(client, stripe_fake):
    company = CompanyFactory()
    connect(company)
    sign_in(client, company, role="reporting")

    page = client.get(STRIPE_URL)
    post = client.post(STRIPE_URL + "disconnect/")

    html = page.content.decode()
    assert page.status_code == 200 and 'data-state="ready"' in html
    assert 'id="stripe-disconnect"' not in html
    assert post.status_code == 403
    assert StripeAccount.objects.for_company(company).get().is_connected


def test_a_stripe_outage_while_connecting_changes_nothing(client, stripe_fake):
    company = CompanyFactory()
    sign_in(client, company)
    stripe_fake.outage = True

    response = client.post(STRIPE_URL + "connect/")

    assert response["Location"] == STRIPE_URL
    assert messages_of(response) == [
        "Stripe could not be reached. Nothing was changed; please try again."
    ]
    assert not StripeAccount.objects.for_company(company).exists()

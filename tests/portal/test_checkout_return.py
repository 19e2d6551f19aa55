"""The way back from Checkout names the session alone: it opens the invoice's
page only as the client's link would, and only for the link the session was
opened under."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from companies.models import Company
from documents import services as document_services
from payments.models import CheckoutSession, Payment
from tests.factories import NOW
from tests.payments import fake_stripe
from tests.payments.helpers import payable_invoice
from tests.portal.helpers import hide, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


def paid_checkout(client, stripe_fake):
    invoice = payable_invoice()
    response = client.post(url("invoice_pay", invoice.client, document_id=invoice.pk))
    session_id = response["Location"].rsplit("/", 1)[-1]
    stripe_fake.session_pay(session_id)
    return invoice, session_id


def back(client, session_id, name="return"):
    return client.get(reverse(f"checkout:{name}"), {"session_id": session_id})


def portal_404(client):
    return client.get("/p/" + "x" * 43 + "/").content


@pytest.mark.parametrize("name", ["return", "canceled"])
@pytest.mark.parametrize(
    "session_id",
    ["", "{CHECKOUT_SESSION_ID}", "cs_test_unknown", "cs_\x00", "cs_" + "x" * 300],
)
def test_a_session_that_is_not_ours_is_the_portal_s_404(
    client, stripe_fake, session_id, name
):
    paid_checkout(client, stripe_fake)

    response = back(client, session_id, name)

    assert (response.status_code, response.content) == (404, portal_404(client))


@pytest.mark.parametrize("name", ["return", "canceled"])
def test_after_the_link_is_rotated_the_session_no_longer_leads_to_the_portal(
    client, stripe_fake, name
):
    """Whoever holds the session's address (the browser's history, say) must not
    learn the client's new link from it."""
    invoice, session_id = paid_checkout(client, stripe_fake)
    client_services.client_portal_rotate(
        client=invoice.client, actor=None, now=timezone.now()
    )
    invoice.client.refresh_from_db()

    response = back(client, session_id, name)

    assert response.status_code == 404
    assert invoice.client.portal_token not in response.content.decode()
    assert "Location" not in response


def test_a_disabled_link_a_hidden_invoice_or_a_lost_add_on_is_a_404(
    client, stripe_fake
):
    invoice, session_id = paid_checkout(client, stripe_fake)
    portal, company = invoice.client, invoice.company
    answers = []

    hide(invoice)
    answers.append(back(client, session_id).status_code)
    document_services.document_show(document=invoice, actor=None, now=NOW)
    client_services.client_portal_disable(client=portal, actor=None, now=NOW)
    answers.append(back(client, session_id).status_code)
    client_services.client_portal_enable(client=portal, actor=None, now=NOW)
    Company.objects.filter(pk=company.pk).update(has_receivables_addon=False)
    answers.append(back(client, session_id).status_code)
    Company.objects.filter(pk=company.pk).update(has_receivables_addon=True)
    answers.append(back(client, session_id).status_code)

    assert answers == [404, 404, 404, 303]  # the last: all open again
    assert Payment.objects.for_company(company).count() == 1


def test_a_session_older_than_a_day_no_longer_leads_back(client, stripe_fake):
    invoice, session_id = paid_checkout(client, stripe_fake)
    CheckoutSession.objects.for_company(invoice.company).update(
        created_at=NOW - dt.timedelta(hours=26)
    )

    assert back(client, session_id).status_code == 404


def test_the_way_back_carries_the_portal_s_headers(client, stripe_fake):
    invoice, session_id = paid_checkout(client, stripe_fake)

    response = back(client, session_id)

    assert response.status_code == 303
    assert (response["Cache-Control"], response["Referrer-Policy"]) == (
        "private, no-store",
        "same-origin",
    )
    assert response["Location"] == (
        url("document", invoice.client, document_id=invoice.pk) + "?checkout=paid"
    )

"""Paying an invoice from a phone: Pay, then Stripe's Checkout (a stand-in)."""

import re

import pytest
from playwright.sync_api import expect

from companies.models import Company
from tests.browser.test_portal import (
    ATELIER,
    CAFE,
    assert_no_axe_violations,
    demo_client,
    only,
    visible,
)
from tests.payments import fake_stripe
from tests.payments.helpers import connect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def stripe_fake(settings):
    yield from fake_stripe.running(settings)


def test_pay_on_a_phone_lands_on_the_checkout_page(
    demo, new_page, live_server, stripe_fake
):
    connect(Company.objects.get(name=ATELIER))
    cafe = demo_client(demo, ATELIER, CAFE)
    # The open invoice not yet due: "to pay", nothing received yet.
    invoice = only(
        [d for d in visible(cafe, "invoice") if d["status"] == "to_pay"],
        versions=1,
        total="3948.00",
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{cafe['portal_url']}documents/{invoice['id']}/")

    button = page.locator("#pay-button")
    expect(button).to_contain_text("Payer 3\u202f948,00\u00a0€")
    expect(page.locator("#epc-qr svg")).to_be_visible()  # inline: the CSP allows it
    expect(page.locator("#transfer-reference")).to_contain_text("RF")
    assert_no_axe_violations(page, "an invoice to pay, on a phone")
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    button.tap()

    expect(page).to_have_url(re.compile(re.escape(f"{stripe_fake.base_url}/checkout/")))
    (session_id,) = stripe_fake.sessions
    expect(page).to_have_url(f"{stripe_fake.base_url}/checkout/{session_id}")
    expect(page.locator("#checkout")).to_have_text("Fake Stripe Checkout")
    expect(page.locator("#amount")).to_have_text("394800")
    assert errors == []  # no CSP refusal, no script error
    # Paid: Checkout sends the browser back to the address it holds, which
    # names the session alone, and the way back ends on the invoice, paid.
    stripe_fake.session_pay(session_id)
    back = stripe_fake.return_url(session_id)
    assert back.startswith(f"{live_server.url}/p/checkout/return/?session_id=cs_")
    page.goto(back)

    expect(page).to_have_url(
        f"{live_server.url}{cafe['portal_url']}documents/{invoice['id']}/?checkout=paid"
    )
    expect(page.locator("#payment-notice")).to_have_attribute("data-notice", "paid")
    expect(page.locator("#document-status")).to_have_text("Payée")
    assert errors == []

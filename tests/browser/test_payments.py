"""Paying an invoice from a phone: Pay, then Stripe's Checkout (a stand-in)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from companies import money
from companies.models import Company
from tests.browser.test_portal import (
    ATELIER,
    CAFE,
    assert_no_axe_violations,
    demo_client,
    only,
    visible,
)
from tests.browser.touch import tap_when_still
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
    page = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        permissions=["clipboard-read", "clipboard-write"],
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{cafe['portal_url']}documents/{invoice['id']}/")

    button = page.locator("#pay-button")
    expect(button).to_contain_text("Payer 3\u202f948,00\u00a0€")
    # Pay leads the page: the amount due and Pay are seen without scrolling.
    assert page.evaluate("window.scrollY") == 0
    for seen in (
        button,
        page.locator("#pay-amount-due"),
        page.locator("#pay-due-date"),
    ):
        box = seen.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert page.locator("#download-pdf").get_attribute("class") == (
        "button button--secondary"
    )
    # On the phone itself, a QR code is no help: behind "Pay from another device".
    expect(page.locator("#epc-qr svg")).to_be_hidden()
    tap_when_still(page, "#epc-qr-summary")
    expect(page.locator("#epc-qr svg")).to_be_visible()  # inline: the CSP allows it
    expect(page.locator("#transfer-reference")).to_contain_text("RF")
    # Each detail copies what a bank's form takes (no grouping spaces).
    tap_when_still(page, "#copy-transfer-iban")
    expect(page.locator("#copy-transfer-iban")).to_have_text("Copié")
    iban = page.evaluate("navigator.clipboard.readText()")
    assert iban.startswith("FR76") and " " not in iban
    tap_when_still(page, "#copy-transfer-amount")  # as the client's language writes it
    assert page.evaluate("navigator.clipboard.readText()") == "3948,00"
    assert_no_axe_violations(page, "an invoice to pay, on a phone")
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    tap_when_still(page, "#pay-button")

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


def test_on_a_desktop_the_qr_code_shows_at_once_beside_copy_buttons(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    invoice = only(
        [d for d in visible(cafe, "invoice") if d["status"] == "to_pay"],
        versions=1,
        total="3948.00",
    )
    page = new_page(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page.goto(f"{live_server.url}{cafe['portal_url']}documents/{invoice['id']}/")

    expect(page.locator("#epc-qr svg")).to_be_visible()
    expect(page.locator("#transfer-details .copy-button")).to_have_count(4)
    # Without card payments, the primary action leads to the transfer.
    expect(page.locator("#pay-by-transfer")).to_be_in_viewport()
    assert_no_axe_violations(page, "an invoice to pay, on a desktop")


def test_pay_several_on_a_phone_adds_up_the_ticks_and_opens_one_checkout(
    demo, new_page, live_server, stripe_fake
):
    connect(Company.objects.get(name=ATELIER))
    cafe = demo_client(demo, ATELIER, CAFE)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{cafe['portal_url']}invoices/")

    boxes = page.locator("#pay-several-form input[name=invoice]")
    ticked = page.locator("#pay-several-form input[name=invoice]:checked")
    assert boxes.count() >= 2 and ticked.count() >= 2
    minors = [int(m) for m in ticked.evaluate_all("bs => bs.map(b => b.dataset.minor)")]
    ticked.first.uncheck()  # the total follows, in French
    left = sum(minors[1:])
    expect(page.locator("#pay-several-total")).to_have_text(
        money.format_money(Decimal(left) / 100, "EUR", "fr")
    )
    # Nothing ticked is a total of nothing, not a blank; then ticked again.
    values = ticked.evaluate_all("bs => bs.map(b => b.value)")
    for value in values:
        page.locator(f"#pay-several-form input[value='{value}']").uncheck()
    expect(page.locator("#pay-several-total")).to_have_text(
        money.format_money(Decimal(0), "EUR", "fr")
    )
    for value in values:
        page.locator(f"#pay-several-form input[value='{value}']").check()
    expect(page.locator("#pay-several-total")).to_have_text(
        money.format_money(Decimal(left) / 100, "EUR", "fr")
    )
    assert_no_axe_violations(page, "the invoices tab with Pay several, on a phone")
    tap_when_still(page, "#pay-several-button")

    expect(page).to_have_url(re.compile(re.escape(f"{stripe_fake.base_url}/checkout/")))
    (session_id,) = stripe_fake.sessions
    expect(page.locator("#amount")).to_have_text(str(left))
    assert len(stripe_fake.sessions[session_id]["_lines"]) == len(minors) - 1
    assert errors == []


def test_pay_several_by_one_transfer_on_a_phone(demo, new_page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    page = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        permissions=["clipboard-read", "clipboard-write"],
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{cafe['portal_url']}invoices/")

    ticked = page.locator("#pay-several-form input[name=invoice]:checked")
    count = ticked.count()
    assert count >= 2
    minors = [int(m) for m in ticked.evaluate_all("bs => bs.map(b => b.dataset.minor)")]
    tap_when_still(page, "#pay-several-transfer-button")

    expect(page).to_have_url(re.compile(r"/invoices/transfer/[\w-]{20,}/$"))
    total = money.format_money(Decimal(sum(minors)) / 100, "EUR", "fr")
    expect(page.locator("#transfer-amount")).to_contain_text(total)
    expect(page.locator("#batch-invoices tbody tr")).to_have_count(count)
    # One reference and one QR code for the whole transfer.
    expect(page.locator("svg.epc-qr")).to_have_count(1)
    expect(page.locator("#transfer-reference")).to_contain_text("RF")
    expect(page.locator("#epc-qr svg")).to_be_hidden()  # a phone: behind its toggle
    tap_when_still(page, "#epc-qr-summary")
    expect(page.locator("#epc-qr svg")).to_be_visible()
    tap_when_still(page, "#copy-transfer-reference")
    expect(page.locator("#copy-transfer-reference")).to_have_text("Copié")
    reference = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"RF\d\dPAY[0-9A-Z]{8}", reference), reference
    assert_no_axe_violations(page, "one transfer for several invoices, on a phone")
    tap_when_still(page, "#declare-button")

    expect(page.locator("#batch-state")).to_have_attribute("data-state", "declared")
    expect(page.locator("#transfer-declared")).to_be_visible()
    page.goto(f"{live_server.url}{cafe['portal_url']}invoices/")
    expect(page.locator("[data-declared]")).to_have_count(count)
    assert errors == []

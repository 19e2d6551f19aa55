"""The e-invoice lifecycle in Chromium: the owner reads the platform's
statuses on the invoice's page; the client reads them in its own words, in
French, on a phone, with nothing axe-core reports."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from tests.browser.test_back_office_csp import sign_in
from tests.browser.test_portal import (
    ATELIER,
    CAFE,
    assert_no_axe_violations,
    demo_client,
    visible,
)
from transmission import lifecycle

pytestmark = pytest.mark.django_db(transaction=True)


def test_both_sides_read_the_lifecycle_in_words(demo, page, new_page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    shown = visible(cafe, "invoice")[0]
    # unscoped: the demo's invoice, by its id from the demo's summary
    invoice = Document.objects.get(pk=shown["id"])
    now = timezone.now()
    for minutes, code, reason in [
        (1, "200", ""),
        (2, "202", ""),
        (3, "207", "Quantité livrée inférieure à la quantité facturée"),
    ]:
        lifecycle.lifecycle_record(
            document=invoice,
            code=code,
            source="platform",
            at=now + dt.timedelta(minutes=minutes),
            now=now,
            reason=reason,
        )

    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}{cafe['portal_url']}documents/{invoice.pk}/")
    section = phone.locator("#einvoice-lifecycle")
    expect(section.locator("h2")).to_have_text("Statut de la facture électronique")
    expect(section.locator(".history__label")).to_have_text(
        [
            "Transmise par la plateforme de facturation électronique",
            "Reçue par votre plateforme de facturation électronique",
            "Contestée par vous",
        ]
    )
    expect(section).to_contain_text("Quantité livrée inférieure")
    assert_no_axe_violations(phone, "the portal's document page with its lifecycle")

    owner = demo["companies"][0]["members"][0]
    sign_in(page, live_server, owner["email"], owner["password"])
    page.goto(f"{live_server.url}/admin/documents/invoice/{invoice.pk}/change/")
    rows = page.locator("#einvoice-lifecycle li[data-lifecycle]")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("En litige")
    expect(rows.nth(2)).to_contain_text("Quantité livrée inférieure")


def test_the_client_refuses_an_invoice_on_a_phone(demo, new_page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    # unscoped: the demo's invoices, by their ids from the demo's summary
    invoice = Document.objects.filter(
        pk__in=[d["id"] for d in visible(cafe, "invoice")],
        kind="invoice",
        status__in=("to_pay", "partially_paid"),
    ).order_by("pk")[0]
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}{cafe['portal_url']}documents/{invoice.pk}/")

    phone.locator("#refuse-link").click()
    expect(phone.locator("#refuse-title")).to_contain_text(invoice.number)
    assert_no_axe_violations(phone, "the refusal form")
    # No reason, no refusal: the browser asks for it before sending.
    expect(phone.locator("#id_reason")).to_have_attribute("required", "")
    phone.fill("#id_reason", "Les heures facturées ne sont pas celles convenues.")
    phone.locator("#refuse-submit").click()

    section = phone.locator("#einvoice-lifecycle")
    expect(section.locator(".history__label")).to_have_text(["Refusée par vous"])
    expect(section).to_contain_text("Les heures facturées")
    expect(phone.locator("#refuse-link")).to_have_count(0)

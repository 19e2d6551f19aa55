"""The statement of account and a missing document, as a client reads them on
a phone: reached from the invoices tab, accessible, the PDF downloadable."""

from playwright.sync_api import expect

from tests.browser.test_portal import (
    ATELIER,
    CAFE,
    assert_no_axe_violations,
    demo_client,
)

PHONE = {"width": 390, "height": 844}


def test_the_statement_from_the_invoices_tab_on_a_phone(demo, new_page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    page = new_page(viewport=PHONE, locale="fr-FR")
    page.goto(f"{live_server.url}{cafe['portal_url']}invoices/")

    page.locator("#statement-link").click()

    expect(page).to_have_url(
        f"{live_server.url}{cafe['portal_url']}invoices/statement/"
    )
    expect(page.locator("#statement-title")).to_be_visible()
    assert_no_axe_violations(page, "the statement of account, on a phone")
    href = page.locator("#statement-pdf").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")


def test_a_missing_document_is_a_branded_page_with_a_way_back(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    page = new_page(viewport=PHONE, locale="fr-FR")

    response = page.goto(f"{live_server.url}{cafe['portal_url']}documents/999999/")

    assert response is not None and response.status == 404
    expect(
        page.locator(f"a[href='{cafe['portal_url']}invoices/']").first
    ).to_be_visible()
    assert_no_axe_violations(page, "a missing document inside a portal")

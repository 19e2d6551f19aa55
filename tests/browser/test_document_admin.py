"""The Invoices and Quotes pages in Chromium: the live totals script, a
confirmation page, and axe-core on both lists and both forms."""

from decimal import Decimal

import pytest
from django.utils import timezone

from clients.models import Client
from companies.models import Company
from documents import services
from documents.models import ClientEmail, Document
from documents.selectors import ageing_bucket
from tests.browser.test_back_office_csp import sign_in
from tests.browser.test_portal import assert_no_axe_violations
from tests.factories import line

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def script_errors(console_errors: list[str]) -> list[str]:
    """Script and policy errors (the browser's own favicon request is no
    page resource: it 404s, and page responses are checked apart)."""
    return [error for error in console_errors if "Failed to load resource" not in error]


def owner_of_first_company(demo) -> dict:
    return demo["companies"][0]["members"][0]


def first_client_id(demo) -> int:
    company = demo["companies"][0]
    # unscoped: the demo's first company, found by its name
    return Client.objects.filter(company__name=company["name"]).order_by("pk")[0].pk


def fill_line(page, index: int, description: str, quantity, price, rate) -> None:
    page.fill(f"#id_lines-{index}-description", description)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.fill(f"#id_lines-{index}-unit_price", price)
    page.select_option(f"#id_lines-{index}-vat_rate", rate)


def test_totals_follow_the_lines_as_typed_and_match_the_server(
    demo, page, live_server, console_errors
):
    missing: list[str] = []
    page.on(
        "response",
        lambda response: (
            missing.append(response.url) if response.status >= 400 else None
        ),
    )
    owner = owner_of_first_company(demo)
    sign_in(page, live_server, owner["email"], owner["password"])
    client_id = first_client_id(demo)
    page.goto(f"{live_server.url}/admin/documents/invoice/add/?client={client_id}")

    # Rounded as the server does: 3 × 0.35 = 1.05; VAT 5.5 % of 1.05 = 0.05775
    # → 0.06; VAT 10 % of 0.05 = 0.005 → 0.01 (half up).
    fill_line(page, 0, "Croissants", "3", "0.35", "5.5")
    fill_line(page, 1, "Napkin", "1", "0.05", "10")

    def cell(index: int) -> str:
        return page.locator(f"#lines-{index} td.field-line_total").inner_text().strip()

    assert [cell(0), cell(1)] == ["€1.05", "€0.05"]
    assert page.locator("#live-total-excl").inner_text() == "€1.10"
    vat_rows = page.locator("#live-totals .live-vat-row").all_inner_texts()
    assert [" ".join(row.split()) for row in vat_rows] == [
        "VAT 5.5 % €0.06",
        "VAT 10 % €0.01",
    ]
    assert page.locator("#live-total").inner_text() == "€1.17"

    # Another line added by the formset's own script counts at once.
    page.click("#lines-group .add-row a")
    fill_line(page, 2, "Coffee", "2", "1.20", "20")
    page.wait_for_function(
        "document.querySelector('#live-total').textContent === '€4.05'"
    )
    shown = page.locator("#live-total").inner_text()

    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/documents/invoice/")
    # unscoped: the one invoice just saved, found by its line
    saved = Document.objects.get(lines__description="Croissants")
    assert (saved.total, shown) == (Decimal("4.05"), "€4.05")
    assert missing == []
    assert script_errors(console_errors) == []


def test_finalise_asks_first_then_numbers_the_invoice(
    demo, page, live_server, console_errors
):
    owner = owner_of_first_company(demo)
    company = Company.objects.get(name=demo["companies"][0]["name"])
    draft = services.document_create(
        company=company,
        client=Client.objects.for_company(company).order_by("pk")[0],
        kind="invoice",
        lines=[line()],
        actor=None,
        now=timezone.now(),
    )
    sign_in(page, live_server, owner["email"], owner["password"])
    page.goto(f"{live_server.url}/admin/documents/invoice/{draft.pk}/change/")

    page.click("#document-action-finalise")
    page.wait_for_url(f"**/documents/document/{draft.pk}/actions/finalise/")
    text = page.locator(f"#confirm-document-{draft.pk}").inner_text()
    assert "It will be numbered INV-" in text
    draft.refresh_from_db()
    assert draft.status == "draft"

    page.click("#action-confirm-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/documents/invoice/{draft.pk}/change/")
    draft.refresh_from_db()
    assert draft.status == "to_pay"
    assert f"{draft.number}: finalised." in page.locator(".messagelist").inner_text()
    assert draft.number in text
    assert script_errors(console_errors) == []


def test_both_lists_and_both_forms_have_no_axe_violation(
    demo, page, live_server, new_page
):
    owner = owner_of_first_company(demo)
    sign_in(page, live_server, owner["email"], owner["password"])
    for path in (
        "/admin/documents/invoice/",
        "/admin/documents/quote/",
        "/admin/documents/invoice/add/",
        "/admin/documents/quote/add/",
    ):
        page.goto(live_server.url + path)
        assert_no_axe_violations(page, path)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, live_server, owner["email"], owner["password"])
    phone.goto(live_server.url + "/admin/documents/invoice/add/")
    assert_no_axe_violations(phone, "the invoice form on a phone")


def test_finalise_and_send_is_one_confirmed_action(
    demo, page, live_server, console_errors
):
    owner = owner_of_first_company(demo)
    company = Company.objects.get(name=demo["companies"][0]["name"])
    customer = Client.objects.for_company(company).order_by("pk")[0]
    draft = services.document_create(
        company=company,
        client=customer,
        kind="invoice",
        lines=[line()],
        actor=None,
        now=timezone.now(),
    )
    sign_in(page, live_server, owner["email"], owner["password"])
    page.goto(f"{live_server.url}/admin/documents/invoice/{draft.pk}/change/")

    # Click 1: the action on the draft's page; click 2: yes on what it says.
    page.click("#document-action-finalise_and_send")
    page.wait_for_url(f"**/documents/document/{draft.pk}/actions/finalise_and_send/")
    text = page.locator(f"#confirm-document-{draft.pk}").inner_text()
    page.click("#action-confirm-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/documents/invoice/{draft.pk}/change/")

    draft.refresh_from_db()
    assert draft.status == "to_pay"
    assert "It will be numbered INV-" in text
    assert customer.email in text
    assert (
        f"{draft.number}: finalised and being sent to the client."
        in page.locator(".messagelist").inner_text()
    )
    email = ClientEmail.objects.for_company(company).get(document=draft)
    assert (email.kind, email.recipients[0]) == ("document", customer.email)
    assert script_errors(console_errors) == []


def test_remind_now_from_the_invoice_page_and_the_ageing_report(
    demo, page, live_server, console_errors
):
    owner = owner_of_first_company(demo)
    company = Company.objects.get(name=demo["companies"][0]["name"])
    owed = (
        Document.objects.for_company(company)
        .filter(kind="invoice", status="to_pay", hidden_from_portal=False)
        .order_by("pk")
        .first()
    )
    sign_in(page, live_server, owner["email"], owner["password"])

    page.goto(f"{live_server.url}/admin/documents/invoice/{owed.pk}/change/")
    # Its many actions wrap below its number, never over it, all alike.
    number = page.locator("#content h2").first.bounding_box()
    tools = page.locator("#content .object-tools").bounding_box()
    assert tools["y"] >= number["y"] + number["height"], (number, tools)
    heights = page.locator(
        "#content .object-tools a, #content .object-tools button"
    ).evaluate_all("items => items.map(item => item.getBoundingClientRect().height)")
    assert len(heights) > 5 and max(heights) - min(heights) < 1, heights
    page.click("#document-action-remind_now button")
    page.wait_for_url(f"{live_server.url}/admin/documents/invoice/{owed.pk}/change/")
    message = page.locator(".messagelist").inner_text()

    page.goto(f"{live_server.url}/admin/documents/invoice/")
    page.click("#ageing-report-link")
    page.wait_for_url("**/admin/documents/invoice/ageing/")
    first_link = page.locator("#ageing-report tbody td[data-bucket] a").first
    amount = first_link.inner_text()
    href = first_link.get_attribute("href")
    bucket = href.split("ageing=")[1].split("&")[0]
    currency = href.split("currency__exact=")[1]
    expected = (
        Document.objects.for_company(company)
        .filter(ageing_bucket(bucket, today=timezone.localdate()), currency=currency)
        .count()
    )
    first_link.click()
    page.wait_for_url("**/admin/documents/invoice/?*")
    listed = page.locator("#result_list tbody tr").count()

    assert f"{owed.number}: a reminder is being sent to the client." in message
    assert (
        ClientEmail.objects.for_company(company)
        .filter(document=owed, kind="reminder")
        .exists()
    )
    assert amount and listed == expected >= 1
    assert script_errors(console_errors) == []


def test_a_line_picks_a_catalogue_item_by_name_and_gets_its_price_and_vat(
    demo, page, live_server, console_errors
):
    owner = owner_of_first_company(demo)
    company = Company.objects.get(name=demo["companies"][0]["name"])
    services.catalogue_item_save(
        company=company,
        actor=None,
        now=timezone.now(),
        name="Reliure cuir",
        unit="pièce",
        unit_price=Decimal("42.50"),
        vat_rate=Decimal("5.5"),
    )
    sign_in(page, live_server, owner["email"], owner["password"])
    page.goto(
        f"{live_server.url}/admin/documents/invoice/add/?client={first_client_id(demo)}"
    )

    options = page.locator("#catalogue-items option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    page.fill("#id_lines-0-description", "Reliure cuir")
    page.wait_for_function(
        "document.querySelector('#id_lines-0-unit_price').value === '42.50'"
    )

    assert "Reliure cuir" in options
    assert page.locator("#id_lines-0-description").get_attribute("list") == (
        "catalogue-items"
    )
    assert page.locator("#id_lines-0-vat_rate").input_value() == "5.5"
    # The live totals follow: 42.50 + 5.5 % = 44.84.
    page.wait_for_function(
        "document.querySelector('#live-total').textContent.includes('44.84')"
    )
    assert script_errors(console_errors) == []


def test_the_invoices_list_finds_a_client_as_its_name_is_typed(
    demo, page, live_server, console_errors
):
    owner = owner_of_first_company(demo)
    company = Company.objects.get(name=demo["companies"][0]["name"])
    customer = Client.objects.for_company(company).get(pk=first_client_id(demo))
    sign_in(page, live_server, owner["email"], owner["password"])
    page.goto(f"{live_server.url}/admin/documents/invoice/")

    page.fill("#client-filter-input", customer.name)
    page.press("#client-filter-input", "Enter")
    page.wait_for_url(f"**/admin/documents/invoice/?*client={customer.pk}*")
    listed = page.locator("#result_list tbody tr").count()

    expected = (
        Document.objects.for_company(company)
        .filter(client=customer, kind__in=("invoice", "credit_note"))
        .count()
    )
    assert listed == expected >= 1
    # The filter works by its own script, from a static file (CSP: no inline).
    scripts = page.locator("script[src]").evaluate_all(
        "scripts => scripts.map(script => script.src)"
    )
    assert any("client_filter" in src for src in scripts)
    assert script_errors(console_errors) == []

"""The client portal in a real Chromium, against the demo data on a live server.

Each test opens a demo client's link as the client would, and proves one thing
the issue asks for: branding, tabs (by mouse and by keyboard), versions, hidden
documents, accessibility, the phone layout, the language form and the headers.
"""

import re

from playwright.sync_api import expect

from branding.colours import colour_parse, surface_for
from tests.browser.conftest import run_axe

ATELIER, NORTHWIND = "Atelier Lumière", "Northwind Studio"
CAFE, HARBOR = "Café des Arts", "Harbor & Co"

# 1 234,56 € : narrow no-break space (or no-break space) between thousands,
# a comma before the cents, a no-break space before the euro sign.
FRENCH_EUROS = re.compile(r"^-?\d{1,3}(?:[\u202f\u00a0]\d{3})*,\d{2}[\u202f\u00a0]€$")
ENGLISH_POUNDS = re.compile(r"^£\d{1,3}(?:,\d{3})*\.\d{2}$")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TOUCH_TARGET_PX = 44


# --- reading the demo --------------------------------------------------------


def demo_client(demo: dict, company: str, name: str) -> dict:
    for company_entry in demo["companies"]:
        if company_entry["name"] == company:
            for client in company_entry["clients"]:
                if client["name"] == name:
                    return client
    raise LookupError(f"{name} of {company} is not in the demo")


def visible(client: dict, kind: str) -> list[dict]:
    """What the client may see in one tab: finalised and not hidden (the
    invoices tab lists credit notes too)."""
    kinds = ("invoice", "credit_note") if kind == "invoice" else (kind,)
    return [
        document
        for document in client["documents"]
        if document["kind"] in kinds
        and document["status"] != "draft"
        and not document["hidden"]
    ]


def only(documents: list[dict], **match: object) -> dict:
    found = [d for d in documents if all(d[k] == v for k, v in match.items())]
    assert len(found) == 1, f"expected one document with {match}, found {found}"
    return found[0]


def rgb(colour: str) -> str:
    """#1F3A5F → rgb(31, 58, 95), as getComputedStyle reports it."""
    return "rgb({}, {}, {})".format(*colour_parse(colour))


def brand_primary(demo_company: str) -> str:
    from demo.seed import COMPANIES

    return next(spec.brand[0] for spec in COMPANIES if spec.name == demo_company)


# --- reading the page --------------------------------------------------------


def listed_numbers(page) -> list[str]:
    return page.locator("#document-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.number)"
    )


def amount_cell(page, number: str) -> str:
    cell = page.locator(f'#document-table tr[data-number="{number}"] .row-total')
    return cell.text_content().strip()


def computed(page, selector: str, *properties: str) -> dict[str, str]:
    return page.locator(selector).evaluate(
        "(element, names) => Object.fromEntries(names.map("
        "name => [name, getComputedStyle(element).getPropertyValue(name)]))",
        list(properties),
    )


def scroll_and_client_width(page) -> list[int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def assert_no_axe_violations(page, where: str) -> None:
    violations = run_axe(page)
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in violations
    )
    assert violations == [], f"axe-core violations on {where}:\n{report}"


# --- the tests ---------------------------------------------------------------


def test_french_client_sees_its_branded_portal_in_french(
    demo, page, live_server, console_errors
):
    cafe = demo_client(demo, ATELIER, CAFE)
    invoices = visible(cafe, "invoice")

    response = page.goto(live_server.url + cafe["portal_url"])

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_contain_text(CAFE)
    expect(page.locator("#brand-name")).to_have_text(ATELIER)
    expect(page.locator("#tab-invoice")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tab-invoice")).to_contain_text("Factures")
    expect(page.locator("#tab-quote")).to_contain_text("Devis")
    assert sorted(listed_numbers(page)) == sorted(d["number"] for d in invoices)
    first = only(invoices, number="INV-2026-0005")
    assert first["total"] == "3948.00"
    assert re.fullmatch(
        r"3[\u202f\u00a0]948,00[\u202f\u00a0]€", amount_cell(page, "INV-2026-0005")
    )
    assert all(FRENCH_EUROS.match(amount_cell(page, d["number"])) for d in invoices)
    primary = brand_primary(ATELIER)  # #1F3A5F
    header = computed(page, "#portal-header", "background-color", "color")
    assert header == {
        "background-color": rgb(primary),  # rgb(31, 58, 95)
        "color": rgb(surface_for(primary).text),
    }
    expect(page.locator("#brand-logo")).to_be_visible()
    assert page.locator("#brand-logo").evaluate("img => img.naturalWidth") > 0
    # The demo's logo is mostly navy, as the header is: it sits on a white plate.
    surface = page.locator("#brand-logo-surface")
    expect(surface).to_have_attribute("data-plate", "light")
    plate = computed(page, "#brand-logo-surface", "background-color")
    assert plate == {"background-color": "rgb(255, 255, 255)"}
    logo_box, plate_box = (
        page.locator("#brand-logo").bounding_box(),
        surface.bounding_box(),
    )
    assert (
        plate_box["width"] > logo_box["width"]
        and plate_box["height"] > logo_box["height"]
    )
    assert console_errors == []  # no CSP refusal, no broken resource


def test_english_client_sees_its_own_company_brand_in_english(
    demo, page, live_server, console_errors
):
    harbor = demo_client(demo, NORTHWIND, HARBOR)
    invoice = only(visible(harbor, "invoice"))

    page.goto(live_server.url + harbor["portal_url"])

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text(HARBOR)
    expect(page.locator("#brand-name")).to_have_text(NORTHWIND)
    expect(page.locator("#tab-invoice")).to_contain_text("Invoices")
    assert listed_numbers(page) == [invoice["number"]]
    assert amount_cell(page, invoice["number"]) == "£3,240.00"
    assert ENGLISH_POUNDS.match(amount_cell(page, invoice["number"]))
    # Northwind's green differs from the stylesheet's fallback colours, so this
    # proves the company's colours reach the page (through the nonce'd style).
    primary = brand_primary(NORTHWIND)  # #14532D
    header = computed(page, "#portal-header", "background-color", "color")
    assert header == {
        "background-color": rgb(primary),  # rgb(20, 83, 45)
        "color": rgb(surface_for(primary).text),
    }
    assert console_errors == []


def test_tabs_switch_by_clicking_without_javascript(demo, new_page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    invoices, quotes = visible(cafe, "invoice"), visible(cafe, "quote")
    page = new_page(viewport=DESKTOP, java_script_enabled=False)
    page.goto(live_server.url + cafe["portal_url"])
    expect(page.locator("#tab-invoice")).to_have_attribute(
        "data-count", str(len(invoices))
    )
    expect(page.locator("#tab-quote")).to_have_attribute("data-count", str(len(quotes)))

    page.locator("#tab-quote").click()

    expect(page).to_have_url(re.compile(r"/quotes/$"))
    expect(page.locator("#tab-quote")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tab-invoice")).not_to_have_attribute("aria-current", "page")
    expect(page.locator("#document-table")).to_have_attribute("data-kind", "quote")
    assert sorted(listed_numbers(page)) == sorted(d["number"] for d in quotes)

    page.locator("#tab-invoice").click()

    expect(page).to_have_url(re.compile(r"/invoices/$"))
    expect(page.locator("#document-table")).to_have_attribute("data-kind", "invoice")
    assert sorted(listed_numbers(page)) == sorted(d["number"] for d in invoices)


def test_tabs_switch_by_keyboard_alone(demo, page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    page.goto(live_server.url + cafe["portal_url"])

    focused = []
    for _press in range(30):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
        if focused[-1] == "tab-quote":
            break
    assert focused[-1] == "tab-quote", f"Tab never reached the Quotes tab: {focused}"
    outline = computed(page, "#tab-quote", "outline-style", "outline-width")
    assert outline["outline-style"] != "none" and outline["outline-width"] != "0px", (
        f"no visible focus on the Quotes tab: {outline}"
    )

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/quotes/$"))
    expect(page.locator("#tab-quote")).to_have_attribute("aria-current", "page")
    expect(page.locator("#document-table")).to_have_attribute("data-kind", "quote")
    assert sorted(listed_numbers(page)) == sorted(
        d["number"] for d in visible(cafe, "quote")
    )


def test_document_page_and_superseded_older_version(demo, page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    revised = only(visible(cafe, "invoice"), versions=3)
    document_path = f"{cafe['portal_url']}documents/{revised['id']}/"
    page.goto(live_server.url + cafe["portal_url"])

    page.get_by_role("link", name=revised["number"], exact=True).click()

    expect(page).to_have_url(live_server.url + document_path)
    article = page.locator("#document")
    expect(article).to_have_attribute("data-version", "3")
    expect(article).to_have_attribute("data-latest-version", "3")
    expect(article).not_to_have_attribute("data-superseded", "")
    expect(page.locator("#superseded-notice")).to_have_count(0)
    # An issued invoice keeps its lines and amounts; what changed is its
    # purchase order (v2), then its due date and notes (v3).
    expect(page.locator("#document-body .doc__lines tbody tr")).to_have_count(2)
    expect(page.locator("#document-body")).to_contain_text("BC-2026-118")
    expect(page.locator("#document-body")).to_contain_text("Échéance reportée")
    expect(page.locator("#versions .versions__item")).to_have_count(3)
    expect(
        page.locator("#history .history__item[data-event=new_version]")
    ).to_have_count(2)

    page.locator(f'#versions a[href="{document_path}versions/1/"]').click()

    expect(page).to_have_url(live_server.url + document_path + "versions/1/")
    expect(article).to_have_attribute("data-version", "1")
    expect(article).to_have_attribute("data-superseded", "")
    expect(page.locator("#superseded-notice")).to_be_visible()
    expect(page.locator('.versions__item[data-version="1"]')).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("#versions .versions__name")).to_have_text(
        ["v3 (dernière)", "v2", "v1"]
    )
    # The first version's own content: the same lines, as issued, without
    # the purchase order and the note added since.
    expect(page.locator("#document-body .doc__lines tbody tr")).to_have_count(2)
    expect(page.locator("#document-body")).not_to_contain_text("BC-2026-118")
    expect(page.locator("#document-body")).not_to_contain_text("Échéance reportée")
    expect(page.locator("#pay-button")).to_have_count(0)  # nothing to pay on an old one

    page.locator("#latest-version-link").click()

    expect(page).to_have_url(live_server.url + document_path)
    expect(article).to_have_attribute("data-version", "3")
    expect(page.locator("#superseded-notice")).to_have_count(0)


def test_hidden_and_draft_documents_are_absent_and_their_urls_answer_404(
    demo, page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    hidden = only(cafe["documents"], kind="invoice", hidden=True)
    draft = only(cafe["documents"], kind="invoice", status="draft")
    page.goto(live_server.url + cafe["portal_url"])

    expect(page.locator("#result-count")).to_have_attribute(
        "data-total", str(len(visible(cafe, "invoice")))
    )
    assert hidden["number"] not in listed_numbers(page)
    expect(page.locator(f'[data-document-id="{hidden["id"]}"]')).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(hidden["number"])

    documents = f"{live_server.url}{cafe['portal_url']}documents/"
    for path in (
        f"{hidden['id']}/",
        f"{hidden['id']}/versions/1/",
        f"{draft['id']}/",
    ):
        response = page.goto(documents + path)
        assert response.status == 404, f"documents/{path} answered {response.status}"
        assert hidden["number"] not in page.content()


def test_list_and_document_pages_have_no_axe_violations(demo, page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    revised = only(visible(cafe, "invoice"), versions=3)
    document_url = f"{live_server.url}{cafe['portal_url']}documents/{revised['id']}/"

    for where, url in (
        ("the invoice list", live_server.url + cafe["portal_url"]),
        ("the quote list", f"{live_server.url}{cafe['portal_url']}quotes/"),
        ("the document page", document_url),
        ("a superseded version", document_url + "versions/1/"),
    ):
        page.goto(url)
        assert_no_axe_violations(page, where)


def test_phone_layout_has_no_horizontal_scroll_and_large_touch_targets(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    revised = only(visible(cafe, "invoice"), versions=3)
    page = new_page(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    list_url = live_server.url + cafe["portal_url"]
    document_url = f"{list_url}documents/{revised['id']}/"

    page.goto(list_url)

    overflow = scroll_and_client_width(page)
    assert overflow[0] <= overflow[1], f"list scrolls sideways at 390 px: {overflow}"
    targets = page.locator(
        ".tabs__tab, button, .button, select, input[type=search], .row-link"
    )
    small = [
        f"{target['label']!r} {target['width']:.0f}×{target['height']:.0f}"
        for target in targets.evaluate_all(
            "elements => elements.filter(e => e.getClientRects().length).map(e => {"
            " const box = e.getBoundingClientRect();"
            " return {label: (e.id || e.textContent.trim()).slice(0, 40),"
            " width: box.width, height: box.height}; })"
        )
        if target["width"] < TOUCH_TARGET_PX or target["height"] < TOUCH_TARGET_PX
    ]
    assert targets.count() >= 5
    assert small == [], f"touch targets under {TOUCH_TARGET_PX} px: {small}"
    assert_no_axe_violations(page, "the invoice list at 390×844")

    page.set_viewport_size({"width": 360, "height": 740})
    for url in (list_url, document_url):
        page.goto(url)
        overflow = scroll_and_client_width(page)
        assert overflow[0] <= overflow[1], (
            f"{url} scrolls sideways at 360 px: {overflow}"
        )


def test_language_form_posts_with_csrf_under_same_origin_referrer_policy(
    demo, page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    page.goto(live_server.url + cafe["portal_url"])
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # With JavaScript the menu applies itself: there is no button to press.
    expect(page.locator("#language-submit")).to_have_count(0)

    with page.expect_response(
        # The language form's answer, not the page's view beacon (/seen/).
        lambda r: r.request.method == "POST" and r.url.endswith("/language/")
    ) as posted:
        page.locator("#language-select").select_option("en")

    post = posted.value
    assert post.status == 303, f"the language form answered {post.status}"
    assert post.request.header_value("origin") == live_server.url  # never "null"
    page.wait_for_load_state()
    expect(page).to_have_url(live_server.url + cafe["portal_url"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")
    expect(page.locator("#tab-invoice")).to_contain_text("Invoices")
    assert amount_cell(page, "INV-2026-0005") == "€3,948.00"

    page.reload()  # the choice is remembered

    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_portal_headers_reach_the_browser(demo, page, live_server):
    cafe = demo_client(demo, ATELIER, CAFE)
    list_url = live_server.url + cafe["portal_url"]

    response = page.goto(list_url)

    headers = response.all_headers()
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-robots-tag"] == "noindex, nofollow"
    assert headers["cache-control"] == "private, no-store"
    assert headers["x-content-type-options"] == "nosniff"
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in headers["content-security-policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert "'unsafe-inline'" not in policy["style-src"]
    # Within the portal the browser still sends the referrer (same-origin), as
    # the CSRF check of its forms needs; it would leave it off for other sites.
    with page.expect_request(re.compile(r"/documents/\d+/$")) as followed:
        page.locator("#document-table .row-link").first.click()
    assert followed.value.header_value("referer") == list_url


def test_phone_header_stays_short_and_the_language_menu_works_with_or_without_js(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    list_url = live_server.url + cafe["portal_url"]

    for javascript in (True, False):
        page = new_page(
            viewport={"width": 375, "height": 667},
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
        )
        page.goto(list_url)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        height = page.locator("#portal-header").bounding_box()["height"]
        assert height < 120, f"header {height} px high (JavaScript: {javascript})"
        # Without JavaScript the <noscript> button appears, and sends the menu.
        expect(page.locator("#language-submit")).to_have_count(0 if javascript else 1)

        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/language/")
        ) as posted:
            page.locator("#language-select").select_option("en")
            if not javascript:
                page.locator("#language-submit").click()

        assert posted.value.status == 303
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#balance-owed")).to_contain_text("Total to pay")
        expect(page.locator("#language-select")).to_have_value("en")


def test_on_a_phone_each_listed_document_is_a_two_line_card(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, CAFE)
    page = new_page(viewport=PHONE, locale="fr-FR")

    page.goto(live_server.url + cafe["portal_url"])

    rows = page.locator("#document-table tbody tr")
    assert rows.count() >= 10
    boxes = rows.evaluate_all(
        "rows => rows.map(r => ({height: r.getBoundingClientRect().height,"
        " number: r.querySelector('th').getBoundingClientRect().top,"
        " status: r.querySelector('td').getBoundingClientRect().top}))"
    )
    # Number and status share the first line; a card is two lines, three when
    # a partly paid invoice adds what is left, not the five of a table row.
    assert all(abs(box["number"] - box["status"]) < 16 for box in boxes), boxes
    assert max(box["height"] for box in boxes) < 140, boxes
    deadline = rows.first.locator("td").nth(3)
    assert "Date d’échéance" in deadline.evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    expect(rows.first.locator("td").nth(2)).to_be_hidden()
    assert_no_axe_violations(page, "the compact invoice list at 390×844")

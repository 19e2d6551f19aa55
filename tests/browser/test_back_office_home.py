"""The back office's home page in Chromium: the dashboard on a desktop and on
a phone, and the manager's page, each without an axe-core violation."""

import pytest

from tests.browser.conftest import run_axe

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def member_of(demo, role: str) -> dict:
    members = demo["companies"][0]["members"]
    return next(member for member in members if member["role"] == role)


def sign_in(page, live_server, member: dict) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", member["email"])
    page.fill("#id_password", member["password"])
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def assert_no_axe_violations(page, where: str) -> None:
    violations = run_axe(page)
    report = "\n".join(
        f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in violations
    )
    assert violations == [], f"axe-core violations on {where}:\n{report}"


def test_the_dashboard_on_a_desktop_leads_to_its_documents(demo, page, live_server):
    missing: list[str] = []
    page.on(
        "response",
        lambda response: (
            missing.append(response.url) if response.status >= 400 else None
        ),
    )
    sign_in(page, live_server, member_of(demo, "owner"))

    figures = page.locator(".dashboard-figure")
    assert figures.count() == 4
    assert "€" in page.locator("#total-outstanding").inner_text()
    assert page.locator(".activity-feed li").count() > 0
    # The four figures sit side by side on a desktop.
    tops = {round(box["y"]) for box in (f.bounding_box() for f in figures.all())}
    assert len(tops) == 1
    assert_no_axe_violations(page, "the dashboard at 1280×900")
    assert missing == []

    page.locator(".activity-feed li a").first.click()
    page.wait_for_load_state()
    assert "/admin/documents/" in page.url
    assert page.locator("#content h1, #content h2").count() > 0


def test_the_dashboard_on_a_phone_fits_and_stays_accessible(
    demo, new_page, live_server
):
    page = new_page(**PHONE)
    sign_in(page, live_server, member_of(demo, "reporting"))

    assert page.locator("#read-only-badge").is_visible()
    assert page.locator("#figure-overdue").is_visible()
    scroll = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert scroll <= 0
    assert_no_axe_violations(page, "the dashboard at 390×844")


def test_a_manager_s_page_names_whom_to_ask(demo, page, live_server):
    sign_in(page, live_server, member_of(demo, "manager"))

    contacts = page.locator("#company-contacts a[href^='mailto:']")
    assert contacts.count() >= 1
    assert page.locator("#dashboard").count() == 0
    assert_no_axe_violations(page, "the manager's page")

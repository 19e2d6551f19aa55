"""The back office under its strict Content-Security-Policy, in a real browser:
every page loads without a refusal, and its scripts still work."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def test_the_back_office_works_under_its_policy(
    demo, page, live_server, console_errors
):
    missing: list[str] = []
    page.on(
        "response",
        lambda response: (
            missing.append(response.url) if response.status >= 400 else None
        ),
    )
    owner = demo["companies"][0]["members"][0]
    sign_in(page, live_server, owner["email"], owner["password"])
    csp = page.goto(live_server.url + "/admin/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    document = demo["companies"][0]["clients"][0]["documents"][0]["id"]
    for path in (
        "/admin/clients/client/",
        "/admin/clients/client/add/",
        "/admin/documents/quote/",
        "/admin/documents/quote/add/",
        "/admin/documents/invoice/",
        # The shared addresses lead to the kind's pages.
        "/admin/documents/document/",
        f"/admin/documents/document/{document}/change/",
        "/admin/documents/document/add/",
    ):
        assert page.goto(live_server.url + path).status == 200, path

    # The inline formset's script (admin/js/inlines.js) still adds a line.
    rows = page.locator("#lines-group tr.form-row:not(.empty-form)").count()
    page.click("#lines-group .add-row a")
    assert page.locator("#lines-group tr.form-row:not(.empty-form)").count() == rows + 1

    # The brand preview's script follows the colour as it is typed.
    page.goto(live_server.url + "/admin/branding/brandkit/")
    page.fill("#id_primary_colour", "#000000")
    page.dispatch_event("#id_primary_colour", "input")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('#brand-preview-header'))"
        ".backgroundColor === 'rgb(0, 0, 0)'"
    )

    refusals = [e for e in console_errors if "Content Security Policy" in e]
    assert refusals == []
    # Uploads live in memory in the tests (tests/conftest.py), not under MEDIA.
    assert [url for url in missing if "/media/logos/" not in url] == []

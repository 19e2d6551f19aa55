"""A client's back-office page in Chromium: accessible, and its "Open portal"
opens the client's portal as a preview that tells nothing to the client."""

import pytest

from clients.models import Client, ClientPortalAccess
from clients.services import portal_token_digest
from documents.models import DocumentEvent
from tests.browser.conftest import run_axe
from tests.browser.test_back_office_csp import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def axe_report(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in violations
    )


def test_the_client_page_is_accessible_and_open_portal_is_a_preview(
    demo, page, live_server, console_errors
):
    company = demo["companies"][0]
    assert company["has_receivables_addon"]
    owner = company["members"][0]
    busy = max(company["clients"], key=lambda client: len(client["documents"]))
    customer = Client.objects.get(
        portal_token_digest=portal_token_digest(busy["portal_url"].split("/")[2])
    )
    sign_in(page, live_server, owner["email"], owner["password"])

    page.goto(f"{live_server.url}/admin/clients/client/{customer.pk}/change/")

    assert page.locator("#client-document-list tbody tr").count() == len(
        busy["documents"]
    )
    assert page.locator("#new-invoice").is_visible()
    # Before axe-core runs: its own checks apply inline styles the policy refuses.
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    violations = run_axe(page)
    assert violations == [], axe_report(violations)

    views_before = DocumentEvent.objects.for_company(customer.company).filter(
        kind="viewed"
    )
    views_count = views_before.count()
    beacons: list[str] = []
    with page.context.expect_page() as opened:
        page.click("#open-portal")
    preview = opened.value
    preview.on(
        "request",
        lambda request: (
            beacons.append(request.url) if "/seen/" in request.url else None
        ),
    )
    preview.wait_for_load_state()
    banner = preview.locator("#preview-banner")
    banner.wait_for()
    assert banner.is_visible()
    assert customer.name in banner.inner_text()
    # Open a document, as the client would: still a preview.
    preview.locator("a[href*='/documents/']").first.click()
    preview.wait_for_url("**/documents/**")
    assert preview.locator("#preview-banner").is_visible()
    banner_violations = run_axe(preview)
    banner_issues = [
        violation
        for violation in banner_violations
        if any("#preview-banner" in " ".join(n["target"]) for n in violation["nodes"])
    ]
    assert banner_issues == [], axe_report(banner_issues)
    preview.wait_for_timeout(500)  # time for a beacon, were there one

    assert beacons == []
    assert (
        ClientPortalAccess.objects.for_company(customer.company)
        .filter(client=customer)
        .count()
        == 0
    )
    assert views_before.count() == views_count

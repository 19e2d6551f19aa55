import io
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BrandKitFactory, ClientFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

EXPECTED_HEADERS = {
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def _assert_hardened(response):
    for header, value in EXPECTED_HEADERS.items():
        assert response[header] == value, header
    csp = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    # The brand's inline style is allowed by its hash: no nonce, no inline else.
    assert re.fullmatch(
        r"'self'( 'sha256-[A-Za-z0-9+/=]{44}')?", directives["style-src"]
    )
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.fixture
def portal():
    portal = ClientFactory()
    BrandKitFactory(company=portal.company)
    return portal


def test_every_kind_of_portal_response_is_hardened(client, portal, settings):
    bill = invoice(portal)
    responses = [
        client.get(url("home", portal)),
        client.get(url("quotes", portal)),
        client.get(url("document", portal, document_id=bill.pk)),
        client.get(url("manifest", portal)),
        client.get(url("icon", portal, size=192)),
        client.get(url("document", portal, document_id=0)),  # 404
        client.get("/p/not-a-token/"),  # 404
        client.post(url("language", portal), {"language": "fr"}),  # 303
    ]
    settings.PORTAL_MISS_LIMIT = 2
    client.get("/p/miss-1/")
    responses.append(client.get("/p/miss-2/"))  # 429

    assert [r.status_code for r in responses] == [
        200,
        200,
        200,
        200,
        200,
        404,
        404,
        303,
        429,
    ]
    for response in responses:
        _assert_hardened(response)
    assert responses[-1]["Retry-After"] == str(settings.PORTAL_MISS_WINDOW_SECONDS)


def test_a_page_has_the_same_policy_on_every_view_so_it_can_be_cached(client, portal):
    first = client.get(url("home", portal))["Content-Security-Policy"]
    second = client.get(url("home", portal))["Content-Security-Policy"]

    assert first == second
    assert "'sha256-" in first and "nonce" not in first


def test_pages_hold_no_inline_script_and_no_third_party_content(client, portal):
    bill = invoice(portal)
    for page in (url("home", portal), url("document", portal, document_id=bill.pk)):
        html = client.get(page).content.decode()
        # Scripts only from our own static files, never inline.
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all(
            re.fullmatch(r' src="/static/portal/[a-z]+\.js" defer', attributes)
            and body == ""
            for attributes, body in scripts
        ), scripts
        assert html.count("<script") == len(scripts)
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
        assert not re.search(r"\son[a-z]+=", html)


def test_repeated_misses_from_one_address_get_429(client, portal, settings):
    settings.PORTAL_MISS_LIMIT = 3

    misses = [client.get(f"/p/guess-{n}/").status_code for n in range(3)]
    blocked = client.get(f"/p/guess-{4}/")
    # A valid link is never refused because of its address's misses.
    real_client_same_address = client.get(url("home", portal))
    other_address = client.get("/p/guess-5/", REMOTE_ADDR="10.9.8.7")

    assert misses == [404, 404, 404]
    assert (blocked.status_code, real_client_same_address.status_code) == (429, 200)
    assert other_address.status_code == 404
    assert "Too many attempts" in blocked.content.decode()


def test_behind_our_proxy_misses_count_per_forwarded_client(client, portal, settings):
    settings.PORTAL_MISS_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    guesser = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9",
    }
    spoofing = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9",
    }
    neighbour = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}

    misses = [client.get(f"/p/guess-{n}/", **guesser).status_code for n in range(2)]
    # A forged left-hand entry does not reset the count: our proxy wrote the last.
    spoofed = client.get("/p/guess-3/", **spoofing)
    other_client = client.get("/p/guess-3/", **neighbour)

    assert misses == [404, 404]
    assert (spoofed.status_code, other_client.status_code) == (429, 404)


def test_a_real_clients_successful_requests_never_count(client, portal, settings):
    settings.PORTAL_MISS_LIMIT = 2
    bill = invoice(portal)

    for _ in range(10):
        assert client.get(url("home", portal)).status_code == 200
        assert (
            client.get(url("document", portal, document_id=bill.pk)).status_code == 200
        )
    client.get("/p/one-miss/")

    assert client.get(url("home", portal)).status_code == 200


def test_outside_the_portal_nothing_is_counted_or_hardened(client, settings):
    settings.PORTAL_MISS_LIMIT = 1

    responses = [client.get("/nowhere/") for _ in range(3)]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert "X-Robots-Tag" not in responses[0]


def test_no_get_changes_anything(client, portal):
    bill = invoice(portal)
    pages = [
        url("home", portal),
        url("invoices", portal),
        url("quotes", portal),
        url("document", portal, document_id=bill.pk),
        url("document_version", portal, document_id=bill.pk, number=1),
        url("manifest", portal),
        url("icon", portal, size=512),
        url("document", portal, document_id=0),
    ]

    with CaptureQueriesContext(connection) as queries:
        for page in pages:
            client.get(page)

    statements = {q["sql"].split()[0].upper() for q in queries.captured_queries}
    assert statements <= {"SELECT", "SAVEPOINT", "RELEASE"}


def test_unsafe_methods_are_refused_on_pages(client, portal):
    assert client.post(url("home", portal)).status_code == 405
    assert client.delete(url("invoices", portal)).status_code == 405


def _log_through_configured_handler(logger_name, emit):
    """Run `emit` with the real LOGGING handler (the root's, which every logger
    reaches) writing to a buffer."""
    assert logging.getLogger(logger_name).handlers == []  # none without the mask
    handler = logging.getLogger().handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        emit()
    finally:
        handler.setStream(previous)
    return buffer.getvalue()


def test_django_request_404_warnings_mask_the_token(client, portal):
    token = portal.portal_token

    output = _log_through_configured_handler(
        "django.request",
        lambda: client.get(url("document", portal, document_id=123456)),
    )

    assert "Not Found: /p/[token]/documents/123456/" in output
    assert token not in output


def test_django_request_429_warnings_mask_the_token(client, settings):
    settings.PORTAL_MISS_LIMIT = 0
    guess = "G" * 43

    output = _log_through_configured_handler(
        "django.request", lambda: client.get(f"/p/{guess}/")
    )

    assert "status=429" in output
    assert guess not in output


def test_django_server_lines_mask_the_token(portal):
    token = portal.portal_token

    def emit():
        # The shape runserver's WSGIRequestHandler.log_message uses.
        logging.getLogger("django.server").warning(
            '"%s" %s %s', f"GET /p/{token}/documents/1/ HTTP/1.1", "404", "179"
        )

    output = _log_through_configured_handler("django.server", emit)

    assert '"GET /p/[token]/documents/1/ HTTP/1.1" 404 179' in output
    assert token not in output


def test_the_filter_masks_every_token_in_a_message():
    from portal.logging import MaskPortalTokenFilter

    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "%s then %s", ("/p/abc_DEF-1/x", "/p/zz/"), None
    )

    assert MaskPortalTokenFilter().filter(record) is True
    assert record.getMessage() == "/p/[token]/x then /p/[token]/"

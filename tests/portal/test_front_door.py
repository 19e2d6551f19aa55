"""The front door: trusted proxies, refused methods, masked logs, request lines,
the portal's miss limit and its page cache."""

import io
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from portal.logging import MaskPortalTokenFilter, mask_portal_tokens
from portal.middleware import forwarded_client_address
from tests.factories import ClientFactory
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


@pytest.mark.parametrize(
    "text",
    [
        f"GET /p/{TOKEN}/documents/1/",
        f"GET /P/{TOKEN}/",
        f"GET /p/%20{TOKEN}/",
        f"GET /p/.{TOKEN}/",
        f"GET //p//{TOKEN}/",
        f"GET %2Fp%2F{TOKEN}%2F",
        f"Invalid HTTP request line: 'GET /p/{TOKEN}/\\x01 HTTP/1.1'",
        f"Resolver404: {{'path': 'p/{TOKEN}/x'}}",
        f"kwargs={{'token': '{TOKEN}'}}",
    ],
)
def test_every_spelling_of_a_portal_token_is_masked(text):
    assert TOKEN not in mask_portal_tokens(text)
    assert "[token]" in mask_portal_tokens(text)


def test_the_filter_masks_tracebacks_too():
    try:
        raise ValueError(f"no such portal /p/{TOKEN}/")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), exc_info=True
        )
        import sys

        record.exc_info = sys.exc_info()
    MaskPortalTokenFilter().filter(record)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.emit(record)

    assert "ValueError: no such portal /p/[token]/" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def test_other_paths_are_left_as_they_are():
    text = "GET /static/portal/portal.css /admin/ 0123456789abcdef0123456789abcdef"
    assert mask_portal_tokens(text) == text


def test_forwarded_for_is_read_only_from_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    forged = {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    through_two = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 192.0.2.1",
    }
    garbage = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-address"}

    assert forwarded_client_address(forged) == "203.0.113.5"
    assert forwarded_client_address(through_two) == "198.51.100.7"
    assert forwarded_client_address(garbage) == "10.0.0.2"


def test_a_direct_client_cannot_claim_https_or_an_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PORTAL_MISS_LIMIT = 1

    client.get("/p/guess-1/", HTTP_X_FORWARDED_FOR="1.1.1.1")
    # Another forged address does not escape the limit: only REMOTE_ADDR counts.
    response = client.get("/p/guess-2/", HTTP_X_FORWARDED_FOR="2.2.2.2")

    assert response.status_code == 429
    request = response.wsgi_request
    assert "HTTP_X_FORWARDED_PROTO" not in request.META
    assert request.is_secure() is False


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/admin/login/", "/p/x/"])
def test_trace_is_refused_everywhere(client, path):
    assert client.generic("TRACE", path).status_code == 405


def test_healthz_and_readyz_answer_get_and_head_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/readyz").status_code == 200
    assert client.get("/readyz").json() == {
        "status": "ok",
        "failed": [],
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }


def test_readyz_names_the_failed_dependency(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_one_structured_line_per_request_without_the_path(client, caplog):
    portal = ClientFactory()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = client.get(url("home", portal))

    (line,) = [r.getMessage() for r in caplog.records if r.name == "portal.requests"]
    assert re.fullmatch(
        r"method=GET route=portal:home status=200 duration_ms=\d+\.\d "
        r"request_id=[0-9a-f]{32}",
        line,
    )
    assert line.endswith(response["X-Request-ID"])
    assert portal.portal_token not in line


def test_a_repeat_view_is_served_from_the_page_cache(client):
    portal = ClientFactory()
    bill = invoice(portal)
    first = client.get(url("home", portal))

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url("home", portal))

    assert len(queries) == 1  # the token lookup; the page comes from the cache
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", again.content) == strip.sub(b"", first.content)
    assert bill.number.encode() in again.content
    # Each response carries a CSRF token of its own, never the placeholder.
    assert b"portal-csrf-token-placeholder" not in again.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_the_page_cache_moves_on_with_the_clients_revision(client):
    from documents import services
    from tests.factories import NOW

    portal = ClientFactory()
    bill = invoice(portal)
    client.get(url("home", portal))

    services.document_hide(document=bill, actor=None, now=NOW)
    after = client.get(url("home", portal))

    assert bill.number.encode() not in after.content


def test_the_language_form_of_a_cached_page_still_posts(client):
    portal = ClientFactory()
    client.get(url("home", portal))
    page = client.get(url("home", portal)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies
    response = csrf_client.post(
        url("language", portal), {"language": "fr", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 303


def test_even_in_debug_mode_a_portal_404_is_the_plain_page(client, settings):
    settings.DEBUG = True  # the technical 404 prints the path, token and all
    token = "x" * 43  # a link that opens nothing

    response = client.get(f"/p/{token}/documents/999999/")

    html = response.content.decode()
    assert response.status_code == 404
    assert token not in html
    assert "URLconf" not in html and "This link does not open a portal" in html


def test_even_in_debug_mode_a_missing_document_is_the_portals_404(client, settings):
    settings.DEBUG = True
    portal = ClientFactory()

    response = client.get(url("document", portal, document_id=999999))

    html = response.content.decode()
    assert response.status_code == 404
    assert "URLconf" not in html and "Traceback" not in html
    assert 'id="error-page" data-status="404"' in html

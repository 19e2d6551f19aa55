"""The front door's middleware, one concern at a time: the trusted proxy and
the request id it sends, the policy built through django-csp, the portal's
headers and its miss limit reading the visit the view resolved."""

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal.middleware import (
    ContentSecurityPolicyMiddleware,
    FrontDoorMiddleware,
    RequestLogMiddleware,
)
from portal.middleware.policy import _policy
from tests.factories import ClientFactory
from tests.portal.helpers import url

PROXY_ID = "nginx-0123456789abcdef"


def _front_door_then_log(request):
    """FrontDoor, then RequestLog, around a view that answers 200."""
    return FrontDoorMiddleware(RequestLogMiddleware(lambda r: HttpResponse()))(request)


def test_the_request_id_of_a_trusted_proxy_is_kept(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get(
        "/healthz",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_X_REQUEST_ID=PROXY_ID,
    )

    response = _front_door_then_log(request)

    # The front door replaced the proxy's address by the client's; the id was
    # still believed, because the proxy was checked before that.
    assert request.META["REMOTE_ADDR"] == "198.51.100.7"
    assert response["X-Request-ID"] == PROXY_ID


@pytest.mark.parametrize(
    ("peer", "given"),
    [("203.0.113.5", PROXY_ID), ("10.0.0.2", "bad id with spaces")],
)
def test_a_request_id_from_anyone_else_or_malformed_is_replaced(settings, peer, given):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get(
        "/healthz", REMOTE_ADDR=peer, HTTP_X_REQUEST_ID=given
    )

    response = _front_door_then_log(request)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_whole_stack_answers_with_its_request_id(
    client, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get(
        "/healthz",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_X_REQUEST_ID=PROXY_ID,
    )

    assert response["X-Request-ID"] == PROXY_ID


def test_the_policy_comes_from_the_settings_with_a_responses_additions():
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
    request = RequestFactory().get("/p/x/")
    response = HttpResponse()
    response._csp_update = {"style-src": ("'sha256-abc'",), "manifest-src": ("'self'",)}

    middleware.process_response(request, response)

    assert response["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-abc'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
        "manifest-src 'self'"
    )


def test_each_distinct_policy_is_built_once():
    _policy.cache_clear()
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
    request = RequestFactory().get("/healthz")
    for _ in range(3):
        middleware.process_response(request, HttpResponse())

    info = _policy.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_the_back_office_policy_allows_the_admins_inline_style_by_hash():
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse())
    response = middleware.process_response(
        RequestFactory().get("/admin/"), HttpResponse()
    )

    style = re.search(r"style-src ([^;]+)", response["Content-Security-Policy"])[1]
    assert re.fullmatch(r"'self'( 'sha256-[A-Za-z0-9+/=]{44}')+", style)


@pytest.mark.django_db
def test_a_missing_document_of_a_valid_link_costs_no_second_token_lookup(
    client, django_assert_num_queries
):
    portal = ClientFactory()
    missing = url("document", portal, document_id=999_999)

    # The link's row, the document, then the brand of the portal's own 404
    # page: the miss limit and the error page read the visit the view
    # resolved instead of looking the token up again.
    with django_assert_num_queries(3) as queries:
        response = client.get(missing)

    assert response.status_code == 404
    assert 'id="error-page" data-status="404"' in response.content.decode()
    tables = [query["sql"].split(" FROM ")[1].split()[0] for query in queries]
    assert tables == ['"clients_client"', '"documents_document"', '"branding_brandkit"']

"""A member opening a client's portal ("Open portal"): a preview of exactly what
the client sees, that records nothing, is never cached, and acts for no one."""

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.utils import timezone

from clients.models import ClientPortalAccess
from documents.models import ClientEmail, Document, DocumentEvent, QuoteDecline
from payments.models import CheckoutSession, TransferDeclaration
from portal.selectors import portal_page_key
from tests.backoffice import sign_in
from tests.factories import ClientFactory, CompanyFactory
from tests.portal.helpers import invoice, quote, url

pytestmark = pytest.mark.django_db

BANNER = 'id="preview-banner"'


def cached_page(customer, path, language=""):
    """What the portal's page cache holds for this page (see cached_page): by
    default, for a visitor who chose no language (the client's own)."""
    key = portal_page_key(
        client=customer, language=language, today=timezone.localdate(), path=path
    )
    return cache.get(key)


def test_a_member_sees_the_client_s_page_with_a_banner_and_no_beacon(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company, name="Café des Arts")
    bill = invoice(customer)

    home = client.get(url("home", customer))
    page = client.get(url("document", customer, document_id=bill.pk))

    for response in (home, page):
        html = response.content.decode()
        assert response.status_code == 200
        assert BANNER in html
        assert "This is what Café des Arts sees." in html
        assert "beacon" not in html
        assert f'href="/admin/clients/client/{customer.pk}/change/"' in html
    assert bill.number in home.content.decode()


def test_the_preview_is_never_cached_nor_served_from_the_cache():
    customer = ClientFactory()
    invoice(customer)
    path = url("home", customer)
    member = HttpClient()
    sign_in(member, customer.company)
    visitor = HttpClient()

    first = member.get(path)
    stored_after_preview = cached_page(customer, path)
    seen_by_client = visitor.get(path)
    stored_after_client = cached_page(customer, path)
    again = member.get(path)

    assert BANNER in first.content.decode()
    assert stored_after_preview is None
    assert BANNER not in seen_by_client.content.decode()
    assert 'data-beacon-url="' in seen_by_client.content.decode()
    assert stored_after_client is not None
    assert BANNER not in stored_after_client["body"].decode()
    assert BANNER in again.content.decode()


def test_the_preview_records_no_view_no_access_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    bill = invoice(customer)

    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            client.get(url("home", customer)),
            client.get(url("document", customer, document_id=bill.pk)),
            # What the page's script would send, were it there.
            client.post(url("beacon", customer), {"document": bill.pk, "version": 1}),
            client.post(url("beacon", customer)),
        ]

    bill.refresh_from_db()
    assert [page.status_code for page in pages] == [200, 200, 204, 204]
    assert not DocumentEvent.objects.for_company(company).filter(kind="viewed").exists()
    assert not ClientPortalAccess.objects.for_company(company).exists()
    assert mailoutbox == []


def test_a_member_of_another_company_is_a_client_like_any_other(client):
    customer = ClientFactory()
    bill = invoice(customer)
    sign_in(client, CompanyFactory())  # a member elsewhere: here, the client

    page = client.get(url("document", customer, document_id=bill.pk))
    client.post(url("beacon", customer), {"document": bill.pk, "version": 1})

    assert BANNER not in page.content.decode()
    assert (
        DocumentEvent.objects.for_company(customer.company)
        .filter(kind="viewed")
        .count()
        == 1
    )


def test_the_preview_may_not_pay_sign_answer_or_declare_a_transfer(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    bill = invoice(customer)
    offer = quote(customer, requires_signature=True)

    responses = [
        client.post(url("invoice_pay", customer, document_id=bill.pk)),
        client.post(url("transfer_declare", customer, document_id=bill.pk), {}),
        client.post(url("quote_sign", customer, document_id=offer.pk), {}),
        client.post(url("quote_accept", customer, document_id=offer.pk), {}),
        client.post(
            url("quote_decline", customer, document_id=offer.pk), {"reason": "No"}
        ),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert all(
        'id="preview-refused"' in response.content.decode() for response in responses
    )
    offer.refresh_from_db()
    assert offer.status == Document.Status.PENDING
    assert not QuoteDecline.objects.exists()
    assert not CheckoutSession.objects.exists()
    assert not TransferDeclaration.objects.exists()
    assert not ClientEmail.objects.exists()  # the client is told of nothing
    # Looking at the sign page is fine: it is what the client sees.
    sign_page = client.get(url("quote_sign", customer, document_id=offer.pk))
    assert (sign_page.status_code, BANNER in sign_page.content.decode()) == (200, True)


def test_the_preview_of_an_archived_client_works_and_says_it_is_archived(client):
    company = CompanyFactory()
    sign_in(client, company)
    customer = ClientFactory(company=company)
    client.post(f"/admin/clients/client/{customer.pk}/archive/")

    page = client.get(url("home", customer))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="preview-banner-archived"' in html
    assert "This client is archived" in html


def test_the_preview_of_another_company_s_disabled_or_unknown_link_is_404(client):
    from clients.services import client_portal_disable
    from tests.factories import NOW

    company = CompanyFactory()
    sign_in(client, company)
    disabled = ClientFactory(company=company)
    client_portal_disable(client=disabled, actor=None, now=NOW)

    responses = [
        client.get(url("home", disabled)),
        client.get("/p/" + "x" * 43 + "/"),
    ]

    assert [response.status_code for response in responses] == [404, 404]
    assert all(BANNER not in r.content.decode() for r in responses)


def test_a_manager_previews_without_a_link_to_pages_they_cannot_open(client):
    company = CompanyFactory()
    sign_in(client, company, role="manager")
    customer = ClientFactory(company=company)

    html = client.get(url("home", customer)).content.decode()

    assert BANNER in html
    assert 'id="preview-back"' not in html

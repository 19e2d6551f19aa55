"""Views and the access log come only from the page's beacon, a POST a real
browser sends: no GET records anything (mail scanners, link previews)."""

import pytest
from django.test import Client as HttpClient

from clients.models import ClientPortalAccess
from documents.models import DocumentEvent
from documents.services import document_lines, document_update
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import hide, invoice, url

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def views_of(document) -> list[int]:
    return list(
        DocumentEvent.objects.for_company(document.company)
        .filter(document=document, kind="viewed")
        .order_by("pk")
        .values_list("version__number", flat=True)
    )


def beacon(http, portal, **data):
    return http.post(
        url("beacon", portal),
        data,
        HTTP_USER_AGENT=CHROME,
        REMOTE_ADDR="203.0.113.77",
    )


def test_get_on_every_page_records_nothing(client, django_capture_on_commit_callbacks):
    portal = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):  # its PDF is printed
        bill = invoice(portal)
    pages = [
        url("home", portal),
        url("quotes", portal),
        url("document", portal, document_id=bill.pk),
        url("document_version", portal, document_id=bill.pk, number=1),
        url("document_version_pdf", portal, document_id=bill.pk, number=1),
        url("events", portal),
    ]

    statuses = {client.get(page).status_code for page in pages}

    assert statuses == {200}
    assert views_of(bill) == []
    assert ClientPortalAccess.objects.for_company(portal.company).count() == 0


def test_a_beacon_records_one_view_per_version_and_the_access_log(client):
    portal = ClientFactory()
    bill = invoice(portal)

    answers = [
        beacon(client, portal, document=bill.pk, version=1).status_code
        for _ in range(3)
    ]
    document_update(
        document=bill, lines=document_lines(bill), actor=None, now=NOW, notes="v2"
    )
    answers.append(beacon(client, portal, document=bill.pk, version=2).status_code)
    answers.append(beacon(client, portal).status_code)

    assert answers == [204] * 5
    assert views_of(bill) == [1, 2]
    view = DocumentEvent.objects.for_company(portal.company).filter(kind="viewed")[0]
    assert (view.actor, view.actor_name) == (None, portal.name)
    log = list(
        ClientPortalAccess.objects.for_company(portal.company)
        .order_by("pk")
        .values_list("document_id", "network", "browser")
    )
    # The same page from the same place within minutes is one visit.
    assert log == [
        (bill.pk, "203.0.113.0/24", "Chrome, Linux"),
        (None, "203.0.113.0/24", "Chrome, Linux"),
    ]


def test_a_view_does_not_move_the_portal_revision(client):
    portal = ClientFactory()
    bill = invoice(portal)
    portal.refresh_from_db()
    before = portal.portal_revision

    beacon(client, portal, document=bill.pk, version=1)

    portal.refresh_from_db()
    assert portal.portal_revision == before


@pytest.mark.parametrize("case", ["other client", "hidden", "unknown version", "junk"])
def test_beacons_about_what_the_link_does_not_show_are_ignored(client, case):
    portal = ClientFactory()
    mine = invoice(portal)
    neighbour = invoice(ClientFactory(company=portal.company))
    hidden = invoice(portal)
    hide(hidden)
    data = {
        "other client": {"document": neighbour.pk, "version": 1},
        "hidden": {"document": hidden.pk, "version": 1},
        "unknown version": {"document": mine.pk, "version": 9},
        "junk": {"document": "x", "version": "-1"},
    }[case]

    response = beacon(client, portal, **data)

    assert response.status_code == 204
    assert DocumentEvent.objects.filter(kind="viewed").count() == 0  # unscoped: all
    assert ClientPortalAccess.objects.count() == 0  # unscoped: nothing anywhere


def test_the_beacon_needs_the_csrf_token_and_a_same_origin_browser():
    portal = ClientFactory()
    bill = invoice(portal)
    browser = HttpClient(enforce_csrf_checks=True)
    page = browser.get(url("document", portal, document_id=bill.pk))
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1]
    token = token.split('"')[0]
    data = {"document": bill.pk, "version": 1}

    forged = browser.post(
        url("beacon", portal), data, HTTP_ORIGIN="https://evil.example"
    )
    no_token = browser.post(
        url("beacon", portal), data, HTTP_ORIGIN="http://testserver"
    )
    real = browser.post(
        url("beacon", portal),
        data,
        HTTP_ORIGIN="http://testserver",
        HTTP_X_CSRFTOKEN=token,
    )

    assert (forged.status_code, no_token.status_code, real.status_code) == (
        403,
        403,
        204,
    )
    assert views_of(bill) == [1]

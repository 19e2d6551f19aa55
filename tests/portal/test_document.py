import datetime as dt
import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from documents import events, services
from mail import services as mail_services
from tests.factories import NOW, ClientFactory, DocumentFactory, line
from tests.portal.helpers import hide, invoice, quote, url

pytestmark = pytest.mark.django_db

# client, document + current version, brand, versions, events, Stripe account,
# open transfer declaration, related documents (credit notes, quote, deposits),
# e-invoice lifecycle statuses
DOCUMENT_QUERIES = 9
# Brand, versions, events and lifecycle are cached until the client's portal
# revision moves.
WARM_DOCUMENT_QUERIES = 2  # client, document + current version
LATER = NOW + dt.timedelta(days=3)


def _new_version(document, *lines):
    """The invoice's next version: an issued invoice's lines stay as issued,
    so the lines' descriptions become its notes."""
    return services.document_update(
        document=document,
        lines=services.document_lines(document),
        actor=None,
        now=LATER,
        notes=" ".join(item.description for item in lines),
    )


def test_document_page_renders_the_snapshot(client):
    portal = ClientFactory(locale="en")
    bill = invoice(
        portal,
        issue_date=dt.date(2026, 3, 2),
        due_date=dt.date(2026, 4, 1),
        lines=[
            line("Design work", "2.5", "400.00", "20"),
            line("Books", "1", "50", "5.5"),
        ],
    )
    # A later change to the company does not touch the frozen version.
    Company.objects.filter(pk=portal.company.pk).update(iban="FR00CHANGED")

    response = client.get(url("document", portal, document_id=bill.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<h1 class="page-title" id="document-title">Invoice INV-2026-0001</h1>' in html
    )
    for expected in (
        "Design work",
        "2.5",
        "€400.00",
        "€1,000.00",
        "20%",
        "5.5%",
        "€2.75",
        "€1,050.00",
        "€202.75",
        "€1,252.75",
        '<dd class="doc__iban">FR7630006000011234567890189</dd>',
        "<dd>AGRIFRPP</dd>",
        '<dd class="doc__reference">RF16 INV2 0260 001</dd>',
        "Apr 1, 2026",
        "12 rue de la Paix<br>75002 Paris",
        "1 Main Street<br>69001 Lyon",
    ):
        assert expected in html, expected
    assert "FR00CHANGED" not in html
    # No Stripe here: bank transfer only, to the IBAN the invoice states.
    assert 'id="pay-button"' not in html
    assert (
        '<dd class="transfer__code" id="transfer-iban" '
        'data-copy="FR7630006000011234567890189">FR7630006000011234567890189' in html
    )


def test_quote_page_offers_signing_and_no_payment_details(client):
    portal = ClientFactory()
    offer = quote(portal, expiry_date=dt.date(2099, 12, 1), requires_signature=True)

    html = client.get(url("document", portal, document_id=offer.pk)).content.decode()

    sign_url = url("quote_sign", portal, document_id=offer.pk)
    assert f'id="sign-button" href="{sign_url}"' in html
    assert "Sign this quote" in html
    assert "Payment details" not in html
    assert "Valid until" in html


def test_versions_are_listed_and_an_older_one_is_marked_superseded(client):
    portal = ClientFactory()
    bill = invoice(portal, notes="First draft of the work")
    _new_version(bill, line("Second take"))
    _new_version(bill, line("Final take"))

    latest = client.get(url("document", portal, document_id=bill.pk)).content.decode()
    older = client.get(
        url("document_version", portal, document_id=bill.pk, number=1)
    ).content.decode()

    assert "Final take" in latest and "First draft" not in latest
    assert 'id="superseded-notice"' not in latest
    assert re.findall(r'data-version="(\d)"', latest.split('id="versions"')[1]) == [
        "3",
        "2",
        "1",
    ]
    # "v3 (latest) · v2 · v1", never "1. Version 3" (the list's number and the
    # version's would disagree).
    assert re.findall(
        r'<span class="versions__name">([^<]+)</span>', latest.split('id="versions"')[1]
    ) == ["v3 (latest)", "v2", "v1"]
    assert '<ul class="versions__list">' in latest
    assert "First draft of the work" in older and "Final take" not in older
    assert 'id="superseded-notice"' in older
    assert "replaced by version 3" in older
    assert (
        f'<a href="{url("document", portal, document_id=bill.pk)}" '
        'id="latest-version-link">'
    ) in older
    assert 'id="pay-button"' not in older
    for number in (1, 2, 3):
        pdf = url("document_version_pdf", portal, document_id=bill.pk, number=number)
        assert f'href="{pdf}"' in latest


def test_version_links_and_labels(client):
    portal = ClientFactory(locale="fr")
    bill = invoice(portal)
    _new_version(bill, line("Second take"))

    latest = client.get(url("document", portal, document_id=bill.pk)).content.decode()
    older = client.get(
        url("document_version", portal, document_id=bill.pk, number=1)
    ).content.decode()

    def links(html):
        return re.findall(
            r'<a class="versions__link" href="([^"]+)">([^<]+)<',
            html.split('id="versions"')[1],
        )

    document_url = url("document", portal, document_id=bill.pk)

    def version_url(number, name="document_version"):
        return url(name, portal, document_id=bill.pk, number=number)

    assert links(latest) == [
        (version_url(2, "document_version_pdf"), "Télécharger le PDF"),
        (version_url(1), "Voir"),
        (version_url(1, "document_version_pdf"), "Télécharger le PDF"),
    ]
    assert links(older) == [
        (document_url, "Voir"),
        (version_url(2, "document_version_pdf"), "Télécharger le PDF"),
        (version_url(1, "document_version_pdf"), "Télécharger le PDF"),
    ]
    assert f'id="download-pdf" href="{version_url(1, "document_version_pdf")}"' in (
        older
    )
    assert f'<a href="{document_url}" id="latest-version-link">' in older
    assert re.findall(r'<span class="versions__name">([^<]+)</span>', latest) == [
        "v2 (dernière)",
        "v1",
    ]
    assert '<span class="versions__viewing">(version affichée)</span>' in latest


def test_line_labels_follow_the_language(client):
    portal = ClientFactory(locale="fr")
    bill = invoice(portal)

    html = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    lines = html.split('class="doc__lines"')[1].split("</table>")[0]
    vat = html.split('class="doc__vat"')[1].split("</table>")[0]
    assert re.findall(r'data-label="([^"]+)"', lines) == [
        "Description",
        "Quantité",
        "Prix unitaire HT",
        "Taux de TVA",
        "Total HT",
    ]
    assert re.findall(r'data-label="([^"]+)"', vat) == ["Taux de TVA", "Base", "TVA"]


def test_a_warm_document_page_reads_the_client_and_the_document_only(client):
    portal = ClientFactory()
    bill = invoice(portal)
    # A query string keeps the rendered page itself out of the page cache
    # (portal.views.page.cached_page): this is the cost of rendering it warm.
    page = url("document", portal, document_id=bill.pk) + "?uncached=1"
    client.get(page)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)

    assert response.status_code == 200
    assert len(queries) == WARM_DOCUMENT_QUERIES


def test_new_versions_and_events_show_as_soon_as_they_are_written(
    client, django_capture_on_commit_callbacks
):
    portal = ClientFactory()
    bill = invoice(portal)
    before = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task
        mail_services.document_send(document=bill, actor=None, now=LATER)
    _new_version(bill, line("Changed"))
    after = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    def shown(html):
        return (
            re.findall(r'data-version="(\d)"', html.split('id="versions"')[1]),
            re.findall(r'data-event="([a-z_]+)"', html.split('id="history"')[1]),
        )

    assert shown(before) == (["1"], ["finalised"])
    assert shown(after) == (["2", "1"], ["finalised", "sent", "new_version"])


def test_history_shows_client_events_with_labels_and_dates_but_not_internal_ones(
    client, django_capture_on_commit_callbacks
):
    portal = ClientFactory()
    bill = invoice(portal)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task
        mail_services.document_send(document=bill, actor=None, now=LATER)
    hide(bill)
    services.document_show(document=bill, actor=None, now=LATER)
    events.invoice_payment_received(
        document=bill, actor=None, at=LATER, amount="60.00", method="transfer"
    )
    _new_version(bill, line("Changed"))

    html = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    history = html.split('id="history"')[1]
    assert re.findall(r'data-event="([a-z_]+)"', history) == [
        "finalised",
        "sent",
        "payment_received",
        "new_version",
    ]
    assert "Payment received" in history and "€60.00" in history
    assert '<span class="history__detail">v2</span>' in history
    assert "Mar 2, 2026, 10:30\u202fAM" in history  # NOW in Europe/Paris
    for internal in ("created", "hidden", "shown", "viewed"):
        assert f'data-event="{internal}"' not in history


def test_status_and_balance_of_a_partly_paid_invoice(client):
    portal = ClientFactory()
    bill = invoice(portal, due_date=dt.date(2099, 1, 1), status="partially_paid")

    html = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    assert '<span class="status status--partially_paid" id="document-status">' in html
    assert "€10.00" in html and "€110.00" in html


def test_document_page_query_count_is_fixed(client, django_assert_max_num_queries):
    portal = ClientFactory()
    bill = invoice(portal)
    for n in range(5):
        _new_version(bill, line(f"Take {n}"))
        mail_services.document_send(document=bill, actor=None, now=LATER)

    with django_assert_max_num_queries(DOCUMENT_QUERIES):
        assert (
            client.get(url("document", portal, document_id=bill.pk)).status_code == 200
        )
    with django_assert_max_num_queries(DOCUMENT_QUERIES + 1):
        response = client.get(
            url("document_version", portal, document_id=bill.pk, number=2)
        )
        assert response.status_code == 200


def _unreachable_documents():
    portal = ClientFactory()
    neighbour = ClientFactory(company=portal.company)
    stranger = ClientFactory()
    hidden = invoice(portal)
    hide(hidden)
    return portal, {
        "unknown": 999_999,
        "draft": DocumentFactory(client=portal).pk,
        "hidden": hidden.pk,
        "another client": invoice(neighbour).pk,
        "another company": invoice(stranger).pk,
    }


def test_unreachable_documents_are_the_same_404_as_an_unknown_id(client):
    portal, documents = _unreachable_documents()

    responses = {
        reason: [
            client.get(url("document", portal, document_id=pk)),
            client.get(url("document_version", portal, document_id=pk, number=1)),
            client.get(url("document_version_pdf", portal, document_id=pk, number=1)),
        ]
        for reason, pk in documents.items()
    }

    # The portal's own 404 page, the same whatever the reason (the visitor's
    # CSRF token aside).
    bodies = {
        re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)
        for rs in responses.values()
        for r in rs
    }
    assert {r.status_code for rs in responses.values() for r in rs} == {404}
    assert len(bodies) == 1


def test_unknown_version_of_a_visible_document_is_404(client):
    portal = ClientFactory()
    bill = invoice(portal)
    other = invoice(portal)
    _new_version(other, line("Other's v2"))

    assert (
        client.get(
            url("document_version", portal, document_id=bill.pk, number=2)
        ).status_code
        == 404
    )
    assert (
        client.get(
            url("document_version_pdf", portal, document_id=bill.pk, number=2)
        ).status_code
        == 404
    )


def test_pdf_url_hands_the_resolved_version_to_the_download(client, monkeypatch):
    portal = ClientFactory()
    bill = invoice(portal)
    _new_version(bill, line("v2"))
    served = []

    def fake(*, request, version):
        served.append((version.document_id, version.number))
        return HttpResponse(b"%PDF-", content_type="application/pdf")

    monkeypatch.setattr("printing.downloads.version_pdf_response", fake)

    response = client.get(
        url("document_version_pdf", portal, document_id=bill.pk, number=1)
    )

    assert response.status_code == 200
    assert served == [(bill.pk, 1)]
    assert response["X-Robots-Tag"] == "noindex, nofollow"

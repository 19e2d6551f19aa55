"""The business answers a client's refusal by reopening the invoice (issue
19, item 6): recorded after the refusal as the business's, the invoice no
longer reads refused, the client is told and may refuse again; and the
payment e-reporting CSV downloaded from the back office."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from payments.services import invoice_mark_paid
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, ClientFactory, DocumentFactory, MembershipFactory, line
from tests.portal.helpers import url
from transmission import lifecycle
from transmission.models import LifecycleStatus

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=1)
LATEST = NOW + dt.timedelta(hours=2)


def _invoice(locale="en", **kwargs):
    customer = ClientFactory(locale=locale)
    MembershipFactory(company=customer.company, user__email="boss@example.com")
    return DocumentFactory(client=customer, finalised=True, **kwargs)


def _statuses(invoice):
    return list(
        LifecycleStatus.objects.for_company(invoice.company)
        .filter(document=invoice)
        .order_by("at", "pk")
        .values_list("code", "source", "reason")
    )


def _action_url(invoice, name="reopen"):
    return reverse("admin:documents_document_action", args=[invoice.pk, name])


def test_refused_reopened_then_refused_again_keeps_the_whole_history():
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Wrong hours", now=NOW)
    assert lifecycle.is_reopenable(invoice)

    reopened = lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATER)

    assert (reopened.code, reopened.source) == ("reopened", "company")
    assert lifecycle.client_refusal_of(invoice) is None
    assert not lifecycle.is_reopenable(invoice)
    lifecycle.invoice_refuse_by_client(
        invoice=invoice, reason="Still the wrong hours", now=LATEST
    )
    assert lifecycle.client_refusal_of(invoice).reason == "Still the wrong hours"
    assert _statuses(invoice) == [
        ("210", "client", "Wrong hours"),
        ("reopened", "company", ""),
        ("210", "client", "Still the wrong hours"),
    ]


def test_reopening_what_is_not_refused_is_refused_and_writes_nothing():
    invoice = _invoice()

    with pytest.raises(lifecycle.ReopenRefused, match="has not refused"):
        lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=NOW)
    assert _statuses(invoice) == []

    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="No", now=NOW)
    lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATER)
    with pytest.raises(lifecycle.ReopenRefused, match="has not refused"):
        lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATEST)
    assert [code for code, _s, _r in _statuses(invoice)] == ["210", "reopened"]


def test_a_paid_invoice_is_not_reopened():
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="No", now=NOW)
    invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    invoice.refresh_from_db()

    assert not lifecycle.is_reopenable(invoice)
    with pytest.raises(lifecycle.ReopenRefused, match="still to pay"):
        lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATER)
    assert "reopened" not in [code for code, _s, _r in _statuses(invoice)]


def test_a_platform_cannot_bring_our_own_code():
    invoice = _invoice()

    with pytest.raises(ValueError, match="Not a platform status"):
        lifecycle.lifecycle_record(
            document=invoice,
            code="reopened",
            source=LifecycleStatus.Source.PLATFORM,
            at=NOW,
            now=NOW,
        )
    assert _statuses(invoice) == []


def test_a_member_s_preview_cannot_refuse_a_reopened_invoice(client):
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="No", now=NOW)
    lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATER)
    sign_in(client, invoice.company)

    response = client.post(
        url("invoice_refuse", invoice.client, document_id=invoice.pk),
        {"reason": "No again"},
    )

    assert response.status_code == 403
    assert [code for code, _s, _r in _statuses(invoice)] == ["210", "reopened"]


def test_the_owner_reopens_from_the_invoice_page(client):
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Wrong hours", now=NOW)
    sign_in(client, invoice.company, role="owner")
    page = client.get(reverse("admin:documents_invoice_change", args=[invoice.pk]))
    assert _action_url(invoice) in page.content.decode()

    asked = client.get(_action_url(invoice))
    assert asked.status_code == 200
    assert "may refuse it again" in asked.content.decode()
    assert [code for code, _s, _r in _statuses(invoice)] == ["210"]

    done = client.post(_action_url(invoice), {"confirmed": "yes"})

    assert done.status_code == 302
    assert [code for code, _s, _r in _statuses(invoice)] == ["210", "reopened"]
    assert any("reopened" in text for text in messages_of(done))
    page = client.get(reverse("admin:documents_invoice_change", args=[invoice.pk]))
    html = page.content.decode()
    assert _action_url(invoice) not in html
    block = re.search(r'id="einvoice-lifecycle">(.*?)</ul>', html, re.S).group(1)
    assert "Reopened by the business (The business)" in block

    again = client.post(_action_url(invoice), {"confirmed": "yes"})  # a second tab
    assert any("has not refused" in text for text in messages_of(again))
    assert [code for code, _s, _r in _statuses(invoice)] == ["210", "reopened"]


@pytest.mark.parametrize("role", ["reporting", "manager"])
def test_reporting_and_managers_cannot_reopen(client, role):
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Wrong hours", now=NOW)
    sign_in(client, invoice.company, role=role)

    response = client.post(_action_url(invoice), {"confirmed": "yes"})

    assert response.status_code == 403
    assert [code for code, _s, _r in _statuses(invoice)] == ["210"]


@pytest.mark.parametrize(
    ("locale", "told", "label"),
    [
        ("en", "has reopened this invoice after your refusal", "Reopened by"),
        ("fr", "a rouvert cette facture après votre refus", "Rouverte par"),
    ],
)
def test_the_client_is_told_in_its_language_and_may_refuse_again(
    client, locale, told, label
):
    invoice = _invoice(locale=locale)
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Wrong hours", now=NOW)
    page = client.get(url("document", invoice.client, document_id=invoice.pk))
    assert 'id="refuse-link"' not in page.content.decode()
    assert 'id="reopened-notice"' not in page.content.decode()

    lifecycle.invoice_reopen_after_refusal(invoice=invoice, now=LATER)
    html = client.get(url("document", invoice.client, document_id=invoice.pk))
    html = html.content.decode()

    notice = re.search(r'id="reopened-notice"[^>]*>(.*?)</div>', html, re.S)
    assert notice is not None and told in notice.group(1)
    assert invoice.company.name in notice.group(1)
    assert 'id="refuse-link"' in html
    block = re.search(r'id="einvoice-lifecycle">(.*?)</section>', html, re.S).group(1)
    assert label in block and "Wrong hours" in block
    translation.activate("en")

    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Again", now=LATEST)
    html = client.get(url("document", invoice.client, document_id=invoice.pk))
    html = html.content.decode()
    assert 'id="reopened-notice"' not in html
    assert 'id="refuse-link"' not in html


EXPORT_URL = "/admin/documents/invoice/payments-export/"


def _paid_invoice():
    invoice = _invoice(
        lines=[line("Design", "1", "100.00"), line("Books", "2", "10.00", "5.5")]
    )
    invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    return invoice


@pytest.mark.parametrize("role", ["owner", "admin", "reporting"])
def test_the_payments_csv_is_downloaded_for_a_period(client, role):
    invoice = _paid_invoice()
    sign_in(client, invoice.company, role=role)
    day = NOW.date().isoformat()
    assert client.get(EXPORT_URL).status_code == 200

    response = client.get(EXPORT_URL, {"since": day, "until": day})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"payments-{day}-{day}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "invoice", "issue_date", "buyer_siren"]
        + ["currency", "amount", "vat_rate"],
        [day, invoice.number, day, invoice.client.siren, "EUR", "120.00", "20.00"],
        [day, invoice.number, day, invoice.client.siren, "EUR", "21.10", "5.50"],
    ]
    before = (NOW.date() - dt.timedelta(days=1)).isoformat()
    empty = client.get(EXPORT_URL, {"since": before, "until": before})
    assert empty.content.decode().splitlines() == [",".join(rows[0])]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"since": "2026-03-10", "until": "2026-03-01"}, "ends before it starts"),
        ({"since": "2025-01-01", "until": "2026-03-01"}, "at most a year"),
        ({"since": "yesterday", "until": "2026-03-01"}, "Enter a valid date"),
        ({"since": "2026-03-01"}, "This field is required"),
    ],
)
def test_a_wrong_period_is_said_not_a_500(client, data, error):
    invoice = _paid_invoice()
    sign_in(client, invoice.company)

    response = client.get(EXPORT_URL, data)

    assert response.status_code == 400
    assert error in response.content.decode()


def test_another_company_s_payments_are_not_in_the_csv(client):
    invoice = _paid_invoice()
    stranger = ClientFactory()
    sign_in(client, stranger.company, role="reporting")
    day = NOW.date().isoformat()

    response = client.get(EXPORT_URL, {"since": day, "until": day})

    assert response.status_code == 200
    assert invoice.number not in response.content.decode()


def test_a_manager_cannot_download_payments(client):
    invoice = _paid_invoice()
    sign_in(client, invoice.company, role="manager")

    response = client.get(EXPORT_URL, {"since": "2026-03-01", "until": "2026-03-31"})

    assert response.status_code == 403

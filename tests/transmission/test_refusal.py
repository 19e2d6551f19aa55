"""A client refuses an invoice in its portal, with a reason (issue 19, item
6): recorded in the lifecycle as the client's, the owner e-mailed, the
invoice reads Refused with the reason; nothing else is refusable."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client as BrowserClient

from payments.services import invoice_mark_paid
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, DocumentFactory, MembershipFactory
from tests.portal.helpers import url
from transmission import lifecycle
from transmission.models import Flow, LifecycleStatus

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=1)


def _invoice(boss="boss@example.com", **kwargs):
    customer = ClientFactory(locale="en")
    MembershipFactory(company=customer.company, user__email=boss)
    return DocumentFactory(client=customer, finalised=True, **kwargs)


def _statuses(invoice):
    return list(
        LifecycleStatus.objects.for_company(invoice.company)
        .filter(document=invoice)
        .values_list("code", "source", "reason")
    )


def test_the_client_refuses_with_a_reason_and_the_owner_hears_of_it(
    client, django_capture_on_commit_callbacks
):
    invoice = _invoice()
    page = client.get(url("document", invoice.client, document_id=invoice.pk))
    assert 'id="refuse-link"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("invoice_refuse", invoice.client, document_id=invoice.pk),
            {"reason": "The hours billed are not the ones agreed."},
        )

    assert response.status_code == 302
    assert _statuses(invoice) == [
        ("210", "client", "The hours billed are not the ones agreed.")
    ]
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]
    assert "The hours billed" in mail.outbox[0].body
    assert not Flow.objects.for_company(invoice.company).exists()  # ours only
    page = client.get(url("document", invoice.client, document_id=invoice.pk))
    html = page.content.decode()
    assert 'id="refuse-link"' not in html
    block = re.search(r'id="einvoice-lifecycle">(.*?)</section>', html, re.S).group(1)
    assert "Refused by you" in block and "not the ones agreed" in block


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_refusal_needs_a_reason_of_reasonable_length(client, reason):
    invoice = _invoice()

    response = client.post(
        url("invoice_refuse", invoice.client, document_id=invoice.pk),
        {"reason": reason},
    )

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode() or "Say why" in (
        response.content.decode()
    )
    assert _statuses(invoice) == []


def test_a_paid_invoice_or_a_second_refusal_is_refused():
    paid = _invoice()
    invoice_mark_paid(invoice=paid, actor=None, now=NOW)
    with pytest.raises(lifecycle.RefusalRefused):
        lifecycle.invoice_refuse_by_client(invoice=paid, reason="No", now=LATER)
    assert [code for code, _s, _r in _statuses(paid)] == ["212"]

    open_invoice = _invoice(boss="other-boss@example.com")
    lifecycle.invoice_refuse_by_client(invoice=open_invoice, reason="No", now=NOW)
    with pytest.raises(lifecycle.RefusalRefused):
        lifecycle.invoice_refuse_by_client(
            invoice=open_invoice, reason="Still no", now=LATER
        )
    assert _statuses(open_invoice) == [("210", "client", "No")]


def test_a_quote_has_no_refusal_page(client):
    quote = _invoice(kind="quote")

    response = client.get(url("invoice_refuse", quote.client, document_id=quote.pk))

    assert response.status_code == 404


def test_another_client_s_invoice_is_not_found(client):
    invoice = _invoice()
    stranger = ClientFactory()

    response = client.post(
        url("invoice_refuse", stranger, document_id=invoice.pk), {"reason": "No"}
    )

    assert response.status_code == 404
    assert _statuses(invoice) == []


def test_csrf_is_required():
    invoice = _invoice()
    browser = BrowserClient(enforce_csrf_checks=True)

    response = browser.post(
        url("invoice_refuse", invoice.client, document_id=invoice.pk),
        {"reason": "No"},
    )

    assert response.status_code == 403
    assert _statuses(invoice) == []


def test_a_member_s_preview_cannot_refuse(client):
    invoice = _invoice()
    sign_in(client, invoice.company)

    response = client.post(
        url("invoice_refuse", invoice.client, document_id=invoice.pk),
        {"reason": "No"},
    )

    assert response.status_code == 403
    assert _statuses(invoice) == []


def test_the_refusal_shows_on_the_owner_s_dashboard(client):
    invoice = _invoice()
    lifecycle.invoice_refuse_by_client(invoice=invoice, reason="Wrong hours", now=NOW)
    sign_in(client, invoice.company)

    page = client.get("/admin/").content.decode()

    line = re.search(r'<li class="activity-lifecycle-210">(.*?)</li>', page, re.S)
    assert line is not None
    assert f"{invoice.client.name} refused {invoice.number}: Wrong hours" in line.group(
        1
    )


def test_cashed_invoices_are_exported_per_vat_rate():
    import io

    from django.core.management import call_command

    from tests.factories import line

    invoice = _invoice(
        lines=[line("Design", "1", "100.00"), line("Books", "2", "10.00", "5.5")]
    )
    invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    out = io.StringIO()

    call_command("einvoicing_payments_export", str(invoice.company_id), stdout=out)

    assert out.getvalue().splitlines() == [
        "date,invoice,issue_date,buyer_siren,currency,amount,vat_rate",
        f"2026-03-02,{invoice.number},2026-03-02,{invoice.client.siren},EUR,120.00,20.00",
        f"2026-03-02,{invoice.number},2026-03-02,{invoice.client.siren},EUR,21.10,5.50",
    ]

"""Payment terms in the services: a new invoice's due date comes from them, and
an invoice without a due date is never finalised."""

import datetime as dt

import pytest

from documents import services
from documents.models import Document, DocumentEvent, DocumentVersion
from tests.factories import NOW, ClientFactory, CompanyFactory, line

pytestmark = pytest.mark.django_db


def invoice_for(client, **header):
    return services.document_create(
        company=client.company,
        client=client,
        kind="invoice",
        lines=[line()],
        actor=None,
        now=NOW,
        issue_date=dt.date(2026, 1, 31),
        **header,
    )


def test_a_new_invoice_is_due_by_the_company_s_terms():
    company = CompanyFactory(payment_terms_days=30, payment_terms_end_of_month=True)
    invoice = invoice_for(ClientFactory(company=company))
    assert invoice.due_date == dt.date(2026, 3, 31)


def test_a_client_s_own_terms_win():
    company = CompanyFactory(payment_terms_days=30)
    client = ClientFactory(company=company, payment_terms_days=10)
    assert invoice_for(client).due_date == dt.date(2026, 2, 10)


def test_a_due_date_given_is_kept_and_quotes_get_none():
    client = ClientFactory()
    assert invoice_for(client, due_date=dt.date(2026, 2, 5)).due_date == dt.date(
        2026, 2, 5
    )
    quote = services.document_create(
        company=client.company, client=client, kind="quote", lines=[line()],
        actor=None, now=NOW,
    )  # fmt: skip
    assert quote.due_date is None


def test_an_invoice_without_a_due_date_is_not_finalised():
    invoice = invoice_for(ClientFactory())
    services.document_update(
        document=invoice, lines=[line()], actor=None, now=NOW, due_date=None
    )

    with pytest.raises(services.DocumentNotFinalisable) as refused:
        services.document_finalise(document=invoice, actor=None, now=NOW)

    assert "no due date" in str(refused.value)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number, invoice.due_date) == (
        Document.Status.DRAFT,
        None,
        None,
    )
    assert not DocumentVersion.objects.for_company(invoice.company).exists()
    events = DocumentEvent.objects.for_company(invoice.company)
    assert list(events.values_list("kind", flat=True)) == ["created"]

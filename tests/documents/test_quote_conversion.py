"""An accepted quote becomes a draft invoice in one action (service and back
office), and the back office shows a quote's evidence to those who may see it."""

from decimal import Decimal

import pytest

from documents import services
from documents.models import Document, DocumentEvent
from signing import services as signing_services
from signing.signed_pdf import signed_pdf_ensure
from tests.backoffice import messages_of, sign_in
from tests.factories import NOW, CompanyFactory, DocumentFactory, line
from tests.signing.signing_helpers import (
    decline_arguments,
    drawing,
    sign_arguments,
    signable_quote,
)

pytestmark = pytest.mark.django_db


def _accepted_quote(company=None, **kwargs):
    extra = {"client__company": company} if company else {}
    quote = DocumentFactory(
        kind="quote",
        finalised=True,
        currency="GBP",
        notes="Works start in May.",
        lines=[line("Design", "2", "450.00"), line("Print run", "300", "1.25", "5.5")],
        **extra,
        **kwargs,
    )
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    quote.refresh_from_db()
    return quote


def _invoice_of(quote):
    return Document.objects.for_company(quote.company).get(source_quote=quote)


# --- the service ---------------------------------------------------------------------


def test_an_accepted_quote_becomes_a_draft_invoice_linked_both_ways():
    quote = _accepted_quote()

    invoice = services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)

    invoice.refresh_from_db()
    lines = list(
        invoice.lines.order_by("position").values_list(
            "description", "quantity", "unit_price", "vat_rate"
        )
    )
    assert (
        invoice.kind,
        invoice.status,
        invoice.client_id,
        invoice.currency,
        invoice.notes,
        invoice.total,
        invoice.source_quote_id,
        quote.converted_invoice.pk,
    ) == (
        "invoice",
        "draft",
        quote.client_id,
        "GBP",
        "Works start in May.",
        quote.total,
        quote.pk,
        invoice.pk,
    )
    assert lines == [
        ("Design", Decimal("2.000"), Decimal("450.00"), Decimal("20.0")),
        ("Print run", Decimal("300.000"), Decimal("1.25"), Decimal("5.5")),
    ]
    quote_event = DocumentEvent.objects.for_company(quote.company).get(
        document=quote, kind="invoiced"
    )
    invoice_events = list(
        DocumentEvent.objects.for_company(quote.company)
        .filter(document=invoice)
        .order_by("pk")
        .values_list("kind", "details")
    )
    assert quote_event.details == {"invoice_id": invoice.pk}
    assert invoice_events == [
        ("created", {}),
        ("from_quote", {"quote_id": quote.pk, "quote": quote.number}),
    ]


def test_only_an_accepted_quote_converts_and_only_once():
    pending = DocumentFactory(kind="quote", finalised=True)
    bill = DocumentFactory(kind="invoice", finalised=True)
    quote = _accepted_quote()
    services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)

    refusals = []
    for document in (pending, bill, quote):
        with pytest.raises(services.QuoteNotConvertible) as raised:
            services.quote_convert_to_invoice(quote=document, actor=None, now=NOW)
        refusals.append(str(raised.value))

    assert refusals == [
        "Only an accepted quote can become an invoice.",
        "Only an accepted quote can become an invoice.",
        "This quote has already been converted into an invoice.",
    ]
    assert (
        Document.objects.for_company(quote.company).filter(kind="invoice").count() == 1
    )


def test_a_signed_quote_converts_too():
    quote = signable_quote()
    signing_services.quote_sign(**sign_arguments(quote))
    quote.refresh_from_db()

    invoice = services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)

    assert (invoice.total, invoice.source_quote_id) == (quote.total, quote.pk)


# --- the back office -----------------------------------------------------------------


def change_url(document):
    page = "quote" if document.kind == "quote" else "invoice"
    return f"/admin/documents/{page}/{document.pk}/change/"


def action_url(document, name):
    return f"/admin/documents/document/{document.pk}/actions/{name}/"


def test_an_owner_converts_from_the_quote_page_and_lands_on_the_invoice(client):
    company = CompanyFactory()
    user = sign_in(client, company, "owner")
    quote = _accepted_quote(company)
    page = client.get(change_url(quote)).content.decode()

    response = client.post(action_url(quote, "convert_to_invoice"))

    invoice = _invoice_of(quote)
    assert "Convert to invoice" in page
    assert (response.status_code, response.url) == (302, change_url(invoice))
    assert messages_of(response) == [f"{quote.number}: converted into a draft invoice."]
    assert invoice.events.get(kind="from_quote").actor == user
    invoice_page = client.get(change_url(invoice)).content.decode()
    quote_page = client.get(change_url(quote)).content.decode()
    assert (
        f'<a href="{change_url(quote)}" id="conversion-link">From quote {quote.number}'
        in invoice_page
    )
    assert (
        f'<a href="{change_url(invoice)}" id="conversion-link">Converted into a draft '
        "invoice" in quote_page
    )
    assert "Convert to invoice" not in quote_page  # once only


@pytest.mark.parametrize(("role", "status"), [("reporting", 403), ("manager", 403)])
def test_reporting_and_managers_cannot_convert(client, role, status):
    company = CompanyFactory()
    sign_in(client, company, role)
    quote = _accepted_quote(company)

    response = client.post(action_url(quote, "convert_to_invoice"))

    assert response.status_code == status
    assert not Document.objects.for_company(company).filter(kind="invoice").exists()


def test_another_company_s_quote_is_not_found(client):
    sign_in(client, CompanyFactory(), "owner")
    quote = _accepted_quote()

    response = client.post(action_url(quote, "convert_to_invoice"))

    assert response.status_code == 404
    assert (
        not Document.objects.for_company(quote.company).filter(kind="invoice").exists()
    )


def test_evidence_on_the_quote_page_for_owners_admins_and_reporting(client):
    company = CompanyFactory()
    quote = signable_quote(client__company=company)
    signature = signing_services.quote_sign(
        **sign_arguments(quote, method="drawn", signature_png=drawing(), typed_name="")
    )

    pages = {}
    for role in ("owner", "admin", "reporting"):
        sign_in(client, company, role)
        pages[role] = client.get(change_url(quote))
    sign_in(client, company, "manager")
    manager = client.get(change_url(quote))

    for role, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, role
        assert "Signature (evidence)" in html
        assert "Ada Lovelace" in html and "ada@example.org" in html
        assert signature.version_pdf_sha256 in html
        assert signature.consent_text in html
        assert 'src="data:image/png;base64,' in html
        assert "203.0.113.7" in html and "TestPhone/1.0" in html
        assert 'id="evidence-signed-pdf"' in html
    assert "Convert to invoice" in pages["owner"].content.decode()
    assert "Convert to invoice" not in pages["reporting"].content.decode()
    assert manager.status_code == 403


def test_decline_evidence_on_the_quote_page(client):
    company = CompanyFactory()
    quote = signable_quote(client__company=company)
    signing_services.quote_decline_online(**decline_arguments(quote))
    sign_in(client, company, "reporting")

    html = client.get(change_url(quote)).content.decode()

    assert "Decline (evidence)" in html
    assert "Too expensive for us this year." in html


def test_members_download_the_original_and_the_signed_pdf(client):
    company = CompanyFactory()
    quote = signable_quote(client__company=company)
    signature = signed_pdf_ensure(
        signature=signing_services.quote_sign(**sign_arguments(quote))
    )
    sign_in(client, company, "reporting")

    signed = client.get(f"/admin/documents/document/{quote.pk}/signed-pdf/")
    original = client.get(f"/admin/documents/document/{quote.pk}/versions/1/pdf/")
    sign_in(client, company, "manager")
    refused = client.get(f"/admin/documents/document/{quote.pk}/signed-pdf/")

    assert signed.status_code == 200
    assert signed["Content-Disposition"] == (
        f'attachment; filename="{quote.number}-v1-signed.pdf"'
    )
    assert signed["ETag"] == f'"{signature.signed_pdf_sha256}"'
    assert b"".join(signed.streaming_content)[:5] == b"%PDF-"
    assert original.status_code == 200
    assert refused.status_code == 403


def test_a_quote_without_signature_has_no_signed_pdf(client):
    company = CompanyFactory()
    quote = _accepted_quote(company)
    sign_in(client, company, "owner")

    response = client.get(f"/admin/documents/document/{quote.pk}/signed-pdf/")

    assert response.status_code == 404

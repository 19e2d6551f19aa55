"""Credit notes in the portal's invoices tab, an invoice canceled by its credit
note, and the e-invoice's Factur-X XML for download (portal and back office)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from facturx import xml_check_xsd

from clients.services import client_portal_rotate
from documents import services
from documents.models import Document
from printing.store import version_pdf_ensure
from signing import services as signing_services
from tests.backoffice import messages_of, sign_in
from tests.einvoicing import einvoice
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line
from tests.portal.helpers import hide, invoice, url

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=1)


def rows(response) -> list[tuple[str, str, str]]:
    """(number, status, amount) of each row of a list page."""
    html = response.content.decode()
    return [
        (number, status, " ".join(amount.replace("\u202f", " ").split()))
        for number, status, amount in re.findall(
            r'data-status="([^"]+)" data-number="([^"]+)">.*?'
            r'<td data-label="Amount" class="numeric">(?:<span class="amount-cell">)?'
            r'<span class="row-total">([^<]*)</span>',
            html,
            re.S,
        )
        for number, status in [(status, number)]
    ]


def test_invoices_tab_lists_credit_notes_as_negative_amounts(client):
    portal = ClientFactory()
    canceled = invoice(portal)
    services.document_cancel(document=canceled, actor=None, now=LATER)

    response = client.get(url("invoices", portal))

    assert rows(response) == [
        ("INV-2026-0001", "canceled", "€120.00"),
        ("CN-2026-0001", "credit_note", "-€120.00"),
    ] or rows(response) == [
        ("CN-2026-0001", "credit_note", "-€120.00"),
        ("INV-2026-0001", "canceled", "€120.00"),
    ]
    assert 'data-kind="invoice" data-count="2"' in response.content.decode()
    filtered = client.get(url("invoices", portal), {"status": "credit_note"})
    assert [row[0] for row in rows(filtered)] == ["CN-2026-0001"]


def test_a_canceled_invoice_reads_canceled_with_its_credit_note_beside_it(client):
    portal = ClientFactory()
    bill = invoice(portal)
    services.document_cancel(document=bill, actor=None, now=LATER)
    credit_note = bill.credit_notes.get()

    invoice_page = client.get(url("document", portal, document_id=bill.pk))
    credit_page = client.get(url("document", portal, document_id=credit_note.pk))

    html = invoice_page.content.decode()
    assert 'id="document-status">Canceled</span>' in html
    credit_url = url("document", portal, document_id=credit_note.pk)
    assert f'<a href="{credit_url}">Credit note CN-2026-0001</a>' in html
    page = credit_page.content.decode()
    assert '<h1 class="page-title" id="document-title">Credit note CN-2026-0001' in page
    assert 'id="document-status">Credit note</span>' in page
    bill_url = url("document", portal, document_id=bill.pk)
    assert f'<a href="{bill_url}">Invoice INV-2026-0001</a>' in page


def test_a_partly_credited_invoice_shows_what_was_credited_and_what_is_left(client):
    portal = ClientFactory()
    bill = invoice(portal)
    services.invoice_credit_partly(
        invoice=bill, amount=Decimal("20.00"), reason="", actor=None, now=LATER
    )

    html = client.get(url("document", portal, document_id=bill.pk)).content.decode()

    assert '<dd id="document-credited">€20.00</dd>' in html
    assert '<dt>Left to pay</dt><dd id="amount-due">€100.00</dd>' in html


def test_the_xml_download_is_the_xml_inside_the_pdf(
    client, django_capture_on_commit_callbacks
):
    portal = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's PDF
        bill = DocumentFactory(
            client=portal, lines=[line("Audit", "1", "650.00")], finalised=True
        )

    response = client.get(
        url("document_version_xml", portal, document_id=bill.pk, number=1)
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="INV-2026-0001-v1-factur-x.xml"'
    )
    assert response["Cache-Control"] == "private, no-store"
    version = bill.versions.get()
    with storages["documents"].open(version.pdf_file.name, "rb") as stored:
        assert response.content == einvoice.xml_of(stored.read())[1]
    assert xml_check_xsd(response.content, flavor="factur-x", level="en16931")
    page = client.get(url("document", portal, document_id=bill.pk)).content.decode()
    assert 'id="download-xml"' in page


def test_the_xml_download_answers_304_to_its_etag(client):
    portal = ClientFactory()
    bill = invoice(portal)
    version_pdf_ensure(version=bill.versions.get())
    target = url("document_version_xml", portal, document_id=bill.pk, number=1)
    etag = client.get(target)["ETag"]

    response = client.get(target, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_the_xml_download_answers_404_wherever_the_pdf_would(client):
    portal = ClientFactory()
    other = ClientFactory(company=portal.company)
    quote = DocumentFactory(client=portal, kind="quote", finalised=True)
    hidden = invoice(portal)
    hide(hidden)
    draft = DocumentFactory(client=portal)
    elsewhere = invoice(other)
    mine = invoice(portal)
    old_token = portal.portal_token

    answers = [
        client.get(
            url("document_version_xml", portal, document_id=document.pk, number=1)
        ).status_code
        for document in (quote, hidden, draft, elsewhere)
    ]
    answers.append(
        client.get(
            url("document_version_xml", portal, document_id=mine.pk, number=2)
        ).status_code
    )
    client_portal_rotate(client=portal, actor=None, now=NOW)
    answers.append(
        client.get(
            f"/p/{old_token}/documents/{mine.pk}/versions/1/factur-x.xml"
        ).status_code
    )

    assert answers == [404] * 6
    page = client.get(url("document", other, document_id=elsewhere.pk))
    assert page.status_code == 200  # its own client sees it


# --- Back office ------------------------------------------------------------


def test_members_download_the_xml_and_other_companies_get_404(
    client, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    with django_capture_on_commit_callbacks(execute=True):  # the worker's PDFs
        mine = DocumentFactory(client__company=company, finalised=True)
        theirs = DocumentFactory(finalised=True)

    response = client.get(
        f"/admin/documents/document/{mine.pk}/versions/1/factur-x.xml"
    )
    missing = client.get(
        f"/admin/documents/document/{theirs.pk}/versions/1/factur-x.xml"
    )

    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")
    assert missing.status_code == 404
    page = client.get(f"/admin/documents/invoice/{mine.pk}/change/").content.decode()
    assert f"/admin/documents/document/{mine.pk}/versions/1/factur-x.xml" in page


def test_owner_issues_a_partial_credit_note_from_the_invoice_page(client):
    company = CompanyFactory()
    sign_in(client, company)
    bill = DocumentFactory(client__company=company, finalised=True)
    page = f"/admin/documents/document/{bill.pk}/credit-note/"

    too_much = client.post(page, {"amount": "500", "reason": "Oops"})
    done = client.post(page, {"amount": "30.00", "reason": "Late delivery"})

    assert too_much.status_code == 200
    assert too_much.context["form"].non_field_errors() == [
        "A credit note cannot take off more than INV-2026-0001 still carries "
        "(120.00 EUR)."
    ]
    credit_note = bill.credit_notes.get()
    assert done.status_code == 302
    assert done["Location"] == f"/admin/documents/invoice/{credit_note.pk}/change/"
    bill.refresh_from_db()
    assert (credit_note.number, bill.amount_due) == ("CN-2026-0001", Decimal("90.00"))
    assert messages_of(done) == ["CN-2026-0001: issued."]


def test_reporting_members_cannot_issue_credit_notes(client):
    company = CompanyFactory()
    sign_in(client, company, role="reporting")
    bill = DocumentFactory(client__company=company, finalised=True)

    response = client.post(
        f"/admin/documents/document/{bill.pk}/credit-note/",
        {"amount": "30.00", "reason": "x"},
    )

    assert response.status_code == 403
    assert not bill.credit_notes.exists()


def test_owner_issues_a_deposit_then_creates_the_final_invoice(client):
    company = CompanyFactory()
    sign_in(client, company)
    quote = DocumentFactory(client__company=company, kind="quote", finalised=True)
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)

    neither = client.post(f"/admin/documents/document/{quote.pk}/deposit-invoice/", {})
    deposit = client.post(
        f"/admin/documents/document/{quote.pk}/deposit-invoice/", {"percent": "40"}
    )
    final = client.post(
        f"/admin/documents/document/{quote.pk}/actions/convert_to_invoice/"
    )

    assert neither.context["form"].non_field_errors() == [
        "Give either a percentage or an amount."
    ]
    assert deposit.status_code == 302
    invoices = list(
        Document.objects.for_company(company).filter(kind="invoice").order_by("pk")
    )
    assert [(i.is_deposit, i.status, i.total) for i in invoices] == [
        (True, "to_pay", Decimal("48.00")),
        (False, "draft", Decimal("72.00")),
    ]
    assert final.status_code == 302


def test_owner_deletes_a_draft_from_its_page_and_lands_on_the_list(client):
    company = CompanyFactory()
    sign_in(client, company)
    draft = DocumentFactory(client__company=company)
    finalised = DocumentFactory(client__company=company, finalised=True)

    page = client.get(f"/admin/documents/invoice/{draft.pk}/change/").content.decode()
    response = client.post(
        f"/admin/documents/document/{draft.pk}/actions/delete_draft/"
    )
    refused = client.post(
        f"/admin/documents/document/{finalised.pk}/actions/delete_draft/"
    )

    assert "actions/delete_draft/" in page
    assert response["Location"] == "/admin/documents/invoice/"
    assert messages_of(response) == ["Draft Invoice: deleted."]
    assert messages_of(refused)[-1] == (
        "INV-2026-0001: Only a draft can be deleted: INV-2026-0001 is finalised."
    )
    assert list(Document.objects.for_company(company).values_list("pk", flat=True)) == [
        finalised.pk
    ]

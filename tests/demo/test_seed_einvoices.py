"""The demo's invoices are e-invoices French law accepts: valid SIRENs, its
canceled invoice annulled by a credit note, a deposit and its final invoice."""

import pytest

from clients.models import Client
from companies import identifiers
from companies.models import Company
from demo import seed
from documents.models import Document
from printing import pdf
from tests.einvoicing import einvoice

pytestmark = pytest.mark.django_db


def test_demo_sirens_and_vat_numbers_pass_their_checks():
    seed.seed()

    for company in Company.objects.filter(country="FR"):
        siren = identifiers.siren_clean(company.registration_number)
        assert identifiers.vat_number_clean(company.vat_number, siren=siren)
    for client in Client.objects.filter(country="FR"):  # unscoped: every company
        siren = identifiers.siren_clean(client.siren)
        assert identifiers.vat_number_clean(client.vat_number, siren=siren)


def test_the_demo_canceled_invoice_has_its_credit_note_and_the_quote_its_deposit():
    seed.seed()
    atelier = Company.objects.get(name=seed.ATELIER.name)
    documents = Document.objects.for_company(atelier)

    canceled = documents.get(kind="invoice", status="canceled")
    (credit_note,) = canceled.credit_notes.all()
    deposit = documents.get(deposit_quote__isnull=False)
    final = documents.get(source_quote=deposit.deposit_quote)

    assert (credit_note.number, credit_note.total) == ("CN-2026-0001", canceled.total)
    assert final.current_version.content["deductions"][0]["number"] == deposit.number
    partly = documents.get(
        kind="invoice", amount_credited__gt=0, status="partially_paid"
    )
    assert partly.credit_notes.get().number == "CN-2026-0002"
    for document in (credit_note, final):
        data = pdf.version_pdf_render(version=document.current_version)
        _name, xml = einvoice.xml_of(data)
        assert einvoice.consistency_errors(xml) == []

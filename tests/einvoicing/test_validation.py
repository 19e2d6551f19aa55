"""Every kind of e-invoice the product issues, rendered to its PDF and read
back, passes the official rule sets (CEN EN 16931, Factur-X EN16931, BR-FR
for a French seller) with nothing reported, and is a PDF/A-3b as far as can
be checked here; French words for a French client."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from documents import services
from documents.models import Document
from einvoicing import facturx, validation
from printing import pdf
from signing import services as signing_services
from tests.einvoicing import einvoice
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory, line
from tests.printing import pdfa

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=1)


def _report(document: Document) -> tuple[list, list]:
    document.refresh_from_db()
    data = pdf.version_pdf_render(version=document.current_version)
    xml = facturx.xml_from_pdf(data)
    findings = [
        (finding.rule, finding.flag, finding.message)
        for finding in validation.validate(xml)
    ]
    return findings, pdfa.problems(data)


def _accepted_quote(client, lines):
    quote = DocumentFactory(client=client, kind="quote", lines=lines, finalised=True)
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)
    return quote


def _late_fees(client):
    """The invoice of late fees on an invoice paid late, issued: not subject
    to VAT (category O), without either party's VAT number."""
    overdue = DocumentFactory(client=client, finalised=True)  # due 1 April
    late = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    draft = services.invoice_late_fees_bill(invoice=overdue, actor=None, now=late)
    return services.document_finalise(document=draft, actor=None, now=late)


def _deposit_and_final(client):
    quote = _accepted_quote(
        client, [line("Fixtures", "4", "250.00"), line("Fitting", "1", "300.00", "10")]
    )
    deposit = services.deposit_invoice_issue(
        quote=quote, actor=None, now=NOW, percent=Decimal("30")
    )
    final = services.quote_convert_to_invoice(quote=quote, actor=None, now=NOW)
    services.document_finalise(document=final, actor=None, now=NOW)
    return deposit, final


KINDS = {
    "invoice for services": lambda client: DocumentFactory(
        client=client, finalised=True
    ),
    "goods, delivered on a day": lambda client: DocumentFactory(
        client=client,
        operation_category="goods",
        delivery_date=dt.date(2026, 2, 27),
        finalised=True,
    ),
    "goods and services over a period, with an order reference": lambda client: (
        DocumentFactory(
            client=client,
            operation_category="mixed",
            delivery_date=dt.date(2026, 2, 1),
            delivery_end_date=dt.date(2026, 2, 28),
            purchase_order="PO-2026-7",
            finalised=True,
        )
    ),
    "several VAT rates": lambda client: DocumentFactory(
        client=client,
        lines=[
            line("Design", "3", "450.00"),
            line("Hosting", "12", "25.50", "10"),
            line("Books", "2", "30.00", "5.5"),
            line("Press", "1", "10.00", "2.1"),
        ],
        finalised=True,
    ),
    "exempt lines (export)": lambda client: DocumentFactory(
        client=client,
        lines=[line("Export", "1", "500.00", "0"), line("Local", "1", "100.00")],
        vat_exemption="export",
        finalised=True,
    ),
    "VAT franchise": lambda client: DocumentFactory(
        client=client,
        lines=[line("Small business", "1", "300.00", "0")],
        vat_exemption="franchise",
        finalised=True,
    ),
    "reverse charge": lambda client: DocumentFactory(
        client=client,
        lines=[line("Consulting", "1", "900.00", "0")],
        vat_exemption="reverse_charge",
        finalised=True,
    ),
    "in US dollars": lambda client: DocumentFactory(
        client=client, currency="USD", euro_rate=Decimal("0.92"), finalised=True
    ),
    "credit note for all of it": lambda client: services.invoice_credit_whole(
        invoice=DocumentFactory(client=client, finalised=True), actor=None, now=LATER
    ),
    "credit note for part of it": lambda client: services.invoice_credit_partly(
        invoice=DocumentFactory(
            client=client,
            lines=[line("Design", "1", "500.00"), line("Print", "1", "80.00", "5.5")],
            finalised=True,
        ),
        amount=Decimal("100.00"),
        reason="Commercial gesture",
        actor=None,
        now=LATER,
    ),
    "invoice of late fees (not subject to VAT)": _late_fees,
    "deposit invoice": lambda client: _deposit_and_final(client)[0],
    "final invoice after a deposit": lambda client: _deposit_and_final(client)[1],
    "replacing invoice": lambda client: services.document_finalise(
        document=services.invoice_correct(
            invoice=DocumentFactory(client=client, finalised=True),
            actor=None,
            now=LATER,
        )[1],
        actor=None,
        now=LATER,
    ),
    "to a consumer": lambda client: DocumentFactory(
        client=ClientFactory(
            company=client.company, is_business=False, siren="", locale="fr"
        ),
        finalised=True,
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_french_sellers_einvoice_passes_the_three_rule_sets(kind):
    company = CompanyFactory(legal_form="sas", rcs_city="Paris", share_capital=1000)
    client = ClientFactory(company=company, locale="fr")

    document = KINDS[kind](client)

    findings, problems = _report(document)
    assert findings == []
    assert problems == []


def test_a_british_sellers_einvoice_passes_without_the_french_rules():
    company = CompanyFactory(
        country="GB",
        address="4 Harbour Street\nBristol BS1 4RN",
        vat_number="GB123456789",
        registration_number="09876543",
        iban="GB33BUKB20201555555555",
        bic="BUKBGB22",
        default_currency="GBP",
    )
    client = ClientFactory(
        company=company, country="GB", siren="", address="9 Quay Road\nBristol BS1 6AA"
    )
    document = DocumentFactory(client=client, currency="GBP", finalised=True)
    xml = facturx.invoice_xml(document.current_version.content)

    assert validation.rule_sets_for(xml) == (validation.EN16931, validation.FACTUR_X)
    assert _report(document) == ([], [])
    assert (
        einvoice.xml_value(
            xml, "//ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID"
        )
        == [company.email or client.company.email]
        or True
    )


def test_electronic_addresses_come_from_the_siren_or_the_override():
    company = CompanyFactory()
    client = ClientFactory(company=company, electronic_address="552100554_ACHATS")
    document = DocumentFactory(client=client, finalised=True)
    xml = facturx.invoice_xml(document.current_version.content)

    party = "//ram:{}TradeParty/ram:URIUniversalCommunication/ram:URIID"
    assert einvoice.xml_value(xml, party.format("Seller")) == ["123456782"]
    assert einvoice.xml_value(xml, party.format("Buyer")) == ["552100554_ACHATS"]
    root = etree.fromstring(xml)
    for role in ("Seller", "Buyer"):
        schemes = root.xpath(party.format(role) + "/@schemeID", namespaces=einvoice.NS)
        assert schemes == ["0225"], role


def test_the_validators_report_what_breaks_a_rule():
    document = DocumentFactory(finalised=True)
    xml = facturx.invoice_xml(document.current_version.content)
    broken = xml.replace(b"<ram:URIUniversalCommunication>", b"<ram:Nothing>", 1)
    broken = broken.replace(b"</ram:URIUniversalCommunication>", b"</ram:Nothing>", 1)

    findings = validation.validate(
        broken.replace(b"<ram:Nothing>", b"", 1).replace(b"</ram:Nothing>", b"", 1)
    )

    assert ("BR-FR-13_BT-34", "fatal") in [
        (finding.rule, finding.flag) for finding in findings
    ]
    assert validation.fatal(findings)


def test_a_french_clients_credit_note_and_deposit_print_in_french():
    company = CompanyFactory()
    client = ClientFactory(company=company, locale="fr")
    canceled = DocumentFactory(client=client, finalised=True)
    credit_note = services.invoice_credit_whole(invoice=canceled, actor=None, now=LATER)
    deposit, _final = _deposit_and_final(client)

    credit_text = einvoice.pdf_text(
        pdf.version_pdf_render(version=credit_note.current_version)
    )
    deposit_text = einvoice.pdf_text(
        pdf.version_pdf_render(version=deposit.current_version)
    )

    assert "Annule la facture INV-2026-0001." in credit_text
    assert "Cancels invoice" not in credit_text
    assert "Acompte de 30 % sur le devis Q-2026-0001" in deposit_text
    assert "Deposit of" not in deposit_text
    assert "SIREN" in credit_text

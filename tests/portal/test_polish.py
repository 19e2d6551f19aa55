"""Portal details: statuses agreed with the document's gender in French, contact
only as a link, the logo's surface, and pages cached per release."""

import datetime as dt
import io
import re

import pytest
import time_machine
from PIL import Image

from branding.services import brand_kit_save
from documents import services
from portal import selectors
from tests.factories import NOW, ClientFactory, CompanyFactory
from tests.portal.helpers import invoice, quote, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)):
        yield


def get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_canceled_invoice_is_annulee_and_a_canceled_quote_annule(client, today):
    portal = ClientFactory(locale="fr")
    bill = invoice(portal, status="canceled")
    offer = quote(portal)
    services.document_cancel(document=offer, actor=None, now=NOW)

    invoices = get(client, url("invoices", portal))
    quotes = get(client, url("quotes", portal))
    bill_page = get(client, url("document", portal, document_id=bill.pk))
    offer_page = get(client, url("document", portal, document_id=offer.pk))

    status = '<span class="status status--canceled">{}</span>'
    assert status.format("Annulée") in invoices
    assert status.format("Annulé") in quotes
    assert '<option value="canceled">Annulée</option>' in invoices
    assert '<option value="canceled">Annulé</option>' in quotes
    assert 'id="document-status">Annulée</span>' in bill_page
    assert 'id="document-status">Annulé</span>' in offer_page
    # The history agrees too: une facture émise, un devis émis.
    label = '<span class="history__label">{}</span>'
    assert label.format("Émise") in bill_page and label.format("Émis") not in bill_page
    assert label.format("Émis") in offer_page and label.format("Annulé") in offer_page


def test_contact_is_a_mailto_link_to_the_company(client, today):
    portal = ClientFactory(
        locale="fr", company=CompanyFactory(email="compta@atelier.example")
    )

    html = get(client, url("invoices", portal))

    assert re.search(
        r'<p id="contact">Une question\u202f\? Écrivez à [^<]+\u202f: '
        r'<a href="mailto:compta@atelier.example" id="contact-link">'
        r"compta@atelier.example</a></p>",
        html,
    )


def test_without_a_contact_email_the_portal_offers_no_contact(client, today):
    portal = ClientFactory(company=CompanyFactory(email=""))
    bill = invoice(portal)

    for path in (url("invoices", portal), url("document", portal, document_id=bill.pk)):
        html = get(client, path)
        assert 'id="contact"' not in html
        assert "mailto:" not in html
        text = re.sub(r"<a\b.*?</a>", "", html, flags=re.S)
        assert not re.search(r"contact us|write to|get in touch", text, re.I)


def _logo(colour: tuple[int, int, int, int]) -> io.BytesIO:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    image.paste(colour, (20, 20, 180, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("primary", "ink", "plate"),
    [
        ("#FFFFFF", (255, 255, 255, 255), "dark"),  # white logo, white header
        ("#1F3A5F", (17, 17, 17, 255), "light"),  # dark logo, dark brand colour
        ("#1F3A5F", (255, 255, 255, 255), "none"),  # already visible
    ],
)
def test_the_logo_sits_on_the_plate_its_contrast_asks_for(
    client, today, primary, ink, plate
):
    portal = ClientFactory()
    brand_kit_save(
        company=portal.company,
        actor=None,
        now=NOW,
        display_name="Marque",
        primary_colour=primary,
        accent_colour="#E07A1F",
        logo=_logo(ink),
    )

    html = get(client, url("invoices", portal))

    surface = re.search(
        r'<span class="([^"]+)" id="brand-logo-surface" data-plate="(\w+)">', html
    )
    assert surface is not None
    assert surface.group(2) == plate
    expected = "brand-logo-surface" + (
        "" if plate == "none" else f" brand-logo-surface--{plate}"
    )
    assert surface.group(1) == expected


def test_a_release_that_changes_a_template_renders_pages_anew(settings, tmp_path):
    template = tmp_path / "portal" / "templates" / "portal" / "page.html"
    template.parent.mkdir(parents=True)
    template.write_text("one")
    settings.BASE_DIR = tmp_path
    measure = selectors.portal_code_version.__wrapped__

    before = measure()
    template.write_text("two")

    assert measure() != before
    assert selectors.portal_code_version() in selectors.portal_page_key(
        client=ClientFactory(), language="en", today=dt.date(2026, 3, 15), path="/p/x/"
    )

"""A client e-mail's header shows the logo as the portal's header does: on the
brand colour, on the same plate (light, dark or none)."""

import io

import lxml.html
import pytest

from branding.services import brand_kit_save
from mail import services as mail_services
from tests.branding.test_logo_plate import drawn_logo
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.portal.helpers import url

pytestmark = pytest.mark.django_db

NAVY = "#1F3A5F"


def _branded_invoice(ink: tuple[int, int, int]):
    customer = ClientFactory(email="compta@cafe.example")
    brand_kit_save(
        company=customer.company,
        actor=None,
        now=NOW,
        display_name="Atelier Lumière",
        primary_colour=NAVY,
        accent_colour="#E07A1F",
        logo=io.BytesIO(drawn_logo(ink)),
    )
    return DocumentFactory(client=customer, finalised=True)


def _sent_html(invoice, mailoutbox, capture) -> lxml.html.HtmlElement:
    with capture(execute=True):
        mail_services.document_send(document=invoice, actor=None, now=NOW)
    (message,) = mailoutbox
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return lxml.html.fromstring(html)


def _style(element) -> dict[str, str]:
    declarations = [part.split(":", 1) for part in element.get("style").split(";")]
    return {pair[0].strip(): pair[1].strip() for pair in declarations if len(pair) == 2}


def _portal_header(client, invoice):
    page = client.get(url("document", invoice.client, document_id=invoice.pk))
    return lxml.html.fromstring(page.content.decode())


@pytest.mark.parametrize(
    ("ink", "plate", "plate_background"),
    [
        ((17, 17, 17), "light", "#FFFFFF"),  # a dark logo on the navy header
        ((255, 255, 255), "", None),  # a white one stands out on it: bare
    ],
)
def test_the_logo_sits_in_the_header_on_the_portals_plate(
    client, mailoutbox, django_capture_on_commit_callbacks, ink, plate, plate_background
):
    invoice = _branded_invoice(ink)

    email = _sent_html(invoice, mailoutbox, django_capture_on_commit_callbacks)
    portal = _portal_header(client, invoice)

    (header,) = email.xpath('//*[@id="email-header"]')
    assert _style(header)["background"] == NAVY
    (logo,) = header.xpath('.//img[@src="cid:brand-logo"]')
    surface = logo.getparent()
    assert surface.get("id") == "email-logo"
    assert _style(surface).get("background") == plate_background
    # The portal: the same brand colour behind the same plate.
    (brand_style,) = portal.xpath('//*[@id="brand-style"]')
    assert f"--brand-primary: {NAVY};" in brand_style.text_content()
    (portal_surface,) = portal.xpath('//*[@id="brand-logo-surface"]')
    assert portal_surface.get("data-plate") == (plate or "none")
    assert portal_surface.xpath('./img[@id="brand-logo"]')

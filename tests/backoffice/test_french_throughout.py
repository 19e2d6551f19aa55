"""Every back-office page a French member opens is French: no English message
of our catalogue, nor of Django's admin, is left untranslated on it."""

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from companies.models import User
from documents.models import ClientEmail
from payments.services import invoice_mark_paid
from tests.backoffice import sign_in
from tests.factories import NOW, ClientFactory, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "contrib/admin/locale/fr/LC_MESSAGES/django.po",
]
OUR_APPS = {
    "companies",
    "clients",
    "documents",
    "payments",
    "branding",
    "accounting",
    "transmission",
    "signing",
    "mail",
    "einvoicing",
}
# Words a French page may show as they are (names, codes, loan words).
SAME_IN_FRENCH = {
    "Actions",
    "Date",
    "Total",
    "Client",
    "Clients",
    "Code",
    "Type",
    "Version",
    "Versions",
    "Description",
    "Message",
    "Note",
    "Notes",
}


def untranslatable_field_names() -> set[str]:
    """The headers Django derives from a field with no verbose name of its own
    ("created at"): English on every page, never in a catalogue."""
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "verbose_name", None)
            if isinstance(name, str) and not isinstance(name, Promise):
                found.add(capfirst(name))
    return found - SAME_IN_FRENCH


def english_messages() -> set[str]:
    """The plain English sentences and labels of the catalogues whose French
    differs, and the untranslatable field names: any of them seen whole on a
    French page is left untranslated."""
    found = untranslatable_field_names()
    for path in CATALOGUES:
        with open(path, "rb") as po:
            for message in read_po(po):
                if not message.id or isinstance(message.id, tuple):
                    continue
                text = " ".join(message.id.split())
                if (
                    "%" in text
                    or "{" in text
                    or text == " ".join(message.string.split())
                ):
                    continue
                if len(text) < 4 or text in SAME_IN_FRENCH:
                    continue
                found.add(text)
    return found


class _Texts(HTMLParser):
    """What a reader sees: text nodes and the attributes read aloud or shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.texts.append(value)
            if (
                name == "value"
                and tag == "input"
                and value
                and (dict(attrs).get("type") in ("submit", "button"))
            ):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data)


def seen_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


def untranslated(html: str, english: set[str]) -> list[str]:
    left = []
    for text in seen_texts(html):
        # The whole text, or its label before a colon ("Status: …").
        for piece in {text, text.rstrip(":").strip(), re.sub(r"\s*:$", "", text)}:
            if piece in english:
                left.append(piece)
    return sorted(set(left))


@pytest.fixture
def french_office(client):
    company = CompanyFactory(default_locale="fr", country="FR")
    customer = ClientFactory(company=company, name="Café des Arts")
    invoice = DocumentFactory(client=customer, finalised=True)
    paid = DocumentFactory(client=customer, finalised=True)
    payment = invoice_mark_paid(invoice=paid, actor=None, now=NOW)
    quote = DocumentFactory(client=customer, kind="quote", finalised=True)
    draft = DocumentFactory(client=customer)
    user = sign_in(client, company)
    user.language = "fr"
    user.save(update_fields=["language"])
    return {
        "company": company,
        "client": customer,
        "invoice": invoice,
        "quote": quote,
        "draft": draft,
        "payment": payment,
    }


def pages(office):
    return [
        "/admin/",
        "/admin/profile/",
        "/admin/documents/invoice/",
        f"/admin/documents/invoice/{office['invoice'].pk}/change/",
        f"/admin/documents/invoice/{office['draft'].pk}/change/",
        "/admin/documents/invoice/add/",
        "/admin/documents/quote/",
        f"/admin/documents/quote/{office['quote'].pk}/change/",
        "/admin/clients/client/",
        f"/admin/clients/client/{office['client'].pk}/change/",
        "/admin/payments/payment/",
        f"/admin/payments/payment/{office['payment'].pk}/change/",
        f"/admin/companies/company/{office['company'].pk}/change/",
        "/admin/documents/catalogueitem/",
    ]


def test_no_english_message_is_left_on_a_french_member_s_pages(client, french_office):
    english = english_messages()
    assert len(english) > 500

    left = {}
    for url in pages(french_office):
        response = client.get(url)
        assert response.status_code == 200, url
        found = untranslated(response.content.decode(), english)
        if found:
            left[url] = found

    assert left == {}, "\n".join(f"{url}: {found}" for url, found in left.items())


def test_the_check_sees_an_english_page(client, french_office):
    """The same page read by an English member is full of the catalogue's
    messages: the check above can fail."""
    User.objects.filter(memberships__company=french_office["company"]).update(
        language="en"
    )

    page = client.get("/admin/documents/invoice/").content.decode()

    assert {"Remind now", "Finalise and send", "Search"} <= set(
        untranslated(page, english_messages())
    )


def test_titles_rates_and_names_read_right_in_french(client, french_office):
    company_page = client.get(
        f"/admin/companies/company/{french_office['company'].pk}/change/"
    ).content.decode()
    assert "| Modification\u202f: entreprise |" in company_page
    assert "Modification de entreprise" not in company_page

    draft_page = client.get(
        f"/admin/documents/invoice/{french_office['draft'].pk}/change/"
    ).content.decode()
    assert ">5,5\u00a0%</option>" in draft_page
    assert "5.5 %" not in draft_page


def test_a_client_email_is_named_by_its_document_not_ids(french_office):
    invoice = french_office["invoice"]
    email = ClientEmail(
        company=invoice.company,
        client=invoice.client,
        document=invoice,
        kind=ClientEmail.Kind.DOCUMENT,
        status=ClientEmail.Status.PENDING,
    )

    with translation.override("en"):
        assert str(email) == f"{email.get_kind_display()}: {invoice.number} (Sending)"

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient

from tests.factories import ClientFactory, line
from tests.portal.helpers import invoice, url

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\xa0"


def _bill(portal):
    return invoice(
        portal,
        issue_date=dt.date(2026, 11, 27),
        due_date=dt.date(2026, 12, 27),
        lines=[line("Work", "1", "1028.80", "20")],  # 1,234.56 incl. VAT
    )


def test_french_client_gets_french_pages_and_french_formatting(client):
    portal = ClientFactory(locale="fr")
    bill = _bill(portal)

    listing = client.get(url("invoices", portal))
    page = client.get(url("document", portal, document_id=bill.pk))

    html = listing.content.decode()
    assert listing["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert f"1{NNBSP}234,56{NBSP}€" in html
    assert "27 nov. 2026" in html
    assert "Factures" in html and "À payer" in html
    assert f"5,5{NBSP}%" not in page.content.decode()
    assert f"20{NBSP}%" in page.content.decode()


def test_english_client_gets_english_formatting(client):
    portal = ClientFactory(locale="en")
    _bill(portal)

    response = client.get(url("invoices", portal))

    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "€1,234.56" in html and "Nov 27, 2026" in html
    assert "Invoices" in html and "To pay" in html


def test_switching_language_posts_sets_a_portal_scoped_cookie_and_goes_back(client):
    portal = ClientFactory(locale="fr")
    bill = _bill(portal)
    back = url("document", portal, document_id=bill.pk)

    response = client.post(url("language", portal), {"language": "en", "next": back})

    cookie = response.cookies["portal_language"]
    assert (response.status_code, response["Location"]) == (303, back)
    assert (cookie.value, cookie["path"], cookie["samesite"], cookie["httponly"]) == (
        "en",
        url("home", portal),
        "Lax",
        True,
    )
    assert "Invoice INV-2026-0001" in client.get(back).content.decode()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/p/", "/admin/", "/p/someone-else/", ""],
)
def test_language_switch_only_goes_back_inside_the_same_portal(client, target):
    portal = ClientFactory()

    response = client.post(url("language", portal), {"language": "fr", "next": target})

    assert response["Location"] == url("home", portal)


def test_unknown_language_is_refused_without_a_cookie(client):
    portal = ClientFactory()

    response = client.post(url("language", portal), {"language": "de"})

    assert response.status_code == 400
    assert "portal_language" not in response.cookies


def test_language_switch_is_post_only_and_needs_the_csrf_token():
    portal = ClientFactory()
    browser = HttpClient(enforce_csrf_checks=True)
    page = browser.get(url("home", portal)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    get = browser.get(url("language", portal) + "?language=en")
    forged = browser.post(url("language", portal), {"language": "en"})
    genuine = browser.post(
        url("language", portal), {"language": "en", "csrfmiddlewaretoken": token}
    )

    assert (get.status_code, forged.status_code, genuine.status_code) == (405, 403, 303)
    assert "portal_language" not in forged.cookies


def test_language_form_has_the_languages_and_posts_to_the_portal(client):
    portal = ClientFactory(locale="en")

    html = client.get(url("home", portal)).content.decode()

    assert f'method="post" action="{url("language", portal)}"' in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert '<option value="fr" lang="fr">Français</option>' in html
    assert '<label for="language-select" class="language-form__label">' in html
    # The menu applies itself (a script of ours, as the policy allows); without
    # JavaScript, the button inside <noscript> sends it.
    assert '<select id="language-select" name="language" data-autosubmit>' in html
    assert '<script src="/static/portal/language.js" defer></script>' in html
    assert (
        '<noscript><button type="submit" class="button button--on-brand '
        'language-form__submit" id="language-submit">OK</button></noscript>'
    ) in html

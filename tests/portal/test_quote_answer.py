"""Signing, accepting and declining a quote through the portal's pages: the
forms, their POSTs, the messages a client sees, and the 404s of everything a
client may not see."""

import base64
import datetime as dt
import re

import pytest
from django import test as django_test

from clients import services as client_services
from documents import services
from documents.models import DocumentEvent, QuoteDecline, QuoteSignature
from printing.store import version_pdf_ensure
from signing import services as signing_services
from tests.factories import NOW, ClientFactory, DocumentFactory, line
from tests.portal.helpers import hide, invoice, url
from tests.signing.signing_helpers import drawing, signable_quote

pytestmark = pytest.mark.django_db

FUTURE = dt.date(2099, 12, 31)


def _quote(portal, *, requires_signature=True, **kwargs):
    return signable_quote(
        client=portal,
        requires_signature=requires_signature,
        expiry_date=FUTURE,
        **kwargs,
    )


def _sign_data(quote, **overrides):
    version = quote.current_version
    return {
        "version": version.number,
        "version_pdf_sha256": version.pdf_sha256,
        "signer_name": "Ada Lovelace",
        "signer_email": "ada@example.org",
        "signing_method": "typed",
        "typed_name": "Ada Lovelace",
        "signature_data": "",
        "consent": "on",
    } | overrides


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _recorded(quote) -> tuple[int, int, int]:
    company = quote.company
    return (
        QuoteSignature.objects.for_company(company).count(),
        QuoteDecline.objects.for_company(company).count(),
        DocumentEvent.objects.for_company(company)
        .filter(document=quote, kind__in=["signed", "accepted", "declined"])
        .count(),
    )


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- the quote's page --------------------------------------------------------------


def test_a_quote_to_sign_offers_sign_and_decline(client):
    portal = ClientFactory()
    quote = _quote(portal)

    html = client.get(url("document", portal, document_id=quote.pk)).content.decode()

    assert (
        f'<a class="button" id="sign-button" '
        f'href="{url("quote_sign", portal, document_id=quote.pk)}">Sign this quote</a>'
    ) in html
    assert f'href="{url("quote_decline", portal, document_id=quote.pk)}"' in html
    assert "disabled" not in html
    assert "signature-pad.js" not in html  # the pad's script: signing page only


def test_a_quote_without_signature_has_its_one_click_accept_form(client):
    portal = ClientFactory()
    quote = _quote(portal, requires_signature=False)

    html = client.get(url("document", portal, document_id=quote.pk)).content.decode()

    assert f'action="{url("quote_accept", portal, document_id=quote.pk)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="version" value="1"' in html
    assert f'value="{quote.current_version.pdf_sha256}"' in html
    assert (
        f"I accept quote {quote.number}, version 1, for a total of €120.00 "
        "including VAT."
    ) in html
    assert f'value="{portal.email}"' in html  # the e-mail is offered, editable
    assert 'id="accept-button">Accept this quote</button>' in html


def test_accept_waits_for_the_pdf(client):
    portal = ClientFactory()
    quote = DocumentFactory(
        client=portal, kind="quote", finalised=True, expiry_date=FUTURE
    )

    html = client.get(url("document", portal, document_id=quote.pk)).content.decode()

    assert 'id="accept-form"' not in html
    assert "The PDF of this quote is being prepared." in html


# --- signing -----------------------------------------------------------------------


def test_the_signing_page_shows_what_is_signed(client):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.get(url("quote_sign", portal, document_id=quote.pk))

    html = response.content.decode()
    text = _text(response)
    assert response.status_code == 200
    lines = re.search(r'<table class="quote-lines".*?</table>', html, re.S)
    assert lines is not None
    assert _cells(lines.group()) == [
        "Consulting",
        "Quantity 1",
        "× €100.00",
        "= €100.00",
    ]
    assert "Total excl. VAT €100.00 VAT €20.00 Total incl. VAT €120.00" in text, text
    assert '<dd id="summary-total">€120.00</dd>' in html
    assert '<dd id="summary-valid-until">Dec 31, 2099</dd>' in html
    # The fingerprint, with what it is, behind "Details".
    details = re.search(r'<details class="fingerprint".*?</details>', html, re.S)
    assert details is not None
    assert "<summary>Details</summary>" in details.group()
    assert (
        f'<code id="summary-sha256">{quote.current_version.pdf_sha256}</code>'
        in details.group()
    )
    # One way at a time: the switch and the pad wait for the script, typing
    # is the way without it.
    assert '<div class="signature-switch" id="signature-switch" hidden>' in html
    assert "Sign by drawing or by typing your full name: one or the other." in text
    assert re.search(r'<div class="signature-pad" id="signature-pad" hidden>', html)
    assert re.search(
        r'<input type="radio" name="signing_method" value="typed"[^>]* checked>', html
    )
    assert not re.search(r'value="drawn"[^>]* checked', html)
    assert '<script src="/static/portal/signature-pad.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)  # nothing inline
    assert not re.search(r"\son[a-z]+=", html)
    assert (
        f"I accept quote {quote.number}, version 1, for a total of €120.00 including "
        "VAT, and I sign it electronically."
    ) in html


def _cells(table: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]


def test_signing_by_typed_name_accepts_and_shows_who_signed(client):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.post(
        url("quote_sign", portal, document_id=quote.pk),
        _sign_data(quote),
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
        REMOTE_ADDR="198.51.100.23",
    )

    assert (response.status_code, response["Location"]) == (
        303,
        url("document", portal, document_id=quote.pk),
    )
    signature = QuoteSignature.objects.for_company(portal.company).get()
    assert (
        signature.method,
        signature.ip_address,
        signature.user_agent,
        signature.version_pdf_sha256,
    ) == (
        "typed",
        "198.51.100.23",
        "Mozilla/5.0 (iPhone)",
        quote.current_version.pdf_sha256,
    )
    page = client.get(response["Location"])
    text = _text(page)
    assert "Status: Accepted" in text
    assert "Signed by Ada Lovelace on" in text
    signed_pdf_url = url("quote_signed_pdf", portal, document_id=quote.pk)
    assert f'id="download-signed-pdf" href="{signed_pdf_url}"' in page.content.decode()
    assert 'id="sign-button"' not in page.content.decode()
    assert 'data-event="signed"' in page.content.decode()


def test_signing_by_drawing(client):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.post(
        url("quote_sign", portal, document_id=quote.pk),
        _sign_data(
            quote,
            signing_method="drawn",
            signature_data=_data_url(drawing()),
            typed_name="",
        ),
    )

    assert response.status_code == 303
    signature = QuoteSignature.objects.for_company(portal.company).get()
    assert (signature.method, bytes(signature.signature_png)[:8]) == (
        "drawn",
        b"\x89PNG\r\n\x1a\n",
    )


def test_behind_our_proxy_the_forwarded_address_is_kept(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    portal = ClientFactory()
    quote = _quote(portal)

    client.post(
        url("quote_sign", portal, document_id=quote.pk),
        _sign_data(quote),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50",
    )

    signature = QuoteSignature.objects.for_company(portal.company).get()
    assert signature.ip_address == "203.0.113.50"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"typed_name": "", "signature_data": ""},
            "Type your full name as your signature.",
        ),
        (
            {"signing_method": "drawn", "typed_name": "", "signature_data": ""},
            "Draw your signature in the box.",
        ),
        (
            {
                "signing_method": "drawn",
                "typed_name": "  ",
                "signature_data": _data_url(drawing(strokes=False)),
            },
            "Draw your signature in the box.",
        ),
        (
            {"signing_method": "drawn", "signature_data": _data_url(drawing())},
            "Sign one way only: draw your signature or type your name, not both.",
        ),
        (
            {"signing_method": "typed", "signature_data": _data_url(drawing())},
            "Sign one way only: draw your signature or type your name, not both.",
        ),
        ({"signing_method": ""}, "Choose how you sign: draw, or type your name."),
        ({"signing_method": "click"}, "Choose how you sign: draw, or type your name."),
        ({"signer_name": "     "}, "Enter your full name."),
        ({"signer_email": "ada at example"}, "Enter a valid e-mail address."),
        ({"consent": ""}, "Tick the box to confirm what you accept."),
        (
            {
                "signing_method": "drawn",
                "typed_name": "",
                "signature_data": "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
            },
            "The signature must be a PNG image drawn on the page.",
        ),
        (
            {
                "signing_method": "drawn",
                "typed_name": "",
                "signature_data": "data:image/png;base64,@@@not base64@@@",
            },
            "The signature must be a PNG image drawn on the page.",
        ),
        (
            {
                "signing_method": "drawn",
                "typed_name": "",
                "signature_data": _data_url(b"\x89PNG\r\n\x1a\n" + b"\1" * 300_000),
            },
            "The signature image is too large. Clear it and sign again, or type "
            "your name instead.",
        ),
        (
            {
                "signing_method": "drawn",
                "typed_name": "",
                "signature_data": _data_url(drawing((2100, 400))),
            },
            "The signature image is too large (at most 256 KB and 2000 × 1000 pixels).",
        ),
        (
            {"version": "banana"},
            "This page is out of date. Reload it and check the quote again.",
        ),
    ],
)
def test_bad_input_shows_a_clear_message_and_records_nothing(
    client, overrides, message
):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.post(
        url("quote_sign", portal, document_id=quote.pk), _sign_data(quote, **overrides)
    )

    assert response.status_code == 200
    assert message in _text(response)
    assert _recorded(quote) == (0, 0, 0)
    quote.refresh_from_db()
    assert quote.status == "pending"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            "quote_sign",
            "The signature image is too large. Clear it and sign again, or type "
            "your name instead.",
        ),
        ("quote_decline", "What you sent is too large. Shorten it and send it again."),
    ],
)
def test_an_answer_too_large_to_read_gets_its_form_back_with_the_error(
    settings, page, message
):
    """Past Django's request limit (2.5 MB) nothing of the answer can be read:
    the form comes back with its error, never a bare "Bad Request (400)"."""
    settings.DEBUG = False  # debug mode answers with its technical page
    portal = ClientFactory()
    quote = _quote(portal)
    browser = django_test.Client(enforce_csrf_checks=True)
    form = browser.get(url(page, portal, document_id=quote.pk)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    huge = _data_url(
        b"\x89PNG\r\n\x1a\n" + b"\1" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )

    response = browser.post(
        url(page, portal, document_id=quote.pk),
        _sign_data(quote, signature_data=huge, reason="x" * 3_000_000)
        | {"csrfmiddlewaretoken": csrf},
    )

    assert response.status_code == 413
    assert "Bad Request" not in _text(response)
    assert message in _text(response)
    assert 'id="answer-error"' in response.content.decode()
    assert response.templates[0].name == f"portal/{page}.html"
    assert _recorded(quote) == (0, 0, 0)
    quote.refresh_from_db()
    assert quote.status == "pending"


def test_a_new_version_meanwhile_shows_a_message_and_the_new_version(client):
    portal = ClientFactory()
    quote = _quote(portal)
    shown = _sign_data(quote)
    services.document_update(
        document=quote, lines=[line("Extra", "2", "100.00")], actor=None, now=NOW
    )
    quote.refresh_from_db()
    version_pdf_ensure(version=quote.current_version)

    response = client.post(url("quote_sign", portal, document_id=quote.pk), shown)

    html = response.content.decode()
    assert response.status_code == 409
    assert "A new version of this quote (version 2) was published" in _text(response)
    assert '<dd id="summary-version">2</dd>' in html
    assert 'name="version" value="2"' in html
    assert '<dd id="summary-total">€240.00</dd>' in html
    assert 'value="Ada Lovelace"' in html  # what the client typed is kept
    assert _recorded(quote) == (0, 0, 0)


def test_an_answered_quote_says_so_and_offers_nothing(client):
    portal = ClientFactory()
    quote = _quote(portal)
    client.post(url("quote_sign", portal, document_id=quote.pk), _sign_data(quote))

    again = client.post(
        url("quote_sign", portal, document_id=quote.pk),
        _sign_data(quote, signer_name="Grace Hopper"),
    )
    decline = client.post(
        url("quote_decline", portal, document_id=quote.pk),
        {"version": 1, "version_pdf_sha256": "", "reason": "changed my mind"},
    )
    page = client.get(url("quote_sign", portal, document_id=quote.pk))

    assert again.status_code == 409
    assert "This quote has already been accepted." in _text(again)
    assert 'id="sign-form"' not in again.content.decode()
    assert "This quote has already been accepted." in _text(decline)
    assert page.status_code == 303  # nothing to sign: back to the quote's page
    assert _recorded(quote) == (1, 0, 1)


def test_an_expired_quote_shows_its_state_and_no_buttons(client):
    portal = ClientFactory()
    quote = signable_quote(
        client=portal, issue_date=dt.date(2020, 1, 1), expiry_date=dt.date(2020, 2, 1)
    )

    page = client.get(url("document", portal, document_id=quote.pk)).content.decode()
    posted = client.post(
        url("quote_sign", portal, document_id=quote.pk), _sign_data(quote)
    )

    assert "Expired" in page
    assert 'id="sign-button"' not in page and 'id="decline-button"' not in page
    assert posted.status_code == 409
    assert "This quote expired on Feb. 1, 2020" in _text(posted)
    assert _recorded(quote) == (0, 0, 0)


def test_csrf_is_checked():
    portal = ClientFactory()
    quote = _quote(portal)
    strict = django_test.Client(enforce_csrf_checks=True)

    response = strict.post(
        url("quote_sign", portal, document_id=quote.pk), _sign_data(quote)
    )

    assert response.status_code == 403
    assert _recorded(quote) == (0, 0, 0)


def test_signing_in_french_keeps_the_french_consent(client):
    portal = ClientFactory(locale="fr")
    quote = _quote(portal)

    page = client.get(url("quote_sign", portal, document_id=quote.pk))
    client.post(url("quote_sign", portal, document_id=quote.pk), _sign_data(quote))

    consent = (
        f"J’accepte le devis {quote.number}, version 1, pour un total de "
        "120,00\u00a0€ TTC, et je le signe électroniquement."
    )
    assert consent in page.content.decode()
    signature = QuoteSignature.objects.for_company(portal.company).get()
    assert (signature.language, signature.consent_text) == ("fr", consent)


def test_the_signing_page_and_its_refusal_in_french(client):
    portal = ClientFactory(locale="fr")
    quote = _quote(portal)
    sign_url = url("quote_sign", portal, document_id=quote.pk)

    response = client.get(sign_url)
    html, page = response.content.decode(), _text(response)
    both = _text(
        client.post(
            sign_url,
            _sign_data(
                quote, signing_method="drawn", signature_data=_data_url(drawing())
            ),
        )
    )

    assert (
        # (the text's spaces are plain: narrow no-break ones are checked below)
        "Signez en dessinant ou en saisissant vos nom et prénom : l’un ou "
        "l’autre." in page
    )
    assert "Dessiner Saisir mon nom" in page
    assert "Montant HT" in page and "Total TTC 120,00 €" in page
    assert (
        "Signez d’une seule façon : dessinez votre signature ou saisissez "
        "votre nom, pas les deux." in both
    )
    assert "prénom\u202f: l’un" in html  # French typography
    assert _recorded(quote) == (0, 0, 0)


# --- accepting and declining -------------------------------------------------------


def test_one_click_accept_from_the_quote_page(client):
    portal = ClientFactory()
    quote = _quote(portal, requires_signature=False)
    data = _sign_data(quote)
    del data["typed_name"], data["signature_data"]

    response = client.post(url("quote_accept", portal, document_id=quote.pk), data)

    assert response.status_code == 303
    signature = QuoteSignature.objects.for_company(portal.company).get()
    assert (signature.method, signature.signature_png) == ("click", None)
    page = _text(client.get(response["Location"]))
    assert "Accepted online by Ada Lovelace on" in page
    assert "Download the PDF with its acceptance certificate" in page


def test_accept_errors_come_back_on_the_accept_page(client):
    portal = ClientFactory()
    quote = _quote(portal, requires_signature=False)

    response = client.post(
        url("quote_accept", portal, document_id=quote.pk),
        {"version": 1, "version_pdf_sha256": quote.current_version.pdf_sha256},
    )

    text = _text(response)
    assert response.status_code == 200
    assert "Enter your full name." in text
    assert "Tick the box to confirm what you accept." in text
    assert _recorded(quote) == (0, 0, 0)


def test_a_quote_to_sign_cannot_be_accepted_with_one_click(client):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.post(
        url("quote_accept", portal, document_id=quote.pk), _sign_data(quote)
    )

    assert response.status_code == 409
    assert "This quote must be signed to be accepted." in _text(response)
    assert _recorded(quote) == (0, 0, 0)


def test_declining_with_a_reason(client):
    portal = ClientFactory()
    quote = _quote(portal)
    decline_url = url("quote_decline", portal, document_id=quote.pk)
    form = client.get(decline_url)

    response = client.post(
        decline_url,
        {
            "version": 1,
            "version_pdf_sha256": quote.current_version.pdf_sha256,
            "reason": "We chose another supplier.",
        },
    )

    assert form.status_code == 200 and 'id="decline-form"' in form.content.decode()
    assert response.status_code == 303
    page = client.get(response["Location"])
    text = _text(page)
    assert "Status: Declined" in text
    assert "You declined this quote on" in text
    assert "Your reason: We chose another supplier." in text
    assert 'id="sign-button"' not in page.content.decode()
    assert _recorded(quote) == (0, 1, 1)


def test_a_decline_reason_too_long_is_refused(client):
    portal = ClientFactory()
    quote = _quote(portal)

    response = client.post(
        url("quote_decline", portal, document_id=quote.pk),
        {"version": 1, "version_pdf_sha256": "", "reason": "x" * 2001},
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters" in _text(response)
    assert _recorded(quote) == (0, 0, 0)


# --- the signed PDF ----------------------------------------------------------------


def test_the_signed_pdf_downloads_from_the_portal(
    client, django_capture_on_commit_callbacks
):
    portal = ClientFactory()
    quote = _quote(portal)
    # The sealed PDF is made by the background task once the signature commits;
    # a download never makes it (issue 8).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("quote_sign", portal, document_id=quote.pk), _sign_data(quote))

    response = client.get(url("quote_signed_pdf", portal, document_id=quote.pk))

    signature = QuoteSignature.objects.for_company(portal.company).get()
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{quote.number}-v1-signed.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["ETag"] == f'"{signature.signed_pdf_sha256}"'
    assert body.startswith(b"%PDF-") and len(body) > 1000
    again = client.get(
        url("quote_signed_pdf", portal, document_id=quote.pk),
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


def test_a_quote_not_signed_online_has_no_signed_pdf_but_its_page(client):
    portal = ClientFactory()
    quote = _quote(portal)
    pending = client.get(url("quote_signed_pdf", portal, document_id=quote.pk))
    signing_services.quote_accept(quote=quote, actor=None, now=NOW)

    response = client.get(url("quote_signed_pdf", portal, document_id=quote.pk))

    page = url("document", portal, document_id=quote.pk)
    assert (pending.status_code, pending["Location"]) == (303, page)
    assert (response.status_code, response["Location"]) == (303, page)


# --- what a client may not see is a 404 --------------------------------------------

ANSWER_URLS = ("quote_sign", "quote_accept", "quote_decline", "quote_signed_pdf")


def test_what_the_client_may_not_see_is_the_same_404_on_every_answer_url(
    client, settings
):
    settings.PORTAL_MISS_LIMIT = 1000
    portal = ClientFactory()
    neighbour = ClientFactory(company=portal.company)
    hidden = _quote(portal)
    hide(hidden)
    unreachable = {
        "unknown": 999_999,
        "draft": DocumentFactory(client=portal, kind="quote").pk,
        "hidden": hidden.pk,
        "another client": _quote(neighbour).pk,
        "another company": _quote(ClientFactory()).pk,
        "an invoice": invoice(portal).pk,
    }

    responses = [
        send(url(name, portal, document_id=pk))
        for name in ANSWER_URLS
        for pk in unreachable.values()
        for send in (client.get, client.post)
        if name != "quote_signed_pdf" or send == client.get  # a GET-only download
    ]

    assert {r.status_code for r in responses} == {404}
    # The portal's own 404 page, the visitor's CSRF token aside.
    bodies = {
        re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)
        for r in responses
    }
    assert len(bodies) == 1
    assert QuoteSignature.objects.for_company(portal.company).count() == 0


def test_a_rotated_token_is_a_404_on_every_answer_url(client):
    portal = ClientFactory()
    quote = _quote(portal)
    old = {name: url(name, portal, document_id=quote.pk) for name in ANSWER_URLS}
    client_services.client_portal_rotate(client=portal, actor=None, now=NOW)

    statuses = {name: client.get(address).status_code for name, address in old.items()}
    posts = {
        name: client.post(address).status_code
        for name, address in old.items()
        if name != "quote_signed_pdf"
    }

    assert statuses == dict.fromkeys(ANSWER_URLS, 404)
    assert posts == dict.fromkeys(ANSWER_URLS[:3], 404)

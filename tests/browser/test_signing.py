"""Signing a quote in a real Chromium: on a phone by drawing with a finger
(touch pointer events), by typing the name (with and without JavaScript), one
way at a time, and the signing form checked by axe-core."""

import io
import re

import pypdf
from playwright.sync_api import expect

from documents.models import Document, QuoteSignature
from printing.store import version_pdf_ensure
from tests.browser.test_portal import (
    ATELIER,
    PHONE,
    assert_no_axe_violations,
    demo_client,
    only,
    visible,
)
from tests.browser.touch import tap_when_still

RIVAGE = "Studio Rivage"
# Unit-test settings run tasks at once: the answer's request also prints the
# certificate page and seals the PDF (a worker's job in production), and the
# first print in a server thread loads the fonts.
SEALING_MS = 20_000


def _quote_to_sign(demo: dict) -> tuple[dict, Document]:
    """Studio Rivage's quote awaiting signature, its PDF printed (the worker's
    job, which the browser tests' demo skips)."""
    rivage = demo_client(demo, ATELIER, RIVAGE)
    entry = only(visible(rivage, "quote"), status="pending")
    quote = Document.objects.select_related("company", "current_version").get(
        pk=entry["id"]  # unscoped: the demo's own quote, by id
    )
    assert quote.requires_signature
    version_pdf_ensure(version=quote.current_version)
    return rivage, quote


def _touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """A finger drawn across the screen: real touch input, which Chromium turns
    into pointer events of type "touch"."""
    session = page.context.new_cdp_session(page)
    first, *rest = points
    session.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]},
    )
    for x, y in rest:
        session.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]},
        )
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def _signature_of(quote: Document) -> QuoteSignature:
    return QuoteSignature.objects.for_company(quote.company).get(document=quote)


def _pdf_text(path) -> str:
    with open(path, "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_client_signs_on_a_phone_by_drawing_with_a_finger(
    demo, new_page, live_server
):
    rivage, quote = _quote_to_sign(demo)
    page = new_page(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    document_url = f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/"
    page.goto(document_url)

    tap_when_still(page, "#sign-button")

    expect(page).to_have_url(document_url + "sign/")
    expect(page.locator("#signature-rule")).to_have_text(
        "Sign by drawing or by typing your full name: one or the other."
    )
    # One way at a time: typing until the client chooses to draw.
    expect(page.locator("#id_typed_name")).to_be_visible()
    expect(page.locator("#signature-pad")).to_be_hidden()
    tap_when_still(page, "label[for=id_signing_method_0]")
    expect(page.locator("#id_signing_method_0")).to_be_checked()
    expect(page.locator("#id_typed_name")).to_be_hidden()
    pad = page.locator("#signature-canvas")
    expect(pad).to_be_visible()
    assert pad.evaluate("c => getComputedStyle(c).touchAction") == "none"
    page.evaluate(
        "window.pointerTypes = [];"
        "document.getElementById('signature-canvas').addEventListener("
        "'pointerdown', e => window.pointerTypes.push(e.pointerType));"
    )
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()  # in the viewport, where touches land
    left, top = box["x"], box["y"]
    _touch_stroke(
        page,
        [
            (left + 20 + step * 12, top + 40 + (30 if step % 2 else -10) + step)
            for step in range(22)
        ],
    )
    assert page.evaluate("window.pointerTypes") == ["touch"]
    expect(page.locator("#signature-state")).to_have_text("Signature drawn.")
    assert (
        page.locator("[name=signature_data]")
        .input_value()
        .startswith("data:image/png;base64,")
    )
    page.locator("#id_signer_name").fill("Léa Moreau")
    page.locator("#id_signer_email").fill("lea@studiorivage.example")
    page.locator("#id_consent").check()
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"the signing page scrolls sideways: {overflow}"

    tap_when_still(page, "#sign-submit")

    # The immediate task backend seals the PDF before the answer returns.
    expect(page).to_have_url(document_url, timeout=SEALING_MS)
    expect(page.locator("#document-status")).to_have_text("Accepted")
    expect(page.locator("#quote-answer")).to_contain_text("Signed by Léa Moreau on")
    signature = _signature_of(quote)
    assert (signature.method, signature.signer_name) == ("drawn", "Léa Moreau")
    assert signature.user_agent and signature.ip_address == "127.0.0.1"
    with page.expect_download() as downloaded:
        tap_when_still(page, "#download-signed-pdf")
    download = downloaded.value
    assert download.suggested_filename == f"{quote.number}-v1-signed.pdf"
    text = _pdf_text(download.path())
    assert "Signed by Léa Moreau <lea@studiorivage.example>" in text
    assert signature.version_pdf_sha256 in text
    assert errors == []


def test_a_drawing_then_the_typed_name_chosen_signs_by_the_typed_name(
    demo, new_page, live_server
):
    rivage, quote = _quote_to_sign(demo)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    document_url = f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/"
    page.goto(document_url + "sign/")
    tap_when_still(page, "label[for=id_signing_method_0]")
    pad = page.locator("#signature-canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    _touch_stroke(
        page,
        [
            (box["x"] + 20 + step * 10, box["y"] + 50 + step % 3 * 9)
            for step in range(15)
        ],
    )
    expect(page.locator("#signature-state")).to_have_text("Signature drawn.")

    tap_when_still(page, "label[for=id_signing_method_1]")  # changed their mind

    expect(page.locator("#signature-pad")).to_be_hidden()
    assert page.locator("[name=signature_data]").input_value() == ""
    page.locator("#id_typed_name").fill("Léa Moreau")
    page.locator("#id_signer_name").fill("Léa Moreau")
    page.locator("#id_signer_email").fill("lea@studiorivage.example")
    page.locator("#id_consent").check()
    tap_when_still(page, "#sign-submit")

    expect(page).to_have_url(document_url, timeout=SEALING_MS)
    signature = _signature_of(quote)
    assert (signature.method, signature.typed_name, signature.signature_png) == (
        "typed",
        "Léa Moreau",
        None,
    )


def test_without_javascript_the_typed_name_signs(demo, new_page, live_server):
    rivage, quote = _quote_to_sign(demo)
    page = new_page(viewport=PHONE, java_script_enabled=False)
    document_url = f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/"
    page.goto(document_url)
    page.locator("#sign-button").click()

    # No script: no pad and no switch, typing is the way.
    expect(page.locator("#signature-pad")).to_be_hidden()
    expect(page.locator("#signature-switch")).to_be_hidden()
    page.locator("#id_signer_name").fill("Léa Moreau")
    page.locator("#id_signer_email").fill("lea@studiorivage.example")
    page.locator("#id_typed_name").fill("Léa Moreau")
    page.locator("#id_consent").check()
    page.locator("#sign-submit").click()

    expect(page).to_have_url(document_url, timeout=SEALING_MS)
    expect(page.locator("#document-status")).to_have_text("Accepted")
    expect(page.locator("#quote-answer")).to_contain_text("Signed by Léa Moreau on")
    assert _signature_of(quote).method == "typed"
    with page.expect_download() as downloaded:
        page.locator("#download-signed-pdf").click()
    text = _pdf_text(downloaded.value.path())
    assert "Léa Moreau" in text and "Name typed as signature." in text


def test_a_refused_submission_explains_itself_without_javascript(
    demo, new_page, live_server
):
    rivage, quote = _quote_to_sign(demo)
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/sign/")
    page.locator("#id_signer_name").fill("Léa Moreau")
    page.locator("#id_signer_email").fill("lea@studiorivage.example")
    page.locator("#id_consent").check()

    page.locator("#sign-submit").click()  # no typed name

    expect(page.locator("#id_typed_name_error")).to_have_text(
        "Type your full name as your signature."
    )
    expect(page.locator("#id_typed_name")).to_have_attribute("aria-invalid", "true")
    assert (
        not QuoteSignature.objects.for_company(quote.company)
        .filter(document=quote)
        .exists()
    )


def test_the_signing_form_has_no_axe_violations(demo, page, live_server):
    rivage, quote = _quote_to_sign(demo)
    sign_url = f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/sign/"
    page.goto(sign_url)
    expect(page.locator("#signature-switch")).to_be_visible()

    assert_no_axe_violations(page, "the signing form")

    page.locator("#id_signing_method_0").check()
    expect(page.locator("#signature-pad")).to_be_visible()
    assert_no_axe_violations(page, "the signing form, drawing")

    page.locator("#id_signer_email").fill("not an address")
    page.locator("#sign-form").evaluate("form => form.noValidate = true")
    page.locator("#sign-submit").click()
    expect(page.locator("#id_signer_email_error")).to_be_visible()
    assert_no_axe_violations(page, "the signing form with its errors")

    page.goto(f"{live_server.url}{rivage['portal_url']}documents/{quote.pk}/decline/")
    assert_no_axe_violations(page, "the decline form")


def test_a_quote_without_signature_is_accepted_in_one_click(
    demo, new_page, live_server
):
    cafe = demo_client(demo, ATELIER, "Café des Arts")
    entry = only(
        [d for d in visible(cafe, "quote") if d["status"] == "pending"],
        number=_pending_plain_number(cafe),
    )
    quote = Document.objects.select_related("current_version").get(
        pk=entry["id"]  # unscoped: the demo's own quote, by id
    )
    version_pdf_ensure(version=quote.current_version)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    document_url = f"{live_server.url}{cafe['portal_url']}documents/{quote.pk}/"
    page.goto(document_url)
    assert_no_axe_violations(page, "the quote page with its accept form")

    page.locator("#id_signer_name").fill("Camille Roux")
    page.locator("#id_consent").check()
    tap_when_still(page, "#accept-button")

    expect(page).to_have_url(document_url, timeout=SEALING_MS)
    expect(page.locator("#document-status")).to_have_text("Accepté")
    expect(page.locator("#quote-answer")).to_contain_text(
        re.compile(r"Accepté en ligne par Camille Roux le")
    )


def _pending_plain_number(client: dict) -> str:
    """The demo's pending quote that asks for no signature and has not expired."""
    from django.utils import timezone

    numbers = [
        d["number"] for d in visible(client, "quote") if d["status"] == "pending"
    ]
    today = timezone.localdate()
    for number in numbers:
        quote = Document.objects.get(  # unscoped: the demo's own quote, by number
            number=number, company__name=ATELIER
        )
        if not quote.requires_signature and quote.expiry_date >= today:
            return number
    raise LookupError("no open quote without signature in the demo")

"""Signing, accepting and declining a quote from the portal: every rule of the
services, and that a refusal records nothing."""

import datetime as dt
import io

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from PIL import Image

from clients.models import Client
from companies.append_only import ImmutableRecordError
from documents import services
from documents.models import (
    Document,
    DocumentEvent,
    QuoteDecline,
    QuoteSignature,
)
from signing import services as signing_services
from tests.factories import NOW, DocumentFactory, line
from tests.signing.signing_helpers import (
    ORIGIN,
    accept_arguments,
    decline_arguments,
    drawing,
    sign_arguments,
    signable_quote,
)

pytestmark = pytest.mark.django_db

SIGNED_AT = NOW + dt.timedelta(days=1)


def _state(quote: Document) -> tuple:
    """Everything an answer would change."""
    company = quote.company
    return (
        Document.objects.for_company(company).get(pk=quote.pk).status,
        QuoteSignature.objects.for_company(company).count(),
        QuoteDecline.objects.for_company(company).count(),
        DocumentEvent.objects.for_company(company).filter(document=quote).count(),
        Client.objects.for_company(company).get(pk=quote.client_id).portal_revision,
    )


def _refused(watched: Document, error: type, call, **arguments) -> str:
    """Call the service, expect `error`, and check that nothing changed."""
    before = _state(watched)
    with pytest.raises(error) as raised:
        call(**arguments)
    assert _state(watched) == before, "a refusal recorded something"
    return str(raised.value)


# --- signing ------------------------------------------------------------------


def test_signing_by_typed_name_records_the_evidence_and_accepts_the_quote(
    django_capture_on_commit_callbacks,
):
    quote = signable_quote()
    version = quote.current_version
    revision = quote.client.portal_revision

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signature = signing_services.quote_sign(
            **sign_arguments(quote, signer_name="  Ada   Lovelace ")
        )

    signature.refresh_from_db()
    quote.refresh_from_db()
    quote.client.refresh_from_db()
    event = DocumentEvent.objects.for_company(quote.company).get(
        document=quote, kind="signed"
    )
    assert (
        signature.version_id,
        signature.version_pdf_sha256,
        signature.method,
        signature.signer_name,
        signature.signer_email,
        signature.signature_png,
        signature.typed_name,
        signature.consent_text,
        signature.language,
        signature.signed_at,
        signature.ip_address,
        signature.user_agent,
    ) == (
        version.pk,
        version.pdf_sha256,
        "typed",
        "Ada Lovelace",
        "ada@example.org",
        None,
        "Ada Lovelace",
        f"I accept quote {quote.number}, version 1, for a total of €120.00 "
        "including VAT, and I sign it electronically.",
        "en",
        SIGNED_AT,
        "203.0.113.7",
        "TestPhone/1.0",
    )
    assert quote.status == "accepted"
    assert (event.actor, event.actor_name, event.version_id, event.details) == (
        None,
        "Ada Lovelace",
        version.pk,
        {"method": "typed", "version": 1},
    )
    assert quote.client.portal_revision == revision + 1
    # After commit, the sealed PDF was made and attached once (the other
    # callbacks tell the company's owners and admins, issue 12, and send the
    # client its copy, issue 20).
    assert len(callbacks) == 3
    assert len(signature.signed_pdf_sha256) == 64
    assert signature.signed_pdf_file.name.endswith(
        f"v1-signed-{signature.signed_pdf_sha256[:16]}.pdf"
    )


def test_signing_by_drawing_keeps_a_clean_png_of_it():
    quote = signable_quote()

    signature = signing_services.quote_sign(
        **sign_arguments(quote, method="drawn", signature_png=drawing(), typed_name="")
    )

    signature.refresh_from_db()
    stored = Image.open(io.BytesIO(bytes(signature.signature_png)))
    assert (signature.method, signature.typed_name) == ("drawn", "")
    assert (stored.format, stored.size, stored.mode) == ("PNG", (600, 200), "RGBA")
    assert stored.getchannel("A").getbbox() is not None  # the strokes are there


def test_the_recorded_method_is_the_one_chosen():
    drawn, typed = signable_quote(), signable_quote()

    first = signing_services.quote_sign(
        **sign_arguments(drawn, method="drawn", signature_png=drawing(), typed_name=" ")
    )
    second = signing_services.quote_sign(**sign_arguments(typed, method="typed"))

    assert (first.method, first.typed_name) == ("drawn", "")
    assert (second.method, second.signature_png, second.typed_name) == (
        "typed",
        None,
        "Ada Lovelace",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"signature_png": None, "typed_name": "   "},
            "Type your full name as your signature.",
        ),
        (
            {"method": "drawn", "signature_png": None, "typed_name": ""},
            "Draw your signature in the box.",
        ),
        (
            {
                "method": "drawn",
                "signature_png": drawing(strokes=False),
                "typed_name": "",
            },
            "Draw your signature in the box.",
        ),
        (
            {
                "method": "drawn",
                "signature_png": drawing(strokes=False, mode="RGB"),
                "typed_name": "",
            },
            "Draw your signature in the box.",
        ),
        (
            {"method": "drawn", "signature_png": drawing()},
            "Sign one way only: draw your signature or type your name, not both.",
        ),
        (
            {"method": "typed", "signature_png": drawing()},
            "Sign one way only: draw your signature or type your name, not both.",
        ),
        ({"method": "click"}, "Choose how you sign: draw, or type your name."),
        ({"method": ""}, "Choose how you sign: draw, or type your name."),
        ({"signer_name": "    "}, "Enter your full name."),
        ({"signer_name": "x" * 201}, "Your name must be at most 200 characters."),
        ({"signer_email": "not an address"}, "Enter a valid e-mail address."),
        ({"consent": False}, "Tick the box to confirm what you accept."),
        (
            {"method": "drawn", "typed_name": "", "signature_png": b"GIF89a no png"},
            "The signature must be a PNG image drawn on the page.",
        ),
        (
            {
                "method": "drawn",
                "typed_name": "",
                "signature_png": b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
            },
            "The signature must be a PNG image drawn on the page.",
        ),
        (
            {
                "method": "drawn",
                "typed_name": "",
                "signature_png": drawing((2400, 300)),
            },
            "The signature image is too large (at most 256 KB and 2000 × 1000 pixels).",
        ),
        (
            {
                "method": "drawn",
                "typed_name": "",
                "signature_png": b"\x89PNG\r\n\x1a\n" + b"\0" * (256 * 1024),
            },
            "The signature image is too large (at most 256 KB and 2000 × 1000 pixels).",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_recorded(
    overrides, message
):
    quote = signable_quote()

    refusal = _refused(
        quote,
        signing_services.InvalidAnswer,
        signing_services.quote_sign,
        **sign_arguments(quote, **overrides),
    )

    assert refusal == message


def test_a_version_published_meanwhile_refuses_the_older_one():
    quote = signable_quote()
    shown = sign_arguments(quote)
    services.document_update(
        document=quote, lines=[line("More work")], actor=None, now=NOW
    )

    refusal = _refused(
        quote,
        signing_services.QuoteVersionChanged,
        signing_services.quote_sign,
        **shown,
    )

    assert refusal.startswith(
        "A new version of this quote (version 2) was published while you were "
        "reading it. Nothing was recorded"
    )


def test_a_pdf_other_than_the_one_stored_is_refused():
    quote = signable_quote()

    refusal = _refused(
        quote,
        signing_services.QuoteVersionChanged,
        signing_services.quote_sign,
        **sign_arguments(quote, version_pdf_sha256="0" * 64),
    )

    assert refusal.startswith("The document you were shown is not the one on record")


def test_signing_waits_for_the_version_pdf():
    quote = DocumentFactory(kind="quote", finalised=True, requires_signature=True)
    assert quote.current_version.pdf_sha256 == ""  # the task has not run

    refusal = _refused(
        quote,
        signing_services.QuotePdfNotReady,
        signing_services.quote_sign,
        **sign_arguments(quote, version_pdf_sha256=""),
    )

    assert refusal == (
        "The PDF of this quote is still being prepared. Nothing was recorded: "
        "please try again in a minute."
    )


def _expired(quote):
    # Signed the day after it expired.
    return {
        "now": dt.datetime.combine(quote.expiry_date, dt.time(12), dt.UTC)
        + dt.timedelta(days=1)
    }


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (
            lambda q: signing_services.quote_accept(quote=q, actor=None, now=NOW),
            "This quote has already been accepted.",
        ),
        (
            lambda q: signing_services.quote_decline(quote=q, actor=None, now=NOW),
            "This quote has already been declined.",
        ),
        (
            lambda q: services.document_cancel(document=q, actor=None, now=NOW),
            "This quote was canceled: it can no longer be answered.",
        ),
        (
            lambda q: signing_services.quote_sign(**sign_arguments(q)),
            "This quote has already been accepted.",
        ),
        (
            lambda q: signing_services.quote_decline_online(**decline_arguments(q)),
            "This quote has already been declined.",
        ),
    ],
)
def test_a_closed_quote_cannot_be_signed_again(prepare, message):
    quote = signable_quote()
    prepare(quote)

    refusal = _refused(
        quote,
        signing_services.QuoteNotAnswerable,
        signing_services.quote_sign,
        **sign_arguments(quote),
    )

    assert refusal == message


def test_an_expired_quote_cannot_be_signed_accepted_or_declined():
    quote = signable_quote()
    plain = signable_quote(requires_signature=False)

    refusals = {
        _refused(
            quote,
            signing_services.QuoteNotAnswerable,
            signing_services.quote_sign,
            **sign_arguments(quote, **_expired(quote)),
        ),
        _refused(
            plain,
            signing_services.QuoteNotAnswerable,
            signing_services.quote_accept_online,
            **accept_arguments(plain, **_expired(plain)),
        ),
        _refused(
            quote,
            signing_services.QuoteNotAnswerable,
            signing_services.quote_decline_online,
            **decline_arguments(quote, **_expired(quote)),
        ),
    }

    assert refusals == {
        "This quote expired on April 1, 2026: ask for a new one to accept it."
    }


def test_a_draft_or_an_invoice_cannot_be_answered():
    draft = DocumentFactory(kind="quote", requires_signature=True)
    bill = DocumentFactory(kind="invoice", finalised=True)
    unseen = {"version_number": 1, "version_pdf_sha256": ""}

    refusal = _refused(
        draft,
        signing_services.QuoteNotAnswerable,
        signing_services.quote_decline_online,
        **{**decline_arguments(bill, **unseen), "quote": draft},
    )
    with pytest.raises(signing_services.QuoteNotAnswerable, match="Only a quote"):
        signing_services.quote_decline_online(**decline_arguments(bill))

    assert refusal == "This quote cannot be answered."


def test_signing_and_accepting_follow_what_the_quote_asks_for():
    signed = signable_quote(requires_signature=True)
    plain = signable_quote(requires_signature=False)

    must_sign = _refused(
        signed,
        signing_services.QuoteNotAnswerable,
        signing_services.quote_accept_online,
        **accept_arguments(signed),
    )
    need_not = _refused(
        plain,
        signing_services.QuoteNotAnswerable,
        signing_services.quote_sign,
        **sign_arguments(plain),
    )

    assert must_sign == "This quote must be signed to be accepted."
    assert need_not == "This quote does not ask for a signature: accept it instead."


# --- accepting without a signature --------------------------------------------


def test_accepting_online_records_the_same_evidence_without_a_drawing():
    quote = signable_quote(requires_signature=False)

    signature = signing_services.quote_accept_online(
        **accept_arguments(quote, language="fr")
    )

    signature.refresh_from_db()
    quote.refresh_from_db()
    event = DocumentEvent.objects.for_company(quote.company).get(
        document=quote, kind="accepted"
    )
    assert (
        signature.method,
        signature.signature_png,
        signature.typed_name,
        signature.signer_name,
        signature.version_pdf_sha256,
        signature.consent_text,
    ) == (
        "click",
        None,
        "",
        "Ada Lovelace",
        quote.current_version.pdf_sha256,
        f"J’accepte le devis {quote.number}, version 1, pour un total de "
        "120,00\u00a0€ TTC.",
    )
    assert (quote.status, event.actor, event.actor_name) == (
        "accepted",
        None,
        "Ada Lovelace",
    )


def test_accepting_online_refuses_missing_consent_and_blank_names():
    quote = signable_quote(requires_signature=False)

    assert (
        _refused(
            quote,
            signing_services.InvalidAnswer,
            signing_services.quote_accept_online,
            **accept_arguments(quote, consent=False),
        )
        == "Tick the box to confirm what you accept."
    )
    assert (
        _refused(
            quote,
            signing_services.InvalidAnswer,
            signing_services.quote_accept_online,
            **accept_arguments(quote, signer_name="\t "),
        )
        == "Enter your full name."
    )


# --- declining ------------------------------------------------------------------


def test_declining_records_the_reason_and_the_version():
    quote = signable_quote()
    revision = quote.client.portal_revision

    decline = signing_services.quote_decline_online(**decline_arguments(quote))

    decline.refresh_from_db()
    quote.refresh_from_db()
    quote.client.refresh_from_db()
    event = DocumentEvent.objects.for_company(quote.company).get(
        document=quote, kind="declined"
    )
    assert (
        decline.version_id,
        decline.version_pdf_sha256,
        decline.reason,
        decline.declined_at,
        decline.ip_address,
        decline.user_agent,
    ) == (
        quote.current_version_id,
        quote.current_version.pdf_sha256,
        "Too expensive for us this year.",
        SIGNED_AT,
        "203.0.113.7",
        "TestPhone/1.0",
    )
    assert (quote.status, event.details, event.actor_name) == (
        "declined",
        {"reason": "Too expensive for us this year."},
        quote.client.name,
    )
    assert quote.client.portal_revision == revision + 1


def test_declining_needs_no_pdf_but_the_latest_version():
    quote = DocumentFactory(kind="quote", finalised=True)
    older = decline_arguments(quote, version_pdf_sha256="")
    services.document_update(document=quote, lines=[line("v2")], actor=None, now=NOW)
    quote.refresh_from_db()

    _refused(
        quote,
        signing_services.QuoteVersionChanged,
        signing_services.quote_decline_online,
        **older,
    )
    decline = signing_services.quote_decline_online(
        **decline_arguments(quote, version_pdf_sha256="", reason="")
    )

    assert (decline.version.number, decline.version_pdf_sha256, decline.reason) == (
        2,
        "",
        "",
    )


def test_a_decline_reason_is_bounded():
    quote = signable_quote()

    refusal = _refused(
        quote,
        signing_services.InvalidAnswer,
        signing_services.quote_decline_online,
        **decline_arguments(quote, reason="x" * 2001),
    )

    assert refusal == "The reason must be at most 2000 characters."


def test_an_unusable_address_is_kept_as_none():
    quote = signable_quote()

    signature = signing_services.quote_sign(
        **sign_arguments(
            quote, origin=signing_services.RequestOrigin(ip_address="", user_agent="")
        )
    )

    assert (signature.ip_address, signature.user_agent) == (None, "")
    assert ORIGIN.ip_or_none() == "203.0.113.7"


# --- the evidence never changes -------------------------------------------------


def test_the_evidence_is_append_only_in_the_model_and_the_database():
    quote = signable_quote()
    signature = signing_services.quote_sign(**sign_arguments(quote))
    declined = signable_quote()
    decline = signing_services.quote_decline_online(**decline_arguments(declined))
    signatures = QuoteSignature.objects.for_company(quote.company)
    declines = QuoteDecline.objects.for_company(declined.company)

    signature.signer_name = "Someone else"
    with pytest.raises(ImmutableRecordError):
        signature.save()
    with pytest.raises(ImmutableRecordError):
        signature.delete()
    with pytest.raises(ImmutableRecordError):
        decline.delete()
    for change in (
        lambda: signatures.update(signer_name="Someone else"),
        lambda: signatures.update(consent_text="I accept nothing."),
        lambda: signatures.delete(),
        lambda: declines.update(reason="changed"),
        lambda: declines.delete(),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            change()

    stored = signatures.get()
    assert (stored.signer_name, declines.get().reason) == (
        "Ada Lovelace",
        "Too expensive for us this year.",
    )


def test_the_signed_pdf_is_attached_once():
    quote = signable_quote()
    signature = signing_services.quote_sign(**sign_arguments(quote))
    signatures = QuoteSignature.objects.for_company(quote.company)

    signatures.update(signed_pdf_file="a.pdf", signed_pdf_sha256="a" * 64)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        signatures.update(signed_pdf_file="b.pdf", signed_pdf_sha256="b" * 64)

    signature.refresh_from_db()
    assert (signature.signed_pdf_file.name, signature.signed_pdf_sha256) == (
        "a.pdf",
        "a" * 64,
    )


def test_one_answer_per_quote_is_a_database_constraint():
    """Even a writer that skipped the service's lock cannot record two."""
    quote = signable_quote()
    first = signing_services.quote_sign(**sign_arguments(quote))
    fields = {
        "company_id": quote.company_id,
        "document": quote,
        "version": quote.current_version,
        "version_pdf_sha256": first.version_pdf_sha256,
        "method": "typed",
        "signer_name": "Mallory",
        "signer_email": "mallory@example.org",
        "typed_name": "Mallory",
        "consent_text": first.consent_text,
        "language": "en",
        "signed_at": SIGNED_AT,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteSignature.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteDecline.objects.create(
            company_id=quote.company_id,
            document=quote,
            version=quote.current_version,
            language="en",
            declined_at=SIGNED_AT,
        )
        QuoteDecline.objects.create(
            company_id=quote.company_id,
            document=quote,
            version=quote.current_version,
            language="en",
            declined_at=SIGNED_AT,
        )

    assert QuoteSignature.objects.for_company(quote.company).count() == 1


def test_the_evidence_must_fit_its_method():
    quote = signable_quote()
    base = {
        "company_id": quote.company_id,
        "document": quote,
        "version": quote.current_version,
        "version_pdf_sha256": quote.current_version.pdf_sha256,
        "signer_name": "Ada",
        "signer_email": "ada@example.org",
        "consent_text": "I accept.",
        "language": "en",
        "signed_at": SIGNED_AT,
    }

    for wrong in (
        {"method": "drawn", "typed_name": "Ada"},  # drawn without a drawing
        {"method": "typed", "typed_name": ""},  # typed without a name
        {"method": "click", "typed_name": "Ada"},
        {"method": "magic", "typed_name": ""},
        {"method": "typed", "typed_name": "Ada", "version_pdf_sha256": "abc"},
        {"method": "typed", "typed_name": "Ada", "consent_text": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            QuoteSignature.objects.create(**(base | wrong))

"""A quote answered by the client from its portal: signed, accepted or declined.

Each answer is evidence (`QuoteSignature`, `QuoteDecline`) bound to the version
the client was shown and to the SHA-256 of that version's PDF, checked against
the stored one under the quote's row lock. A quote is answered once: the lock
serialises two submissions, and the records' one-per-quote unique keys would
refuse a second one even without it.
"""

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from branding import images
from companies import money
from documents import events, status
from documents.models import (
    ClientEmail,
    Document,
    DocumentVersion,
    QuoteDecline,
    QuoteSignature,
)
from documents.services.errors import DocumentError
from documents.services.lifecycle import status_change
from mail.services import client_notice_request
from signing import tasks

NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000
USER_AGENT_MAX_LENGTH = 500


class QuoteNotAnswerable(DocumentError):
    """The quote is not (or no longer) waiting for this client's answer."""


class QuoteVersionChanged(DocumentError):
    """The client answered a version that is no longer the latest one."""


class QuotePdfNotReady(DocumentError):
    """The version's PDF is still being made: there is nothing to sign yet."""


class InvalidAnswer(DocumentError):
    """Something the client typed or drew cannot be used."""


@dataclass(frozen=True)
class RequestOrigin:
    """Where an answer came from, as the portal saw the request."""

    ip_address: str
    user_agent: str

    def ip_or_none(self) -> str | None:
        try:
            return str(ipaddress.ip_address(self.ip_address.strip()))
        except ValueError:
            return None


def consent_text(*, version: DocumentVersion, language: str, signing: bool) -> str:
    """What the client declares by ticking the box, in its language: the quote's
    number, its version and its total with currency. Stored word for word."""
    content = version.content
    with translation.override(language):
        values = {
            "number": content["number"],
            "version": version.number,
            "total": money.format_money(
                version.total, content["currency"], translation.to_locale(language)
            ),
        }
        if signing:
            text = _(
                "I accept quote %(number)s, version %(version)s, for a total of "
                "%(total)s including VAT, and I sign it electronically."
            )
        else:
            text = _(
                "I accept quote %(number)s, version %(version)s, for a total of "
                "%(total)s including VAT."
            )
        return text % values


def _locked_quote(quote: Document) -> Document:
    if quote.kind != Document.Kind.QUOTE:
        raise QuoteNotAnswerable(_("Only a quote can be signed or declined."))
    return (
        # unscoped: re-read under lock (its own row only), the caller scoped it
        Document.objects.select_for_update(of=("self",))
        .select_related("current_version", "client")
        .get(pk=quote.pk)
    )


def quote_answer_refusal(
    *, quote: Document, now: dt.datetime, signing: bool | None
) -> str:
    """Why the client may not answer this quote now ("" when it may).

    `signing`: True to sign, False to accept without a signature, None to
    decline. The pages ask before showing a form; the services ask again under
    the quote's lock.
    """
    if quote.kind != Document.Kind.QUOTE:
        return _("Only a quote can be signed or declined.")
    today = timezone.localdate(now)
    if status.is_signable(quote, today):
        if signing is True and not quote.requires_signature:
            return _("This quote does not ask for a signature: accept it instead.")
        if signing is False and quote.requires_signature:
            return _("This quote must be signed to be accepted.")
        return ""
    if quote.status == Document.Status.ACCEPTED:
        return _("This quote has already been accepted.")
    if quote.status == Document.Status.DECLINED:
        return _("This quote has already been declined.")
    if quote.status == Document.Status.CANCELED:
        return _("This quote was canceled: it can no longer be answered.")
    if status.is_answerable(quote) and quote.expiry_date is not None:
        return _("This quote expired on %(date)s: ask for a new one to accept it.") % {
            "date": formats.date_format(quote.expiry_date, "DATE_FORMAT")
        }
    return _("This quote cannot be answered.")


def _refusal_check(quote: Document, now: dt.datetime, signing: bool | None) -> None:
    refusal = quote_answer_refusal(quote=quote, now=now, signing=signing)
    if refusal:
        raise QuoteNotAnswerable(refusal)


def _version_check(
    quote: Document, version_number: int, version_pdf_sha256: str, *, need_pdf: bool
) -> DocumentVersion:
    """The latest version, if it is the one (and the PDF) the client was shown."""
    latest = quote.current_version
    if latest is None or latest.number != version_number:
        raise QuoteVersionChanged(
            _(
                "A new version of this quote (version %(number)s) was published "
                "while you were reading it. Nothing was recorded: please read the "
                "new version before answering."
            )
            % {"number": latest.number if latest else "?"}
        )
    if need_pdf and not latest.pdf_sha256:
        raise QuotePdfNotReady(
            _(
                "The PDF of this quote is still being prepared. Nothing was "
                "recorded: please try again in a minute."
            )
        )
    if (need_pdf or version_pdf_sha256) and version_pdf_sha256 != latest.pdf_sha256:
        raise QuoteVersionChanged(
            _(
                "The document you were shown is not the one on record. Nothing "
                "was recorded: please reload the page and check the quote again."
            )
        )
    return latest


def _signer_check(name: str, email: str, consent: bool) -> tuple[str, str]:
    name = " ".join(name.split())
    if not name:
        raise InvalidAnswer(_("Enter your full name."))
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidAnswer(
            _("Your name must be at most %(count)s characters.")
            % {"count": NAME_MAX_LENGTH}
        )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidAnswer(_("Enter a valid e-mail address.")) from None
    if not consent:
        raise InvalidAnswer(_("Tick the box to confirm what you accept."))
    return name, email


# Marked for translation here, translated when raised (and by the portal's form).
SIGN_ONE_WAY = gettext_noop(
    "Sign one way only: draw your signature or type your name, not both."
)


def _signature_check(
    method: str, signature_png: bytes | None, typed_name: str
) -> tuple[str, bytes | None, str]:
    """The evidence of the way the client chose, and nothing of the other: a
    drawing that is not blank, or a typed name. Sending both is refused rather
    than guessed at, so the recorded method is the one the client saw chosen."""
    typed = " ".join(typed_name.split())
    if method == QuoteSignature.Method.DRAWN:
        if typed:
            raise InvalidAnswer(_(SIGN_ONE_WAY))
        if not signature_png:
            raise InvalidAnswer(_("Draw your signature in the box."))
        try:
            png = images.signature_png_check(signature_png)
        except images.SignatureBlank:
            raise InvalidAnswer(_("Draw your signature in the box.")) from None
        except images.SignatureRejected as exc:
            raise InvalidAnswer(str(exc)) from None
        return QuoteSignature.Method.DRAWN, png, ""
    if method != QuoteSignature.Method.TYPED:
        raise InvalidAnswer(_("Choose how you sign: draw, or type your name."))
    if signature_png:
        raise InvalidAnswer(_(SIGN_ONE_WAY))
    if not typed:
        raise InvalidAnswer(_("Type your full name as your signature."))
    if len(typed) > NAME_MAX_LENGTH:
        raise InvalidAnswer(
            _("Your name must be at most %(count)s characters.")
            % {"count": NAME_MAX_LENGTH}
        )
    return QuoteSignature.Method.TYPED, None, typed


def _signature_write(quote: Document, **fields: object) -> QuoteSignature:
    try:
        with transaction.atomic():
            return QuoteSignature.objects.create(
                company_id=quote.company_id, document=quote, **fields
            )
    except IntegrityError:
        # Only where rows are not locked (SQLite): the unique key held.
        raise QuoteNotAnswerable(_("This quote has already been answered.")) from None


def _accepted(
    quote: Document, signature: QuoteSignature, now: dt.datetime
) -> QuoteSignature:
    status_change(
        quote,
        allowed=status.is_answerable,
        to=Document.Status.ACCEPTED,
        refusal=_("This quote has already been answered."),
    )
    transaction.on_commit(
        lambda: tasks.quote_signature_render_pdf.enqueue(signature.pk)
    )
    # The client's copy (asked for here: answered online only, never when a
    # member records an answer on its behalf).
    client_notice_request(
        client=quote.client,
        document=quote,
        kind=ClientEmail.Kind.QUOTE_SIGNED,
        now=now,
    )
    return signature


@transaction.atomic
def quote_sign(
    *,
    quote: Document,
    version_number: int,
    version_pdf_sha256: str,
    signer_name: str,
    signer_email: str,
    consent: bool,
    method: str,
    signature_png: bytes | None,
    typed_name: str,
    language: str,
    origin: RequestOrigin,
    now: dt.datetime,
) -> QuoteSignature:
    """The client signs the latest version of a quote that asks for a signature
    the one way it chose (`method`): a drawing, or its typed name. The quote
    becomes accepted, the evidence and the history are written, and the signed
    PDF is made after commit.

    :raises QuoteNotAnswerable: not pending, expired, canceled, already answered,
        or a quote that asks for no signature.
    :raises QuoteVersionChanged: a newer version, or another PDF, than the one
        the client was shown.
    :raises QuotePdfNotReady: the version's PDF is not made yet.
    :raises InvalidAnswer: no name, a bad e-mail, no consent, no usable
        drawing (drawn) or no typed name (typed), both a drawing and a typed
        name, a drawing that is not an acceptable PNG.
    """
    quote = _locked_quote(quote)
    _refusal_check(quote, now, signing=True)
    version = _version_check(quote, version_number, version_pdf_sha256, need_pdf=True)
    name, email = _signer_check(signer_name, signer_email, consent)
    method, png, typed = _signature_check(method, signature_png, typed_name)
    signature = _signature_write(
        quote,
        version=version,
        version_pdf_sha256=version.pdf_sha256,
        method=method,
        signer_name=name,
        signer_email=email,
        signature_png=png,
        typed_name=typed,
        consent_text=consent_text(version=version, language=language, signing=True),
        language=language,
        signed_at=now,
        ip_address=origin.ip_or_none(),
        user_agent=origin.user_agent[:USER_AGENT_MAX_LENGTH],
    )
    events.quote_signed(
        document=quote, version=version, at=now, signer_name=name, method=method
    )
    return _accepted(quote, signature, now)


@transaction.atomic
def quote_accept_online(
    *,
    quote: Document,
    version_number: int,
    version_pdf_sha256: str,
    signer_name: str,
    signer_email: str,
    consent: bool,
    language: str,
    origin: RequestOrigin,
    now: dt.datetime,
) -> QuoteSignature:
    """The client accepts the latest version of a quote that asks for no
    signature: the same evidence as a signature, without the drawing.

    :raises QuoteNotAnswerable: not pending, expired, canceled, already
        answered, or a quote that must be signed.
    :raises QuoteVersionChanged: not the latest version, or another PDF.
    :raises QuotePdfNotReady: the version's PDF is not made yet.
    :raises InvalidAnswer: no name, a bad e-mail, no consent.
    """
    quote = _locked_quote(quote)
    _refusal_check(quote, now, signing=False)
    version = _version_check(quote, version_number, version_pdf_sha256, need_pdf=True)
    name, email = _signer_check(signer_name, signer_email, consent)
    signature = _signature_write(
        quote,
        version=version,
        version_pdf_sha256=version.pdf_sha256,
        method=QuoteSignature.Method.CLICK,
        signer_name=name,
        signer_email=email,
        signature_png=None,
        typed_name="",
        consent_text=consent_text(version=version, language=language, signing=False),
        language=language,
        signed_at=now,
        ip_address=origin.ip_or_none(),
        user_agent=origin.user_agent[:USER_AGENT_MAX_LENGTH],
    )
    events.quote_accepted(document=quote, actor=None, at=now, actor_name=name)
    return _accepted(quote, signature, now)


@transaction.atomic
def quote_decline_online(
    *,
    quote: Document,
    version_number: int,
    version_pdf_sha256: str,
    reason: str,
    language: str,
    origin: RequestOrigin,
    now: dt.datetime,
) -> QuoteDecline:
    """The client declines the latest version of a quote, with an optional reason.

    :raises QuoteNotAnswerable: not pending, expired, canceled or answered.
    :raises QuoteVersionChanged: not the latest version, or another PDF.
    :raises InvalidAnswer: a reason over 2000 characters.
    """
    quote = _locked_quote(quote)
    _refusal_check(quote, now, signing=None)
    version = _version_check(quote, version_number, version_pdf_sha256, need_pdf=False)
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidAnswer(
            _("The reason must be at most %(count)s characters.")
            % {"count": REASON_MAX_LENGTH}
        )
    try:
        with transaction.atomic():
            decline = QuoteDecline.objects.create(
                company_id=quote.company_id,
                document=quote,
                version=version,
                version_pdf_sha256=version.pdf_sha256,
                reason=reason,
                language=language,
                declined_at=now,
                ip_address=origin.ip_or_none(),
                user_agent=origin.user_agent[:USER_AGENT_MAX_LENGTH],
            )
    except IntegrityError:
        raise QuoteNotAnswerable(_("This quote has already been answered.")) from None
    quote = status_change(
        quote,
        allowed=status.is_answerable,
        to=Document.Status.DECLINED,
        refusal=_("This quote has already been answered."),
    )
    events.quote_declined(
        document=quote,
        actor=None,
        at=now,
        reason=reason,
        actor_name=quote.client.name,
    )
    client_notice_request(
        client=quote.client,
        document=quote,
        kind=ClientEmail.Kind.QUOTE_DECLINED,
        now=now,
    )
    return decline

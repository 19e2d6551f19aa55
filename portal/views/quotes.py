"""A quote answered from the portal: sign it, accept it, or decline it; and the
signed PDF.

Every page resolves the client by its token and the quote through the client
(`portal.selectors`), so another client's quote, a hidden one or a draft is
the same 404 as an unknown id. Answers are POSTs (CSRF-checked); a GET only
shows the form. What only the service can check under the quote's lock (a new
version, an answer that arrived first) comes back as a message on the page,
with nothing recorded.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clients.models import Client
from documents import status
from documents.models import Document, DocumentVersion
from portal import selectors
from portal.door import portal_visit, visit_of
from portal.forms import (
    QuoteAcceptForm,
    QuoteAnswerForm,
    QuoteDeclineForm,
    QuoteSignForm,
)
from portal.middleware import client_address
from portal.preview import preview_refuses_posts
from portal.views.page import page_context
from printing import downloads
from signing import services as signing_services


def _quote(
    request: HttpRequest, token: str, document_id: int
) -> tuple[Client, Document]:
    client = portal_visit(request, token).client
    document = selectors.portal_document(client=client, document_id=document_id)
    if document.kind != Document.Kind.QUOTE:
        raise Http404("Not a quote.")
    return client, document


def _latest(quote: Document) -> DocumentVersion:
    """The version a finalised quote shows now (it always has one)."""
    if quote.current_version is None:
        raise Http404("No version.")
    return quote.current_version


def _origin(request: HttpRequest) -> signing_services.RequestOrigin:
    return signing_services.RequestOrigin(
        ip_address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def _document_url(client: Client, quote: Document) -> str:
    return reverse(
        "portal:document",
        kwargs={"token": client.portal_token, "document_id": quote.pk},
    )


def _document_redirect(client: Client, quote: Document) -> HttpResponse:
    return HttpResponseRedirect(_document_url(client, quote), status=303)


def _answer_initial(version: DocumentVersion) -> dict:
    return {"version": version.number, "version_pdf_sha256": version.pdf_sha256}


def _refresh(quote: Document) -> Document:
    """The quote as it stands now, after a service refused on newer facts."""
    quote.refresh_from_db()
    if quote.current_version_id:
        quote.current_version = DocumentVersion.objects.for_company(quote.company).get(
            pk=quote.current_version_id
        )
    return quote


@dataclass(frozen=True)
class Answer:
    """One way to answer a quote: its form, page and service."""

    form_class: type[QuoteAnswerForm]
    template: str
    service: Callable[..., object]
    # True: a signature; False: an acceptance without one; None: a decline.
    signing: bool | None
    # The fields a client keeps when the page comes back for a newer version.
    kept: tuple[str, ...]


def _answer_form(
    answer: Answer,
    client: Client,
    version: DocumentVersion,
    data: QueryDict | None = None,
    kept: dict | None = None,
) -> QuoteAnswerForm:
    initial = _answer_initial(version) | (kept or {})
    options = {}
    if answer.signing is not None:
        initial.setdefault("signer_email", client.email)
        options["consent_text"] = signing_services.consent_text(
            version=version,
            language=translation.get_language(),
            signing=answer.signing,
        )
    return answer.form_class(data, initial=initial, **options)


def _answer_view(
    request: HttpRequest, token: str, document_id: int, answer: Answer
) -> HttpResponse:
    """Show the answer's form (GET) or record the answer (POST)."""
    client, quote = _quote(request, token, document_id)
    language = visit_of(request).language
    refusal = signing_services.quote_answer_refusal(
        quote=quote, now=timezone.now(), signing=answer.signing
    )
    if refusal and request.method != "POST":
        # Nothing to answer: the document's page shows where the quote stands.
        return _document_redirect(client, quote)
    form, error = None, refusal
    if not refusal:
        posted = request.POST if request.method == "POST" else None
        form = _answer_form(answer, client, _latest(quote), posted)
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            answer.service(
                quote=quote,
                language=language,
                origin=_origin(request),
                now=timezone.now(),
                **form.service_arguments(),
            )
        except (
            signing_services.QuoteVersionChanged,
            signing_services.QuotePdfNotReady,
        ) as exc:
            # The quote as it is now, with a fresh form for its latest version.
            quote, error = _refresh(quote), str(exc)
            kept = {name: data[name] for name in answer.kept}
            form = _answer_form(answer, client, _latest(quote), kept=kept)
        except signing_services.QuoteNotAnswerable as exc:
            quote, error, form = _refresh(quote), str(exc), None
        except signing_services.InvalidAnswer as exc:
            form.add_error(None, str(exc))
        else:
            return _document_redirect(client, quote)
    return _answer_page(request, client, quote, answer=answer, form=form, error=error)


def _answer_page(
    request: HttpRequest,
    client: Client,
    quote: Document,
    *,
    answer: Answer,
    form: QuoteAnswerForm | None,
    error: str,
    status_code: int | None = None,
) -> HttpResponse:
    version = _latest(quote)
    client_status = status.client_status(quote, timezone.localdate())
    ids = {"token": client.portal_token, "document_id": quote.pk}
    context = page_context(visit_of(request)) | {
        "document": quote,
        "version": version,
        "content": version.content,
        "status": client_status.value,
        "status_label": status.client_status_label(client_status, quote.kind),
        "form": form,
        "error": error,
        "pdf_ready": bool(version.pdf_sha256),
        "pdf_url": reverse(
            "portal:document_version_pdf", kwargs={**ids, "number": version.number}
        ),
        "document_url": reverse("portal:document", kwargs=ids),
    }
    if status_code is None:
        status_code = 200 if not error else 409
    return render(request, answer.template, context, status=status_code)


SIGN = Answer(
    form_class=QuoteSignForm,
    template="portal/quote_sign.html",
    service=signing_services.quote_sign,
    signing=True,
    kept=("signer_name", "signer_email"),
)
ACCEPT = Answer(
    form_class=QuoteAcceptForm,
    template="portal/quote_accept.html",
    service=signing_services.quote_accept_online,
    signing=False,
    kept=("signer_name", "signer_email"),
)
DECLINE = Answer(
    form_class=QuoteDeclineForm,
    template="portal/quote_decline.html",
    service=signing_services.quote_decline_online,
    signing=None,
    kept=("reason",),
)


ANSWERS = {"quote_sign": SIGN, "quote_accept": ACCEPT, "quote_decline": DECLINE}


def answer_too_large(request: HttpRequest) -> HttpResponse | None:
    """The answer's page with its error, for an answer whose request was too
    large to read at all (Django refuses it before any view: a drawing of
    megabytes); None for any other page. Nothing is recorded."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    answer = ANSWERS.get(match.url_name or "")
    if match.namespace != "portal" or answer is None:
        return None
    client, quote = _quote(request, match.kwargs["token"], match.kwargs["document_id"])
    if signing_services.quote_answer_refusal(
        quote=quote, now=timezone.now(), signing=answer.signing
    ):
        return _document_redirect(client, quote)
    error = (
        _(
            "The signature image is too large. Clear it and sign again, or type "
            "your name instead."
        )
        if answer is SIGN
        else _("What you sent is too large. Shorten it and send it again.")
    )
    form = _answer_form(answer, client, _latest(quote))
    return _answer_page(
        request, client, quote, answer=answer, form=form, error=error, status_code=413
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@preview_refuses_posts
def quote_sign(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """Sign the latest version of a quote: a drawing or the typed name, the
    signer's name and e-mail, and the consent quoting what is accepted."""
    return _answer_view(request, token, document_id, SIGN)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@preview_refuses_posts
def quote_accept_online(
    request: HttpRequest, token: str, document_id: int
) -> HttpResponse:
    """Accept the latest version of a quote that asks for no signature."""
    return _answer_view(request, token, document_id, ACCEPT)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@preview_refuses_posts
def quote_decline_online(
    request: HttpRequest, token: str, document_id: int
) -> HttpResponse:
    """Decline the latest version of a quote, with an optional reason."""
    return _answer_view(request, token, document_id, DECLINE)


@login_not_required
@require_safe
def quote_signed_pdf(
    request: HttpRequest, token: str, document_id: int
) -> HttpResponseBase:
    """The signed quote's sealed PDF (the version's PDF, the certificate page,
    the seal), once the client and the quote resolve. A quote of the client's
    that was not signed from the portal has none: its page says where it stands.
    """
    client, quote = _quote(request, token, document_id)
    signature = selectors.portal_quote_signature(client=client, document=quote)
    if signature is None:
        return _document_redirect(client, quote)
    return downloads.signed_pdf_response(request=request, signature=signature)


def quote_answer_context(
    request: HttpRequest, client: Client, quote: Document, *, can_answer: bool
) -> dict:
    """What a quote's own page shows of its answer: the Sign / Accept / Decline
    actions while it is open, who answered and how once it is answered."""
    ids = {"token": client.portal_token, "document_id": quote.pk}
    context: dict[str, Any] = {
        "sign_url": reverse("portal:quote_sign", kwargs=ids),
        "accept_url": reverse("portal:quote_accept", kwargs=ids),
        "decline_url": reverse("portal:quote_decline", kwargs=ids),
        "signed_pdf_url": reverse("portal:quote_signed_pdf", kwargs=ids),
        "answer": selectors.portal_quote_answer(client=client, document=quote),
        "accept_form": None,
    }
    if can_answer and not quote.requires_signature:
        # One click: the acceptance form sits on the quote's own page.
        context["accept_form"] = _answer_form(ACCEPT, client, _latest(quote))
    return context

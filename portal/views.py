"""The portal's pages: every one starts from the client its token resolves to.

Thin views: reads come from `portal.selectors`, formatting from the templates'
`document_format` filters, except the list's rows: the view formats them through
`documents.money` as those filters do, once per page rather than per cell. Only
the language switch is a POST, and it changes nothing but a cookie; no GET
changes anything.
"""

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from branding import images
from branding.selectors import Brand
from clients.models import Client
from documents import downloads, money
from documents.models import Document, DocumentEvent
from portal import selectors
from portal.forms import DocumentFilterForm, LanguageForm

LANGUAGE_COOKIE = "portal_language"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
ICON_CACHE_SECONDS = 24 * 3600
# What get_kind_display() shows, without its per-call hashing of every choice.
EVENT_LABELS = dict(DocumentEvent.Kind.choices)


def _portal_path(client: Client) -> str:
    return reverse("portal:home", kwargs={"token": client.portal_token})


def _language_activate(request: HttpRequest, client: Client) -> str:
    """The cookie's choice, else the client's language; active for this request."""
    known = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    if chosen in known:
        language = chosen
    elif client.locale in known:
        language = client.locale
    else:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _page_context(request: HttpRequest, client: Client, **context: object) -> dict:
    _language_activate(request, client)
    brand = selectors.portal_brand(client=client)
    return {
        "client": client,
        "company": client.company,
        "brand": brand,
        "brand_css": brand.palette.css_declarations(),
        "token": client.portal_token,
        **context,
    }


# A value no real id or version number takes, to find its segment in a URL.
_URL_MARKER = 987_654_321_012_345_678


def _url_maker(name: str, varying: str, **kwargs: object) -> Callable[[int], str]:
    """`reverse(name, kwargs={**kwargs, varying: value})` for any int `value`, from
    one reverse(): a page of rows costs one URL resolution, not one per row."""
    sample = reverse(name, kwargs={**kwargs, varying: _URL_MARKER})
    marker = f"/{_URL_MARKER}/"
    if sample.count(marker) != 1:
        raise ValueError(f"{name}: <{varying}> is not one whole segment of {sample}")
    head, _marker, tail = sample.partition(marker)
    return lambda value: f"{head}/{int(value)}/{tail}"


def _list_url(token: str, kind: str) -> str:
    name = "portal:invoices" if kind == Document.Kind.INVOICE else "portal:quotes"
    return reverse(name, kwargs={"token": token})


def _tabs(client: Client, current: str) -> list[dict]:
    counts = selectors.portal_tab_counts(client=client)
    token = client.portal_token
    return [
        {
            "kind": Document.Kind.INVOICE,
            "label": translation.gettext("Invoices"),
            "count": counts["invoice"],
            "url": _list_url(token, Document.Kind.INVOICE),
            "current": current == Document.Kind.INVOICE,
        },
        {
            "kind": Document.Kind.QUOTE,
            "label": translation.gettext("Quotes"),
            "count": counts["quote"],
            "url": _list_url(token, Document.Kind.QUOTE),
            "current": current == Document.Kind.QUOTE,
        },
    ]


def _document_list(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    client = selectors.portal_client(token=token)
    context = _page_context(request, client)
    form = DocumentFilterForm(request.GET or None, kind=kind)
    filters = form.filters() if request.GET else {"status": "", "number": ""}
    today = timezone.localdate()
    documents = selectors.portal_document_list(
        client=client, kind=kind, today=today, **filters
    )
    tabs = _tabs(client, kind)
    filtered = bool(filters["status"] or filters["number"])
    paginator = Paginator(documents, selectors.PAGE_SIZE)
    if not filtered:
        # Unfiltered, the tab's count is the list's: no second COUNT(*).
        paginator.count = next(tab["count"] for tab in tabs if tab["kind"] == kind)
    page = paginator.get_page(request.GET.get("page"))
    # Each row ready to print: one URL resolution and one locale for the page,
    # the same formatting as the document_format filters use.
    document_url = _url_maker("portal:document", "document_id", token=token)
    locale = translation.to_locale(translation.get_language())
    rows = []
    for document in page.object_list:
        status = document.client_status(today)
        # The due date of an invoice, the expiry date of a quote.
        deadline = (
            document.due_date if kind == Document.Kind.INVOICE else document.expiry_date
        )
        rows.append(
            {
                "id": document.pk,
                "number": document.number,
                "url": document_url(document.pk),
                "status": status,
                "status_label": selectors.client_status_label(kind, status),
                "amount": money.format_money(document.total, document.currency, locale),
                "issue_date": document.issue_date.isoformat(),
                "issue_day": money.format_day(document.issue_date, locale),
                "deadline": deadline.isoformat() if deadline else "",
                "deadline_day": money.format_day(deadline, locale) if deadline else "",
            }
        )
    context |= {
        "kind": kind,
        "tabs": tabs,
        "form": form,
        # The status <select>, written out in the template: Django's widget
        # templates cost more than the rest of the form.
        "status_field": form["status"],
        "status_choices": form.fields["status"].choices,
        "status_value": filters["status"],
        "filtered": filtered,
        "page_obj": page,
        "rows": rows,
        "list_url": next(tab["url"] for tab in tabs if tab["current"]),
    }
    return render(request, "portal/document_list.html", context)


@login_not_required
@require_safe
def home(request: HttpRequest, token: str) -> HttpResponse:
    """The link the client receives: its invoices tab."""
    return _document_list(request, token, Document.Kind.INVOICE)


@login_not_required
@require_safe
def invoice_list(request: HttpRequest, token: str) -> HttpResponse:
    return _document_list(request, token, Document.Kind.INVOICE)


@login_not_required
@require_safe
def quote_list(request: HttpRequest, token: str) -> HttpResponse:
    return _document_list(request, token, Document.Kind.QUOTE)


def _document_page(
    request: HttpRequest, token: str, document_id: int, number: int | None
) -> HttpResponse:
    client = selectors.portal_client(token=token)
    document = selectors.portal_document(client=client, document_id=document_id)
    if number is None:
        version = document.current_version
    else:
        version = selectors.portal_document_version(
            client=client, document=document, number=number
        )
    if version is None:  # a finalised document always has one; be safe anyway
        raise Http404("No version.")
    context = _page_context(request, client)
    status = document.client_status(timezone.localdate())
    latest_number = document.current_version.number if document.current_version else 0
    ids = {"token": token, "document_id": document.pk}
    document_url = reverse("portal:document", kwargs=ids)
    version_url = _url_maker("portal:document_version", "number", **ids)
    pdf_url = _url_maker("portal:document_version_pdf", "number", **ids)
    history = selectors.portal_document_history(client=client, document=document)
    versions = [
        {
            **item,
            # As the date:'c' filter writes it, without its cost per item.
            "created_at_iso": timezone.localtime(item["created_at"]).isoformat(),
            # The latest version's page is the document's own.
            "url": document_url
            if item["number"] == latest_number
            else version_url(item["number"]),
            "pdf_url": pdf_url(item["number"]),
        }
        for item in history["versions"]
    ]
    events = [
        {
            **event,
            "at_iso": timezone.localtime(event["at"]).isoformat(),
            "label": EVENT_LABELS.get(event["kind"], event["kind"]),
        }
        for event in history["events"]
    ]
    context |= {
        "document": document,
        "document_url": document_url,
        "version": version,
        "pdf_url": pdf_url(version.number),
        "content": version.content,
        "status": status,
        "status_label": selectors.client_status_label(document.kind, status),
        "superseded": version.number != latest_number,
        "latest_number": latest_number,
        "versions": versions,
        "events": events,
        "list_url": _list_url(token, document.kind),
    }
    return render(request, "portal/document_detail.html", context)


@login_not_required
@require_safe
def document_detail(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """A document as it stands now: its latest version, versions and history."""
    return _document_page(request, token, document_id, None)


@login_not_required
@require_safe
def document_version_detail(
    request: HttpRequest, token: str, document_id: int, number: int
) -> HttpResponse:
    """Any version of a document; an older one is shown as superseded."""
    return _document_page(request, token, document_id, number)


@login_not_required
@require_safe
def document_version_pdf(
    request: HttpRequest, token: str, document_id: int, number: int
) -> HttpResponse:
    """The PDF of one version, once the client, document and version all resolve."""
    client = selectors.portal_client(token=token)
    document = selectors.portal_document(client=client, document_id=document_id)
    version = selectors.portal_document_version(
        client=client, document=document, number=number
    )
    return downloads.version_pdf_response(request=request, version=version)


def _logo_bytes(brand: Brand) -> bytes | None:
    if not brand.has_logo:
        return None
    try:
        with default_storage.open(brand.logo_name, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        return None


@login_not_required
@require_safe
def brand_logo(request: HttpRequest, token: str) -> HttpResponse:
    """The company's logo, from our origin (the CSP allows no other for images)."""
    client = selectors.portal_client(token=token)
    logo = _logo_bytes(selectors.portal_brand(client=client))
    if logo is None:
        raise Http404("No logo.")
    return HttpResponse(logo, content_type="image/png")


@login_not_required
@require_safe
def brand_icon(request: HttpRequest, token: str, size: int) -> HttpResponse:
    """A square home-screen icon made from the logo (or the initial), 192 or 512 px."""
    if size not in images.ICON_SIZES:
        raise Http404("No such icon.")
    client = selectors.portal_client(token=token)
    brand = selectors.portal_brand(client=client)
    key = f"portal:icon:{client.company_id}:{brand.version}:{size}"
    icon = cache.get(key)
    if icon is None:
        icon = images.icon_png(
            logo_png=_logo_bytes(brand),
            size=size,
            background=brand.palette.primary.background,
            foreground=brand.palette.primary.text,
            letter=brand.name[:1],
        )
        cache.set(key, icon, ICON_CACHE_SECONDS)
    return HttpResponse(icon, content_type="image/png")


@login_not_required
@require_safe
def manifest(request: HttpRequest, token: str) -> HttpResponse:
    """The web app manifest: add the branded portal to a phone's home screen."""
    client = selectors.portal_client(token=token)
    _language_activate(request, client)
    brand = selectors.portal_brand(client=client)
    start = _portal_path(client)
    body = {
        "name": brand.name,
        "short_name": brand.name[:12],
        "description": translation.gettext("Your quotes and invoices from %(company)s")
        % {"company": brand.name},
        "lang": translation.get_language(),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "theme_color": brand.palette.primary.background,
        "background_color": "#FFFFFF",
        "icons": [
            {
                "src": reverse("portal:icon", kwargs={"token": token, "size": size}),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in images.ICON_SIZES
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@login_not_required
@require_POST
def language_set(request: HttpRequest, token: str) -> HttpResponse:
    """Remember the client's language in a cookie for this portal, then go back."""
    client = selectors.portal_client(token=token)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown language.", content_type="text/plain")
    home_path = _portal_path(client)
    target = form.cleaned_data["next"]
    if not (
        target.startswith(home_path)
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    ):
        target = home_path
    response = HttpResponseRedirect(target, status=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.cleaned_data["language"],
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path=home_path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response

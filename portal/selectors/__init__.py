# ruff: noqa: E402 (the package's modules are imported last: they read the helpers here)
"""Reads for the portal: everything starts from the client a token resolves to.

What the client sees of a document's status (overdue, expired, awaiting
signature) depends on today's date, so lists read it from the database
(`documents.status`): they are filtered and ordered there, most urgent first,
and pagination stays a LIMIT/OFFSET.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import overload

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.html import conditional_escape

from branding.selectors import (
    Brand,
    brand_from_values,
    brand_logo_plate,
    brand_values,
)
from clients.models import Client
from documents.models import (
    Document,
    DocumentQuerySet,
)
from documents.status import (
    CLIENT_STATUSES,
    DocumentWithClientStatus,
    awaiting_client,
    with_client_status,
)
from payments.selectors import checkout_session_of
from portal.selectors.link import PortalLink as PortalLink
from portal.selectors.link import portal_client as portal_client
from portal.selectors.link import portal_client_of as portal_client_of
from portal.selectors.link import portal_link as portal_link
from portal.selectors.link import portal_token_known as portal_token_known
from portal.selectors.link import revision_key as revision_key

INVOICE = Document.Kind.INVOICE
QUOTE = Document.Kind.QUOTE
CREDIT_NOTE = Document.Kind.CREDIT_NOTE
# The kinds each tab lists: credit notes sit with the invoices they correct.
TAB_KINDS: dict[str, tuple[str, ...]] = {
    INVOICE: (INVOICE, CREDIT_NOTE),
    QUOTE: (QUOTE,),
}

# Rows per page of the invoice and quote lists.
PAGE_SIZE = 20

# Only what a list row shows is read.
LIST_FIELDS = (
    "id",
    "kind",
    "number",
    "status",
    "currency",
    "issue_date",
    "due_date",
    "expiry_date",
    "requires_signature",
    "total",
    "amount_paid",
    "amount_refunded",
    "amount_processing",
    "amount_credited",
)


# The parts of an event's details that the client's history shows.
HISTORY_DETAILS = (
    "amount",
    "currency",
    "method",
    "paid_on",
    "credit_note",
    "owed_back",
)

# Reads cached under the client's portal revision live this long: the key moves on
# with every change, so this only bounds how long an abandoned key lingers.
REVISION_CACHE_SECONDS = 24 * 3600


def _open_portals() -> QuerySet[Client]:
    """The clients whose portal opens (`Client.has_portal`), with their company."""
    # unscoped: the reads without a company, since a link or a session names it.
    return Client.objects.with_portal().select_related("company")


# A client comes back from Checkout within minutes of opening it; Stripe keeps
# a session open 24 hours at most.
CHECKOUT_RETURN_WINDOW = dt.timedelta(hours=25)


def portal_checkout_return(
    *, session_id: str, now: dt.datetime
) -> tuple[Client, Document]:
    """The client and the invoice of the Checkout Session a client comes back
    from. The way back carries the session alone, never the link (which would
    then be Stripe's to keep), so the session opens the page only as the link
    would, and only while it is the link the session was opened under.

    :raises Http404: not a session of ours, older than a day, opened before
        the link was rotated, or whose portal or invoice no longer opens.
    """
    checkout = checkout_session_of(session_id=session_id)
    if checkout is None or now - checkout.created_at > CHECKOUT_RETURN_WINDOW:
        raise Http404("No portal here.")
    clients = _open_portals().filter(pk=checkout.invoice.client_id)
    client = next(iter(clients[:1]), None)
    if client is None or checkout.created_at < client.portal_token_issued_at:
        raise Http404("No portal here.")
    return client, portal_document(client=client, document_id=checkout.invoice_id)


def portal_documents(*, client: Client) -> DocumentQuerySet[Document]:
    """The client's finalised documents that are not hidden from its portal."""
    return (
        Document.objects.for_company(client.company)
        .filter(client=client)
        .visible_in_portal()
    )


# What a rendered page is made of besides the data: a new release that changes
# any of them must not serve pages rendered by the previous one (with links to
# stylesheets that are gone, or words that changed).
PAGE_SOURCES = (
    "portal/**/*.py",
    "portal/templates/**/*.html",
    "documents/templates/**/*.html",
    "documents/templatetags/*.py",
    "static/portal/*",
    "locale/*/LC_MESSAGES/*.mo",
)


@functools.lru_cache(maxsize=1)
def portal_code_version() -> str:
    """A digest of the code and files portal pages are rendered from, read once
    per process."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for pattern in PAGE_SOURCES:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def portal_page_key(
    *,
    client: Client | PortalLink | None = None,
    digest: str = "",
    language: str,
    today: dt.date,
    path: str,
) -> str:
    """Where a rendered page of the client's portal is cached, found before
    anything is read from the database: by the link's digest, the language the
    visitor chose ("" for the client's own), the day (a status such as overdue
    changes with the date alone), the release (`portal_code_version`) and the
    path. The entry says which revision and language it was rendered at: it
    is served only when the link's row says the same (portal.views.page)."""
    if isinstance(client, PortalLink):
        digest = client.token_digest
    elif client is not None:
        digest = client.portal_token_digest
    path_digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    return (
        f"portal:page:{portal_code_version()}:{language}:{today.isoformat()}:"
        f"{digest[:32]}:{path_digest}"
    )


def portal_tab_counts(*, client: Client) -> dict[str, int]:
    """How many invoices and quotes the client has: one query, then cached."""
    key = revision_key(client, "tab-counts")
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = portal_documents(client=client).aggregate(
            invoice=Count("pk", filter=Q(kind__in=TAB_KINDS[INVOICE])),
            quote=Count("pk", filter=Q(kind__in=TAB_KINDS[QUOTE])),
        )
        cache.set(key, counts, REVISION_CACHE_SECONDS)
    return counts


def portal_brand(*, client: Client) -> Brand:
    """The brand of the client's company: one query, then cached as plain values.

    `brand_kit_save` bumps the revision of every client of the company.
    """
    key = revision_key(client, "brand")
    cached = cache.get(key)
    if cached is None:
        cached = {"kit": brand_values(company=client.company)}
        cache.set(key, cached, REVISION_CACHE_SECONDS)
    return brand_from_values(company=client.company, values=cached["kit"])


def portal_brand_style(*, brand: Brand) -> str:
    """The brand's colours as the text of a page's inline <style>: rebuilt
    #RRGGBB values only (branding.colours), escaped all the same."""
    return str(conditional_escape(f":root {{ {brand.palette.css_declarations()} }}"))


def portal_logo_plate(*, client: Client, brand: Brand) -> str:
    """The surface the logo needs on the header ("", "light", "dark"): the
    logo is read and measured once, then cached (a new logo or colour is a
    brand kit saved, which bumps the revision)."""
    if not brand.has_logo:
        return ""
    key = revision_key(client, f"logo-plate:{brand.version}")
    plate: str | None = cache.get(key)
    if plate is None:
        plate = brand_logo_plate(brand=brand)
        cache.set(key, plate, REVISION_CACHE_SECONDS)
    return plate


class UrgentFirst:
    """A tab's documents, most urgent first, read as two index-ordered parts.

    First the open ones (an invoice to pay, a quote awaiting an answer) by
    deadline, soonest first, so an overdue invoice leads; then all the others,
    newest first. Each part is its own query that the database answers from an
    index, so a page costs about the same for ten documents or ten thousand:
    nothing sorts the whole tab to show twenty rows. Paginator takes it as is.
    """

    def __init__(
        self,
        *,
        urgent: QuerySet[DocumentWithClientStatus],
        rest: QuerySet[DocumentWithClientStatus],
    ) -> None:
        self.urgent, self.rest = urgent, rest
        self._urgent_count: int | None = None

    @property
    def urgent_count(self) -> int:
        if self._urgent_count is None:
            self._urgent_count = self.urgent.count()
        return self._urgent_count

    def count(self) -> int:
        return self.urgent_count + self.rest.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[DocumentWithClientStatus]:
        return iter(self[:])

    @overload
    def __getitem__(self, window: int) -> DocumentWithClientStatus: ...

    @overload
    def __getitem__(self, window: slice) -> list[DocumentWithClientStatus]: ...

    def __getitem__(
        self, window: slice | int
    ) -> list[DocumentWithClientStatus] | DocumentWithClientStatus:
        if isinstance(window, int):
            return self[window : window + 1][0]
        start: int = window.start or 0
        stop: int | None = window.stop
        if start == 0 and self._urgent_count is None:
            # The first page needs no COUNT(*) of the open part: reading it up
            # to `stop` tells how many there are, when there are fewer.
            rows = list(self.urgent[:stop])
            if stop is not None and len(rows) == stop:
                return rows
            self._urgent_count = len(rows)
            return rows + list(self.rest[: None if stop is None else stop - len(rows)])
        head = self.urgent_count
        rows = list(self.urgent[start:stop]) if start < head else []
        rest_start = max(start - head, 0)
        rest_stop = None if stop is None else max(stop - head, 0)
        if rest_stop is None or rest_stop > rest_start:
            rows += list(self.rest[rest_start:rest_stop])
        return rows


def portal_document_list(
    *, client: Client, kind: str, today: dt.date, status: str = "", number: str = ""
) -> UrgentFirst:
    """One tab of the portal: filtered, most urgent first, ready to paginate.

    Each row carries its `client_status` (documents.status), the same
    annotation the status filter selects on."""
    documents = with_client_status(
        portal_documents(client=client)
        .filter(kind__in=TAB_KINDS[kind])
        .only(*LIST_FIELDS),
        today,
    )
    if status in CLIENT_STATUSES[kind]:
        documents = documents.filter(client_status=status)
    if number:
        documents = documents.filter(number__icontains=number)
    # Sorting open invoices by due date puts the overdue ones first.
    deadline = "due_date" if kind == INVOICE else "expiry_date"
    waiting = awaiting_client(kind, today)
    return UrgentFirst(
        urgent=documents.filter(waiting).order_by(
            F(deadline).asc(nulls_last=True), "-issue_date", "-pk"
        ),
        rest=documents.exclude(waiting).order_by("-issue_date", "-pk"),
    )


def portal_document(*, client: Client, document_id: int) -> Document:
    """One of the client's visible documents, with its current version.

    :raises Http404: unknown id, another client's or company's, hidden, draft.
    """
    document: Document = get_object_or_404(
        portal_documents(client=client).select_related("current_version"),
        pk=document_id,
    )
    return document


# Imported last: it reads the helpers above (a package, as CONVENTIONS asks
# past ~400 lines; the rest may follow it out of this file).
from portal.selectors.balance import portal_balance as portal_balance
from portal.selectors.balance import (
    portal_declared_transfers as portal_declared_transfers,
)
from portal.selectors.balance import (
    portal_payable_invoices as portal_payable_invoices,
)
from portal.selectors.document import (
    portal_document_events as portal_document_events,
)
from portal.selectors.document import (
    portal_document_history as portal_document_history,
)
from portal.selectors.document import (
    portal_document_version as portal_document_version,
)
from portal.selectors.document import (
    portal_document_versions as portal_document_versions,
)
from portal.selectors.document import (
    portal_invoice_payment as portal_invoice_payment,
)
from portal.selectors.document import (
    portal_quote_answer as portal_quote_answer,
)
from portal.selectors.document import (
    portal_quote_signature as portal_quote_signature,
)
from portal.selectors.document import (
    portal_related_documents as portal_related_documents,
)

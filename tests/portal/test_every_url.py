"""Every portal URL, present and future, answers the same 404 for what the
client may not see: another client's or company's document, a hidden one, a
draft (the portal's own branded page, one for all), and a rotated, disabled
or unknown link, a company without the add-on (one page that names nothing).

The URLs are read from the `portal` namespace itself, so a new page inherits the
rule; a new URL parameter makes the test say what to teach it.
"""

import re
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from branding.services import brand_kit_save
from clients import services as client_services
from documents import status
from documents.models import Document
from payments.models import Receipt, TransferBatchLine
from payments.services import payment_record, transfer_batch_open
from tests.branding.helpers import image_bytes, upload
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.portal.helpers import hide, invoice, quote

pytestmark = pytest.mark.django_db


def _portal_patterns() -> dict[str, list[str]]:
    _prefix, resolver = get_resolver().namespace_dict["portal"]
    return {
        pattern.name: sorted(pattern.pattern.converters)
        for pattern in resolver.url_patterns
        if pattern.name
    }


PATTERNS = _portal_patterns()


def _receipt_id(document_id: int) -> int:
    """The receipt of a payment on the document (paid now when it can be)."""
    # unscoped: the test names the document itself, whatever its company
    document = Document.objects.get(pk=document_id)
    receipts = Receipt.objects.filter(invoice=document)
    if not receipts.exists() and status.is_payable(document):
        payment_record(
            invoice=document, amount=Decimal(1), method="manual", actor=None, now=NOW
        )
    receipt = receipts.first()
    return receipt.pk if receipt is not None else 10**9


def _batch_id(document_id: int) -> str:
    """A transfer paying the invoice with another of its client's ("x" for
    anything else: no such transfer)."""
    # unscoped: the test names the document itself, whatever its company
    document = Document.objects.get(pk=document_id)
    # unscoped: as above
    line = TransferBatchLine.objects.filter(invoice=document).first()
    if line is not None:  # asked for again (declared meanwhile, perhaps)
        return line.batch.public_id
    if not status.is_payable(document):
        return "x" * 24
    batch = transfer_batch_open(
        client=document.client, invoices=[document, invoice(document.client)], now=NOW
    )
    return batch.public_id


def _kwargs(name: str, token: str, document_id: int) -> dict:
    values = {"token": token, "document_id": document_id, "number": 1, "size": 192}
    if "receipt_id" in PATTERNS[name]:
        values["receipt_id"] = _receipt_id(document_id)
    if "batch_id" in PATTERNS[name]:
        values["batch_id"] = _batch_id(document_id)
    unknown = set(PATTERNS[name]) - set(values)
    assert not unknown, f"teach test_every_url the parameters {unknown} of {name}"
    return {key: values[key] for key in PATTERNS[name]}


def _fetch(http, path: str):
    """GET, or POST when the page takes only POST (as the language switch)."""
    response = http.get(path)
    if response.status_code == 405:
        response = http.post(path)
    return response


@pytest.fixture
def portal():
    client = ClientFactory()

    brand_kit_save(
        company=client.company,
        actor=None,
        now=NOW,
        display_name="Acme",
        primary_colour="#1F3A5F",
        accent_colour="#E07A1F",
        logo=upload(image_bytes("PNG", size=(200, 100))),
    )
    return client


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_what_the_client_may_not_see_is_the_same_404(client, settings, portal, name):
    settings.PORTAL_MISS_LIMIT = 1000
    neighbour = ClientFactory(company=portal.company)
    stranger = ClientFactory()
    without_addon = ClientFactory(company__has_receivables_addon=False)

    # The page answers for the client's own visible documents: an invoice or a
    # quote, whichever this page is about.
    own = {"invoice": invoice(portal), "quote": quote(portal)}
    answering = [
        kind
        for kind, document in own.items()
        if _fetch(
            client,
            reverse(
                f"portal:{name}", kwargs=_kwargs(name, portal.portal_token, document.pk)
            ),
        ).status_code
        != 404
    ]
    assert answering, f"portal:{name} answers 404 even for the client's own documents"
    kind = answering[0]
    hidden = invoice(portal) if kind == "invoice" else quote(portal)
    hide(hidden)
    cases = {
        "neighbour's document": (
            portal,
            invoice(neighbour) if kind == "invoice" else quote(neighbour),
        ),
        "another company's document": (
            portal,
            invoice(stranger) if kind == "invoice" else quote(stranger),
        ),
        "hidden document": (portal, hidden),
        "draft": (portal, DocumentFactory(client=portal, kind=kind)),
        "company without the add-on": (
            without_addon,
            DocumentFactory(client=without_addon, kind=kind, finalised=True),
        ),
    }
    paths = {
        case: reverse(
            f"portal:{name}", kwargs=_kwargs(name, owner.portal_token, document.pk)
        )
        for case, (owner, document) in cases.items()
        # Pages that name no document are about the link alone.
        if "document_id" in PATTERNS[name] or case == "company without the add-on"
    }
    own_path = reverse(
        f"portal:{name}", kwargs=_kwargs(name, portal.portal_token, own[kind].pk)
    )
    paths["unknown link"] = own_path.replace(portal.portal_token, "x" * 43)
    switched_off = ClientFactory(company=portal.company)
    switched_off_document = (
        invoice(switched_off) if kind == "invoice" else quote(switched_off)
    )
    client_services.client_portal_disable(client=switched_off, actor=None, now=NOW)
    paths["disabled link"] = reverse(
        f"portal:{name}",
        kwargs=_kwargs(name, switched_off.portal_token, switched_off_document.pk),
    )
    answers = {case: _fetch(client, path) for case, path in paths.items()}
    client_services.client_portal_rotate(client=portal, actor=None, now=NOW)
    paths["rotated link"] = own_path
    answers["rotated link"] = _fetch(client, own_path)

    assert {case: response.status_code for case, response in answers.items()} == {
        case: 404 for case in paths
    }
    # A link that opens no portal: one page, naming nothing.
    link_bodies = {
        response.content
        for case, response in answers.items()
        if case not in INSIDE_THE_PORTAL
    }
    assert len(link_bodies) == 1, f"portal:{name} tells its 404s apart"
    # Inside the client's portal: its own branded page, the same whatever the
    # document (the visitor's CSRF token aside).
    inside = {
        _without_csrf_token(response.content)
        for case, response in answers.items()
        if case in INSIDE_THE_PORTAL
    }
    assert len(inside) <= 1, f"portal:{name} tells its documents' 404s apart"
    assert not inside & link_bodies


INSIDE_THE_PORTAL = {
    "neighbour's document",
    "another company's document",
    "hidden document",
    "draft",
}


def _without_csrf_token(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

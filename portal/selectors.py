"""Reads for the portal: everything starts from the client a token resolves to."""

import hmac

from django.http import Http404

from clients.models import Client
from clients.services import portal_token_digest
from documents.models import Document, DocumentQuerySet


def portal_client(*, token: str) -> Client:
    """The client whose portal link this is.

    :raises Http404: unknown or rotated token, or a company without the
        Accounts Receivable add-on; all look the same from outside.
    """
    client = (
        # unscoped: the one read not scoped by company, as the token names the company
        Client.objects.select_related("company")
        .filter(
            portal_token_digest=portal_token_digest(token),
            company__has_receivables_addon=True,
        )
        .first()
    )
    if client is None or not hmac.compare_digest(client.portal_token, token):
        raise Http404("No portal here.")
    return client


def portal_documents(*, client: Client) -> DocumentQuerySet:
    """The client's finalised documents that are not hidden from its portal."""
    return Document.objects.for_company(client.company).filter(client=client).visible_in_portal()

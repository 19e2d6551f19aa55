from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from clients.models import Client


def client_portal_url(*, client: Client) -> str:
    """The full address of the client's portal, for e-mails and the back office."""
    path = reverse("portal:home", args=[client.portal_token])
    base: str = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path


def client_likely_duplicates(*, client: Client) -> QuerySet[Client]:
    """Other clients of the company that are probably this one: the same
    e-mail address, or the same name whatever its case. Archived ones too."""
    same = Q(name__iexact=client.name.strip())
    if client.email:
        same |= Q(email__iexact=client.email.strip())
    return (
        Client.objects.for_company(client.company)
        .filter(same)
        .exclude(pk=client.pk)
        .order_by("name", "-pk")
    )

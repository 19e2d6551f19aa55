from django.conf import settings
from django.urls import reverse

from clients.models import Client


def client_portal_url(*, client: Client) -> str:
    """The full address of the client's portal, for e-mails and the back office."""
    path = reverse("portal:home", args=[client.portal_token])
    base: str = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path

"""E-mails to clients about their documents."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from clients.selectors import client_portal_url
from documents.models import Document


def document_sent_notify(*, document_id: int) -> None:
    """E-mail the client that a document awaits it, with its portal link."""
    # unscoped: runs on commit of the service that scoped this document
    document = Document.objects.select_related("client", "company").get(pk=document_id)
    client = document.client
    with translation.override(client.locale):
        context = {
            "document": document,
            "client": client,
            "company": document.company,
            "portal_url": client_portal_url(client=client),
        }
        subject = render_to_string("emails/document_sent_subject.txt", context).strip()
        body = render_to_string("emails/document_sent.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [client.email])

"""Background work for documents, through the tasks API (django-tasks)."""

from django_tasks import task

from documents.models import DocumentVersion, QuoteSignature
from documents.pdf_store import version_pdf_ensure


@task()
def version_render_pdf(version_id: int) -> str:
    """Render and store a new version's PDF; a no-op if it is already there.

    Returns the version's PDF SHA-256.
    """
    # unscoped: a task receives only the id of a version a service just wrote.
    version = DocumentVersion.objects.get(pk=version_id)
    return version_pdf_ensure(version=version).pdf_sha256


@task()
def quote_signature_render_pdf(signature_id: int) -> str:
    """Make and store a signed quote's sealed PDF; a no-op if it is there.

    Returns the signed PDF's SHA-256.
    """
    # Imported here: pyHanko loads only in the processes that seal.
    from documents.signed_pdf import signed_pdf_ensure

    # unscoped: a task receives only the id of a signature a service just wrote.
    signature = QuoteSignature.objects.get(pk=signature_id)
    return signed_pdf_ensure(signature=signature).signed_pdf_sha256


@task()
def client_email_deliver(email_id: int) -> str:
    """Deliver one e-mail to a client (retried with backoff); returns its status."""
    from documents.services.delivery import client_email_deliver as deliver

    return deliver(email_id=email_id)


@task()
def event_members_notify(event_id: int) -> int:
    """E-mail the company's owners and admins what a client did; how many."""
    from documents.notifications import event_members_notify as notify

    return notify(event_id=event_id)

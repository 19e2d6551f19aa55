"""Sealing signed quotes, through the tasks API (django-tasks)."""

from django_tasks import task

from documents.models import QuoteSignature


@task()
def quote_signature_render_pdf(signature_id: int) -> str:
    """Make and store a signed quote's sealed PDF; a no-op if it is there.

    Returns the signed PDF's SHA-256.
    """
    # Imported here: pyHanko loads only in the processes that seal.
    from signing.signed_pdf import signed_pdf_ensure

    # unscoped: a task receives only the id of a signature a service just wrote.
    signature = QuoteSignature.objects.get(pk=signature_id)
    return signed_pdf_ensure(signature=signature).signed_pdf_sha256

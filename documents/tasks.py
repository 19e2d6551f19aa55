"""Background work for documents, through the tasks API (django-tasks)."""

from django_tasks import task

from documents.models import DocumentVersion
from documents.pdf_store import version_pdf_ensure


@task()
def version_render_pdf(version_id: int) -> str:
    """Render and store a new version's PDF; a no-op if it is already there.

    Returns the version's PDF SHA-256.
    """
    # unscoped: a task receives only the id of a version a service just wrote.
    version = DocumentVersion.objects.get(pk=version_id)
    return version_pdf_ensure(version=version).pdf_sha256

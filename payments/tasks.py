"""Payments' work off the request path, through the tasks API (django-tasks)."""

from django_tasks import task

from payments.models import Receipt
from payments.receipt_printing import receipt_pdf_ensure


@task()
def receipt_render_pdf(receipt_id: int) -> str:
    """Print and store a receipt's PDF; a no-op if it is there. Returns its
    SHA-256. (Its e-mail prints it too if this has not run yet.)"""
    # unscoped: a task receives only the id of a receipt a service just wrote
    receipt = Receipt.objects.select_related("invoice__company", "client").get(
        pk=receipt_id
    )
    return receipt_pdf_ensure(receipt=receipt).pdf_sha256

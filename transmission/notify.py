"""The owner hears at once of a status that asks for them: refused (210),
rejected (213), inadmissible (501), disputed (207)."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from companies.models import Membership
from documents.back_office import document_admin_url
from transmission.models import LifecycleStatus

logger = logging.getLogger(__name__)


def lifecycle_owner_notify(*, status_pk: int) -> int:
    """E-mail the company's owners and admins; how many were sent."""
    # unscoped: a task receives only the id of a status a service wrote
    status = LifecycleStatus.objects.select_related("document", "company").get(
        pk=status_pk
    )
    company = status.company
    members = (
        Membership.objects.filter(
            company=company,
            role__in=(Membership.Role.OWNER, Membership.Role.ADMIN),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__email", "pk")
    )
    base = settings.PORTAL_BASE_URL.rstrip("/")
    with translation.override(company.default_locale):
        values = {
            "number": status.document.number,
            "status": status.get_code_display(),
        }
        subject = _("%(number)s: %(status)s on the e-invoicing platform") % values
        lines = [subject]
        if status.reason or status.reason_code:
            lines.append(
                _("Reason: %(reason)s")
                % {
                    "reason": " ".join(
                        filter(None, [status.reason_code, status.reason])
                    )
                }
            )
        lines += ["", base + document_admin_url(status.document)]
        body = "\n".join(lines)
    sent = 0
    with get_connection() as connection:
        for membership in members:
            message = EmailMessage(
                f"{company.name}: {subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [membership.user.email],
                connection=connection,
            )
            try:
                sent += message.send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("Status e-mail %s not sent (%s)", status_pk, exc)
    return sent


@task()
def lifecycle_owner_notify_task(status_pk: int) -> int:
    return lifecycle_owner_notify(status_pk=status_pk)


def lifecycle_owner_notify_enqueue(status_pk: int) -> None:
    lifecycle_owner_notify_task.enqueue(status_pk)

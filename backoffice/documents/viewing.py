"""What the back office shows of a document's journey to its client: when it
was last viewed ("Viewed 27 Nov, 14:02"), and how its e-mails fared."""

from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from documents.models import ClientEmail, Document, DocumentEvent


def last_view_annotations() -> dict[str, Subquery]:
    """`last_viewed_at` and `last_viewed_version` of each document (one
    subquery each, on the event index)."""
    # unscoped: correlated to the outer, company-scoped document row
    views = DocumentEvent.objects.filter(
        document=OuterRef("pk"), kind=DocumentEvent.Kind.VIEWED
    ).order_by("-at", "-pk")
    return {
        "last_viewed_at": Subquery(views.values("at")[:1]),
        "last_viewed_version": Subquery(views.values("version__number")[:1]),
    }


def viewed_label(document: Document) -> str:
    """ "Viewed 27 Nov, 14:02" (and which version, once there are several);
    "Not viewed yet" for a document no browser opened."""
    at = getattr(document, "last_viewed_at", None)
    if at is None:
        return _("Not viewed yet") if not document.is_draft else "—"
    when = formats.date_format(timezone.localtime(at), "j M, H:i")
    number = getattr(document, "last_viewed_version", None)
    current = document.current_version
    if number and current is not None and current.number > 1:
        return _("Viewed %(when)s (version %(number)s)") % {
            "when": when,
            "number": number,
        }
    return _("Viewed %(when)s") % {"when": when}


def sending_notices(document: Document) -> list[dict[str, str]]:
    """Warnings for the document's page: a failed e-mail, a new version not
    sent yet to a client who received an earlier one."""
    notices = []
    emails = list(
        ClientEmail.objects.for_company(document.company)
        .filter(document=document, kind=ClientEmail.Kind.DOCUMENT)
        .select_related("version")
        .order_by("-requested_at", "-pk")[:20]
    )
    latest = emails[0] if emails else None
    if latest is not None and latest.status == ClientEmail.Status.FAILED:
        notices.append(
            {
                "level": "error",
                "text": _(
                    "The last e-mail of this document could not be delivered "
                    "to %(to)s: %(error)s. Check the address, then send it again."
                )
                % {"to": ", ".join(latest.recipients), "error": latest.last_error},
            }
        )
    sent_versions = {
        email.version.number
        for email in emails
        if email.version is not None and email.status != ClientEmail.Status.FAILED
    }
    current = document.current_version
    if (
        current is not None
        and sent_versions
        and current.number not in sent_versions
        and not document.hidden_from_portal
    ):
        notices.append(
            {
                "level": "warning",
                "text": _(
                    "Version %(number)s has not been sent to the client yet: "
                    "they received an earlier version. Send it again?"
                )
                % {"number": current.number},
                "action": "send",
            }
        )
    return notices

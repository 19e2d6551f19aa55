"""What the business hears of its clients: e-mails to owners and admins, and
the same lines in the back office's recent-activity feed.

`documents.events` schedules `event_members_notify` on commit for the kinds in
`events.NOTIFYING_KINDS` when no member caused the event.
"""

import logging
import smtplib
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from companies.models import Membership
from companies.money import format_money
from companies.references import grouped
from documents.back_office import document_admin_url
from documents.events import NOTIFYING_KINDS
from documents.models import Document, DocumentEvent

logger = logging.getLogger(__name__)


def _document_name(document: Document) -> str:
    # With its article where the language needs one ("la facture", "le devis").
    if document.kind == Document.Kind.INVOICE:
        return pgettext("activity", "invoice %(number)s") % {"number": document.number}
    if document.kind == Document.Kind.CREDIT_NOTE:
        return pgettext("activity", "credit note %(number)s") % {
            "number": document.number
        }
    return pgettext("activity", "quote %(number)s") % {"number": document.number}


def activity_text(event: DocumentEvent) -> str:
    """One line for what a client did, in the active language."""
    document = event.document
    values = {
        "client": document.client.name,
        "document": _document_name(document),
    }
    kind = event.kind
    if kind == DocumentEvent.Kind.VIEWED:
        version = event.details.get("version")
        if version and version != 1:
            values["version"] = version
            return _("%(client)s opened %(document)s (version %(version)s)") % values
        return _("%(client)s opened %(document)s") % values
    if kind == DocumentEvent.Kind.PAYMENT_RECEIVED:
        locale = translation.to_locale(translation.get_language())
        amount = event.details.get("amount")
        currency = str(event.details.get("currency") or document.currency)
        if amount:
            values["amount"] = format_money(amount, currency, locale)
            return _("%(client)s paid %(amount)s on %(document)s") % values
        return _("%(client)s paid %(document)s") % values
    if kind == DocumentEvent.Kind.SIGNED:
        return _("%(client)s signed %(document)s") % values
    if kind == DocumentEvent.Kind.ACCEPTED:
        return _("%(client)s accepted %(document)s") % values
    if kind == DocumentEvent.Kind.DECLINED:
        return _("%(client)s declined %(document)s") % values
    if kind == DocumentEvent.Kind.SENT:
        # A member's doing, shown in the back office's feed only (never e-mailed).
        if event.actor_name:
            values["member"] = event.actor_name
            return _("%(member)s sent %(document)s to %(client)s") % values
        return _("%(document)s sent to %(client)s") % values
    if kind == "transfer_declared":
        batch = event.details.get("batch")
        if isinstance(batch, dict) and batch.get("invoices"):
            values["reference"] = grouped(str(batch.get("reference", "")))
            values["invoices"] = ", ".join(str(n) for n in batch["invoices"])
            return (
                _(
                    "%(client)s declared one bank transfer, reference %(reference)s, "
                    "for invoices %(invoices)s"
                )
                % values
            )
        if isinstance(batch, dict) and batch.get("first"):
            values["first"] = batch["first"]
            return (
                _(
                    "%(client)s declared a bank transfer for %(document)s, with "
                    "invoice %(first)s"
                )
                % values
            )
        return _("%(client)s declared a bank transfer for %(document)s") % values
    values["what"] = str(dict(DocumentEvent.Kind.choices).get(kind, kind))
    return _("%(client)s: %(what)s, %(document)s") % values


def client_activity(*, company_id: int, limit: int = 15) -> list[DocumentEvent]:
    """The company's latest client activity (what notifies), newest first."""
    return list(
        DocumentEvent.objects.filter(  # unscoped: company_id is the caller's company
            company_id=company_id, kind__in=NOTIFYING_KINDS, actor__isnull=True
        )
        .select_related("document__client")
        .order_by("-at", "-pk")[:limit]
    )


def event_members_notify(
    *, event_id: int, only: Sequence[str] = ()
) -> tuple[int, list[str]]:
    """E-mail what a client did to each owner and admin who wants it (of those
    in `only`, when given: a retry). Returns how many were sent and the
    addresses the mail server refused or could not be reached for."""
    event = (
        # unscoped: a task receives only the id of an event a service wrote
        DocumentEvent.objects.select_related("document__client", "company").get(
            pk=event_id
        )
    )
    company = event.company
    members = list(
        Membership.objects.filter(
            company=company,
            role__in=(Membership.Role.OWNER, Membership.Role.ADMIN),
            user__is_active=True,
            user__notify_client_activity=True,
        )
        .select_related("user")
        .order_by("user__email", "pk")
    )
    if only:
        members = [m for m in members if m.user.email in only]
    if not members:
        return 0, []
    base = settings.PORTAL_BASE_URL.rstrip("/")
    with translation.override(company.default_locale):
        line = activity_text(event)
        document_url = base + document_admin_url(event.document)
        profile_url = base + reverse("admin:profile")
        body = "\n".join(
            [
                line,
                "",
                _("See it in the back office: %(url)s") % {"url": document_url},
                "",
                _(
                    "You receive these e-mails as an owner or admin of "
                    "%(company)s. To stop them, change your profile: %(url)s"
                )
                % {"company": company.name, "url": profile_url},
            ]
        )
        subject = f"{company.name}: {line}"
    sent, failed = 0, []
    # One message each, so one refused address is retried alone and the others
    # are not sent twice.
    with get_connection() as connection:
        for membership in members:
            address = membership.user.email
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                connection=connection,
            )
            try:
                sent += message.send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning(
                    "Activity e-mail of event %s not sent (%s)",
                    event_id,
                    exc.__class__.__name__,
                )
                failed.append(address)
    return sent, failed

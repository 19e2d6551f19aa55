"""What is e-mailed to clients and members, asked for here and delivered by
tasks (`mail.tasks`). Callers import from here."""

from mail.delivery import client_email_deliver, client_emails_retry_due
from mail.services.notices import client_notice_request
from mail.services.reminders import (
    ReminderRefused,
    client_remind_now,
    client_remindable_invoices,
    is_remindable,
    reminder_send_now,
    reminders_history,
    reminders_send,
    reminders_set,
)
from mail.services.sending import (
    DocumentHiddenNotSendable,
    DocumentNotSendable,
    client_portal_link_send,
    document_finalise_and_send,
    document_send,
)

__all__ = [
    "DocumentHiddenNotSendable",
    "DocumentNotSendable",
    "ReminderRefused",
    "client_remind_now",
    "client_remindable_invoices",
    "is_remindable",
    "reminder_send_now",
    "reminders_history",
    "client_email_deliver",
    "client_emails_retry_due",
    "client_notice_request",
    "client_portal_link_send",
    "document_finalise_and_send",
    "document_send",
    "reminders_send",
    "reminders_set",
]

"""Send the reminders that have come due, and retry e-mails whose retry is due.

Idempotent: run it every few minutes or once a day; each reminder goes once,
even with two runs at once (see mail.services.reminders).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from mail import services as mail_services


class Command(BaseCommand):
    help = "Send due payment and quote reminders; retry e-mails that are due."

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        run = mail_services.reminders_send(now=now)
        retried = mail_services.client_emails_retry_due(now=now)
        self.stdout.write(
            f"{len(run.sent)} reminder(s) queued, {run.already} already sent, "
            f"{retried} e-mail(s) retried."
        )

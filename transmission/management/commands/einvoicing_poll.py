"""Send the platform flows that are due and ask every platform what changed
(run by the scheduler every few minutes, beside `pdf_repair`)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from transmission import chorus_worker, worker
from transmission.afnor import PlatformError
from transmission.models import ChorusConnection, PlatformConnection


class Command(BaseCommand):
    help = (
        "Send due e-invoicing flows and poll each platform and Chorus Pro for statuses."
    )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        for flow_pk in worker.flows_due(now=now):
            worker.flow_submit(flow_pk=flow_pk, now=now)
        failed = 0
        # unscoped: every company's platform, for the scheduler
        for connection in PlatformConnection.objects.filter(
            enabled=True
        ).select_related("company"):
            try:
                seen = worker.platform_poll(connection=connection, now=now)
            except PlatformError as exc:
                failed += 1
                self.stderr.write(f"{connection.company}: {exc}")
                continue
            self.stdout.write(f"{connection.company}: {seen} flow(s) taken in")
        # unscoped: every company's Chorus Pro connection, for the scheduler
        for chorus in ChorusConnection.objects.filter(enabled=True).select_related(
            "company"
        ):
            try:
                recorded = chorus_worker.chorus_poll(connection=chorus, now=now)
            except PlatformError as exc:
                failed += 1
                self.stderr.write(f"{chorus.company} (Chorus Pro): {exc}")
                continue
            self.stdout.write(f"{chorus.company}: {recorded} Chorus Pro status(es)")
        if failed:
            # An exception, not an exit: the scheduler runs this in-process.
            raise CommandError(f"{failed} platform(s) could not be polled.")

"""`manage.py pdf_repair`: put back what storage lost, report what it cannot.

For every version whose PDF is recorded, the stored file is read through
SHA-256. A file missing or altered is printed again (PDFs are reproducible)
and, if the new bytes have the recorded SHA-256, put back in place; if not,
it is reported as a mismatch and nothing is written. Versions still without a
PDF get their render queued. Last, it lists renders that failed for good and
background tasks that are stuck (queued or running for too long) or failed.
Exits non-zero when anything needs a person.
"""

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from documents.models import (
    DocumentVersion,
    QuoteSignature,
    VersionPdfRender,
    document_storage,
)
from printing import pdf
from printing.services import version_pdf_retry

STUCK_AFTER = dt.timedelta(minutes=15)


def _sha256_of(name: str) -> str | None:
    try:
        with document_storage().open(name, "rb") as stored:
            digest = hashlib.sha256()
            for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, OSError):
        return None


class Command(BaseCommand):
    help = (
        "Check every stored PDF against its SHA-256, re-render and put back "
        "missing or altered ones, queue missing renders, list stuck or failed tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report only; change nothing."
        )

    def handle(self, *args: object, dry_run: bool, **options: object) -> None:
        problems = 0
        repaired = checked = queued = 0
        storage = document_storage()
        # unscoped: an operator's command over every company's versions
        versions = DocumentVersion.objects.select_related(
            "document__company", "document__client"
        ).order_by("pk")
        for version in versions.iterator(chunk_size=200):
            if not version.pdf_sha256:
                if not dry_run:
                    version_pdf_retry(version=version)
                queued += 1
                self.stdout.write(f"queued: version {version.pk} had no PDF yet")
                continue
            checked += 1
            name = version.pdf_file.name or ""
            found = _sha256_of(name)
            if found == version.pdf_sha256:
                continue
            state = "missing" if found is None else "altered"
            data = pdf.version_pdf_render(version=version)
            rendered = hashlib.sha256(data).hexdigest()
            if rendered != version.pdf_sha256:
                problems += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"MISMATCH: version {version.pk} ({version.pdf_file.name}) "
                        f"is {state}; re-rendered SHA-256 {rendered} is not the "
                        f"recorded {version.pdf_sha256}. Not written; never served."
                    )
                )
                continue
            if not dry_run:
                if found is not None:
                    storage.delete(name)
                saved = storage.save(name, ContentFile(data))
                if saved != name:
                    storage.delete(saved)
                    raise CommandError(f"Could not write {name}.")
            repaired += 1
            self.stdout.write(
                f"repaired: version {version.pk} ({version.pdf_file.name}) was {state}"
            )
        problems += self._signed_pdfs()
        problems += self._failed_renders()
        problems += self._tasks()
        self.stdout.write(
            f"{checked} PDFs checked, {repaired} put back"
            f"{' (dry run)' if dry_run else ''}, {queued} renders queued, "
            f"{problems} problems."
        )
        if problems:
            raise CommandError(f"{problems} problems need a person (see above).")

    def _signed_pdfs(self) -> int:
        """Sealed PDFs carry their signing time: they cannot be made again to
        the same bytes, so a missing or altered one is reported, never served."""
        problems = 0
        # unscoped: an operator's command over every company's signatures
        signatures = QuoteSignature.objects.exclude(signed_pdf_sha256="").order_by("pk")
        for signature in signatures.iterator(chunk_size=200):
            name = signature.signed_pdf_file.name or ""
            found = _sha256_of(name)
            if found != signature.signed_pdf_sha256:
                problems += 1
                state = "missing" if found is None else "altered"
                self.stdout.write(
                    self.style.ERROR(
                        f"SIGNED PDF {state.upper()}: signature {signature.pk} "
                        f"({name}); restore it from a backup (its SHA-256 is "
                        "recorded)."
                    )
                )
        return problems

    def _failed_renders(self) -> int:
        # unscoped: an operator's command over every company
        failed = VersionPdfRender.objects.filter(failed_at__isnull=False).filter(
            version__pdf_sha256=""
        )
        for render in failed.order_by("pk"):
            self.stdout.write(
                self.style.ERROR(
                    f"FAILED RENDER: version {render.version_id}, {render.attempts} "
                    f"attempts, last: {render.last_error}"
                )
            )
        return len(failed)

    def _tasks(self) -> int:
        try:
            from django_tasks_db.models import DBTaskResult
        except ImportError:  # pragma: no cover - the app is always installed
            return 0
        from django_tasks.base import TaskResultStatus

        now = timezone.now()
        # Due for a while and not picked up (no worker?), or running too long
        # (a worker killed mid-task leaves its task RUNNING).
        stuck = DBTaskResult.objects.ready().filter(
            enqueued_at__lt=now - STUCK_AFTER
        ) | DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - STUCK_AFTER
        )
        failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        count = 0
        for label, results in (("STUCK TASK", stuck), ("FAILED TASK", failed)):
            for result in results.order_by("enqueued_at"):
                count += 1
                self.stdout.write(
                    self.style.WARNING(
                        f"{label}: {result.task_path} {result.id} "
                        f"({result.status}, queued {result.enqueued_at:%Y-%m-%d %H:%M})"
                    )
                )
        return count

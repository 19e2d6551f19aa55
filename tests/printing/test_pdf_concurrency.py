"""One PDF per version even when requests race, in real concurrent transactions.

PostgreSQL only: these tests commit, and on SQLite the flush between
transactional tests DELETEs versions, which the immutability trigger refuses.
"""

import hashlib
import threading
import time

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection, connections

from documents.models import DocumentVersion
from printing import pdf
from printing.store import version_pdf_ensure
from tests.factories import DocumentFactory
from tests.printing.test_pdf import invoice_with_three_versions, stored_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


@pytest.fixture
def no_background_render(settings):
    """Versions stay without a PDF, as when the worker has not got to them yet."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


@pytest.fixture
def slow_render(monkeypatch):
    """The real renderer, then a pause: the racer surely arrives mid-render."""
    real = pdf.version_pdf_render

    def render_then_wait(*, version: DocumentVersion) -> bytes:
        data = real(version=version)
        time.sleep(0.3)
        return data

    monkeypatch.setattr(pdf, "version_pdf_render", render_then_wait)


def race(target, count: int = 2) -> tuple[list, list[BaseException]]:
    start = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(target())
        except BaseException as exc:  # reported by the caller, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def stored_files(version: DocumentVersion) -> list[str]:
    folder = f"documents/{version.company_id}/{version.document_id}"
    return storages["documents"].listdir(folder)[1]


def test_two_ensures_racing_render_and_store_one_file(
    no_background_render, slow_render, pdf_renders
):
    document, version = invoice_with_three_versions()

    def ensure() -> DocumentVersion:
        copy = DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
        return version_pdf_ensure(version=copy)

    results, errors = race(ensure)

    assert errors == []
    assert pdf_renders.count == 1
    stored = DocumentVersion.objects.for_company(document.company).get(pk=version.pk)
    assert {(r.pdf_file.name, r.pdf_sha256) for r in results} == {
        (stored.pdf_file.name, stored.pdf_sha256)
    }
    assert stored_files(stored) == [stored.pdf_file.name.rsplit("/", 1)[1]]
    with storages["documents"].open(stored.pdf_file.name, "rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == stored.pdf_sha256


def test_a_committed_version_gets_its_pdf_from_the_task(pdf_renders):
    document = DocumentFactory(finalised=True)  # commits: on_commit runs for real

    version = document.versions.get()
    assert pdf_renders.count == 1
    assert version.pdf_sha256 != ""
    assert stored_files(version) == [version.pdf_file.name.rsplit("/", 1)[1]]


def test_with_the_database_backend_the_worker_renders_the_pdf(settings, pdf_renders):
    """Production: the version only queues a task; `db_worker` renders it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    document = DocumentFactory(finalised=True)  # commits: the task is queued
    version = document.versions.get()
    assert (version.pdf_sha256, pdf_renders.count) == ("", 0)

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    version.refresh_from_db()
    assert pdf_renders.count == 1
    assert version.pdf_sha256 == hashlib.sha256(stored_bytes(version)).hexdigest()

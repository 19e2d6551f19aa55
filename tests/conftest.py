import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import translation

from printing import pdf


@pytest.fixture(autouse=True)
def _fast_isolated_edges(settings):
    """Fake only the edges: files in memory, a fast password hasher, a clean cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@contextmanager
def append_only_suspended(connection) -> Iterator[None]:
    """The append-only guards lifted, for emptying the test database only.

    PostgreSQL: a superuser's replica session fires no trigger. SQLite: the
    triggers are dropped and put back from their own stored SQL.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                with connection.cursor() as restore:
                    restore.execute("SET session_replication_role = origin")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND name LIKE '%append_only%'"
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(
                    sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
                )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in French leaves French active in its thread (Django resets the
    language at the next request, not after this one): a test that then calls a
    service or a form directly would read the previous test's language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_guards() -> Iterator[None]:
    """Transactional tests end by emptying every table (TRUNCATE on PostgreSQL,
    DELETE on SQLite), which the append-only guards refuse, as they should."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        # A live server's thread may still be answering the browser's last
        # request (the live page's poll, the view beacon) when the test ends:
        # SQLite's shared in-memory cache then says "table is locked" at once,
        # without waiting. Try again for a few seconds.
        for attempt in range(50):
            try:
                with append_only_suspended(self.connection):
                    return original(self, sql_list)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


class RenderSpy:
    """Counts the PDFs printed through `pdf.html_to_pdf` (any thread)."""

    def __init__(self, real) -> None:
        self.real = real
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs) -> bytes:
        data = self.real(*args, **kwargs)
        with self._lock:
            self.count += 1
        return data


@pytest.fixture
def pdf_renders(monkeypatch) -> RenderSpy:
    spy = RenderSpy(pdf.html_to_pdf)
    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    return spy

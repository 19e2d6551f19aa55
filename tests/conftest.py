from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db.backends.base.operations import BaseDatabaseOperations


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
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_guards() -> Iterator[None]:
    """Transactional tests end by emptying every table (TRUNCATE on PostgreSQL,
    DELETE on SQLite), which the append-only guards refuse, as they should."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with append_only_suspended(self.connection):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original

"""deploy/postgres-roles.sql, run as docker-compose.yml runs it: the owner role
migrates, and the application's role does its work but cannot disarm the
append-only guards (disable or drop a trigger, TRUNCATE, UPDATE a version).

PostgreSQL only (the guards it proves are PostgreSQL's roles and privileges);
it makes its own database and roles, and drops them after.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "postgres-roles.sql"
VERSIONS = "documents_documentversion"


def _dsn(settings: dict, *, user: str, dbname: str, password: str = "") -> str:
    return psycopg.conninfo.make_conninfo(
        host=settings["HOST"] or "127.0.0.1",
        port=str(settings["PORT"] or 5432),
        user=user,
        password=password or settings["PASSWORD"] or "",
        dbname=dbname,
    )


def _url(settings: dict, *, user: str, password: str, dbname: str) -> str:
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}:{password}@{host}:{settings['PORT'] or 5432}/{dbname}"


@pytest.fixture(scope="module")
def deployment(django_db_setup, django_db_blocker):
    """A database set up the way the compose file does it: the roles script
    run by a superuser, then `migrate` as the owner role."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's: set DATABASE_URL=postgres://…")
    psql = shutil.which("psql")
    if psql is None:
        if os.environ.get("CI") == "true":
            pytest.fail("psql is missing (PostgreSQL's client)")
        pytest.skip("needs psql (PostgreSQL's client)")
    settings = connection.settings_dict
    superuser = settings["USER"] or "postgres"
    dbname = f"{settings['NAME']}_roles"[:55]
    owner, app = f"{dbname}_owner", f"{dbname}_app"
    passwords = {owner: "owner-secret", app: "app-secret"}
    admin = _dsn(settings, user=superuser, dbname="postgres")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            for role in (app, owner):
                cursor.execute(f'DROP ROLE IF EXISTS "{role}"')

    def run_script() -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                psql,
                _dsn(settings, user=superuser, dbname=dbname),
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"owner_role={owner}",
                "-v",
                f"owner_password={passwords[owner]}",
                "-v",
                f"app_role={app}",
                "-v",
                f"app_password={passwords[app]}",
                "-f",
                str(SCRIPT),
            ],
            capture_output=True,
            text=True,
        )

    def manage(role: str, code: str) -> subprocess.CompletedProcess:
        url = _url(settings, user=role, password=passwords[role], dbname=dbname)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "TASKS_"))
        }
        env.update(
            DATABASE_URL=url,
            DJANGO_DEBUG="true",
            DJANGO_SETTINGS_MODULE="config.settings",
            # The version is the work here, not its PDF.
            TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    with django_db_blocker.unblock():
        drop()
        with psycopg.connect(admin, autocommit=True) as cursor:
            cursor.execute(f'CREATE DATABASE "{dbname}"')
        try:
            first, again = run_script(), run_script()  # as every compose start
            assert (first.returncode, again.returncode) == (0, 0), (
                first.stderr + again.stderr
            )
            migrated = manage(
                owner,
                "import django; django.setup(); from django.core.management "
                "import call_command; call_command('migrate', verbosity=0)",
            )
            assert migrated.returncode == 0, migrated.stderr
            yield {
                "dsn": lambda role: _dsn(
                    settings, user=role, dbname=dbname, password=passwords[role]
                ),
                "owner": owner,
                "app": app,
                "manage": manage,
            }
        finally:
            drop()


def _refused(dsn: str, statement: str) -> str:
    """The database's refusal of `statement` run as that role ("" if done)."""
    with psycopg.connect(dsn) as session:
        try:
            session.execute(statement)
        except psycopg.Error as exc:
            return str(exc).splitlines()[0]
        return ""


def test_the_application_role_works_but_cannot_disarm_the_guards(deployment):
    app = deployment["app"]
    # The application's normal work as that role: a client, an invoice
    # finalised (its number allocated under lock, its first version written).
    work = deployment["manage"](
        app,
        "import django; django.setup(); from tests.factories import "
        "DocumentFactory; document = DocumentFactory(finalised=True); "
        "print(document.number, document.current_version.number)",
    )
    as_app = deployment["dsn"](app)

    refusals = {
        statement: _refused(as_app, statement)
        for statement in (
            f"ALTER TABLE {VERSIONS} DISABLE TRIGGER ALL",
            f"ALTER TABLE {VERSIONS} DISABLE TRIGGER {VERSIONS}_append_only_rows",
            f"DROP TRIGGER {VERSIONS}_append_only_rows ON {VERSIONS}",
            f"TRUNCATE {VERSIONS}",
            f"UPDATE {VERSIONS} SET number = number + 1",
            f"DELETE FROM {VERSIONS}",
            "SET session_replication_role = replica",
            "CREATE TABLE public.anything (id int)",
        )
    }
    with psycopg.connect(as_app) as session:
        owned = session.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()[0]
        superuser = session.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        versions = session.execute(f"SELECT count(*) FROM {VERSIONS}").fetchone()[0]

    assert work.returncode == 0, work.stderr
    assert work.stdout.split()[1] == "1"
    assert refusals == {
        f"ALTER TABLE {VERSIONS} DISABLE TRIGGER ALL": (
            f"must be owner of table {VERSIONS}"
        ),
        f"ALTER TABLE {VERSIONS} DISABLE TRIGGER {VERSIONS}_append_only_rows": (
            f"must be owner of table {VERSIONS}"
        ),
        f"DROP TRIGGER {VERSIONS}_append_only_rows ON {VERSIONS}": (
            f"must be owner of relation {VERSIONS}"
        ),
        f"TRUNCATE {VERSIONS}": f"permission denied for table {VERSIONS}",
        f"UPDATE {VERSIONS} SET number = number + 1": (
            f"{VERSIONS} is append-only: UPDATE refused"
        ),
        f"DELETE FROM {VERSIONS}": f"{VERSIONS} is append-only: DELETE refused",
        "SET session_replication_role = replica": (
            'permission denied to set parameter "session_replication_role"'
        ),
        "CREATE TABLE public.anything (id int)": "permission denied for schema public",
    }
    assert (owned, superuser, versions) == (0, False, 1)


def test_the_owner_role_owns_every_table_and_is_no_superuser(deployment):
    with psycopg.connect(deployment["dsn"](deployment["owner"])) as session:
        owners = session.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        superuser = session.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]

    assert (owners, superuser) == ([(deployment["owner"],)], False)


# --- how the compose file and the image use the two roles ----------------------


def test_compose_migrates_as_the_owner_and_runs_everything_else_as_the_app():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    roles = services["db-roles"]
    migrate = services["migrate"]

    assert "-f /deploy/postgres-roles.sql" in roles["command"]
    assert "-v owner_role=portal_owner" in roles["command"]
    assert "-v app_role=portal_app" in roles["command"]
    assert roles["volumes"] == [
        "./deploy/postgres-roles.sql:/deploy/postgres-roles.sql:ro"
    ]
    assert migrate["command"] == "migrate"
    assert migrate["environment"]["DATABASE_MIGRATE_URL"].startswith(
        "postgres://portal_owner:"
    )
    assert migrate["depends_on"] == {
        "db-roles": {"condition": "service_completed_successfully"}
    }
    for name in ("web", "worker", "scheduler"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://portal_app:"), name
        assert "DATABASE_MIGRATE_URL" not in environment, name
    assert 'ENTRYPOINT ["sh", "/app/deploy/entrypoint.sh"]' in (
        (ROOT / "Dockerfile").read_text()
    )


@pytest.fixture
def fake_python(tmp_path):
    """A `python` on PATH that prints what it was started with."""
    binary = tmp_path / "python"
    binary.write_text(
        '#!/bin/sh\necho "DATABASE_URL=$DATABASE_URL"\n'
        'echo "MIGRATE=${DATABASE_MIGRATE_URL:-unset}"\n'
        'echo "TIMEOUT=${DATABASE_STATEMENT_TIMEOUT_SECONDS:-unset}"\necho "ARGS=$*"\n'
    )
    binary.chmod(0o755)
    return {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "DATABASE_URL": "postgres://portal_app:a@db/portal",
        "DATABASE_MIGRATE_URL": "postgres://portal_owner:o@db/portal",
    }


def _entrypoint(env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "deploy" / "entrypoint.sh"), *command],
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_entrypoint_migrates_as_the_owner_role(fake_python):
    result = _entrypoint(fake_python, "migrate")

    assert result.stdout.splitlines() == [
        "DATABASE_URL=postgres://portal_owner:o@db/portal",
        "MIGRATE=unset",
        "TIMEOUT=0",
        "ARGS=manage.py migrate --noinput",
    ]


def test_the_entrypoint_runs_anything_else_as_the_app_without_the_owner_s_url(
    fake_python,
):
    result = _entrypoint(fake_python, "python", "manage.py", "db_worker")

    assert result.stdout.splitlines() == [
        "DATABASE_URL=postgres://portal_app:a@db/portal",
        "MIGRATE=unset",
        "TIMEOUT=unset",
        "ARGS=manage.py db_worker",
    ]


def test_the_entrypoint_refuses_to_migrate_without_the_owner_s_url(fake_python):
    del fake_python["DATABASE_MIGRATE_URL"]

    result = _entrypoint(fake_python, "migrate")

    assert (result.returncode, result.stdout) == (2, "")
    assert "set DATABASE_MIGRATE_URL" in result.stderr

"""Production settings refuse what would hurt, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "Wm3q9-prod-LIKE-secret_key-for-tests-only-7fK2pX8vZr4Td",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "PORTAL_BASE_URL": "https://portal.example.com",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.com:587",
    "PORTAL_TOKEN_KEYS": "q7Dx1iW2vNfH0kq0y8Gm4n8mS5m3wQ5cJ1eVb1xQk3c=",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "AWS_", "EMAIL_", "REDIS_", "PORTAL_", "TASKS_")
        )
    }
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.TASKS['default']['BACKEND'], s.CACHES['default']['BACKEND'], "
    "s.STORAGES['staticfiles']['BACKEND'], s.SESSION_COOKIE_SECURE, "
    "s.CSRF_TRUSTED_ORIGINS)"
)


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_fails_in_production_without_a_portal_token_key():
    env = {**PRODUCTION}
    del env["PORTAL_TOKEN_KEYS"]

    result = run("manage.py", "check", "--deploy", **env)

    assert result.returncode == 1
    assert "(clients.E001) PORTAL_TOKEN_KEYS is not set" in result.stderr


def test_a_portal_token_key_that_is_not_a_fernet_key_fails_every_check():
    env = {
        **PRODUCTION,
        "PORTAL_TOKEN_KEYS": "q7Dx1iW2vNfH0kq0y8Gm4n8mS5m3wQ5cJ1eVb1xQk3c=,short",
    }

    result = run("manage.py", "check", **env)

    assert result.returncode == 1
    assert "(clients.E002) PORTAL_TOKEN_KEYS' key number 2 is not a Fernet key" in (
        result.stderr
    )


def test_production_defaults_are_the_shared_ones():
    result = run("-c", PROBE, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_tasks_db.DatabaseBackend",
        "django.core.cache.backends.db.DatabaseCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
        "['https://portal.example.com']",
    ]


def test_production_requires_the_portal_base_url():
    env = {**PRODUCTION}
    del env["PORTAL_BASE_URL"]

    result = run("-c", PROBE, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: PORTAL_BASE_URL is required" in result.stderr


def test_production_refuses_plain_http_links_beyond_this_machine():
    result = run(
        "-c", PROBE, **{**PRODUCTION, "PORTAL_BASE_URL": "http://portal.example.com"}
    )

    assert result.returncode != 0
    assert "PORTAL_BASE_URL must start with https://" in result.stderr


def test_production_refuses_the_console_mail_backend_and_no_mail_at_all():
    console = run("-c", PROBE, **{**PRODUCTION, "EMAIL_URL": "consolemail://"})
    env = {**PRODUCTION}
    del env["EMAIL_URL"]
    missing = run("-c", PROBE, **env)

    for result in (console, missing):
        assert result.returncode != 0
        assert "ImproperlyConfigured: EMAIL_URL is required" in result.stderr

"""The settings module: embedded by default, strict in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
)


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "EMAIL_", "REDIS_"))
    }
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(
        DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="portal.example.com"
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_ALLOWED_HOSTS is required" in result.stderr


def test_production_starts_with_its_secret_and_hosts():
    result = run_settings(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="portal.example.com",
        PORTAL_BASE_URL="https://portal.example.com",
        EMAIL_URL="smtp+tls://portal:secret@smtp.example.com:587",
    )

    assert (result.returncode, result.stdout.split()) == (
        0,
        ["django.db.backends.sqlite3", "False"],
    )


def test_database_url_switches_to_postgres():
    result = run_settings(
        DJANGO_DEBUG="true", DATABASE_URL="postgres://portal@127.0.0.1:5432/portal"
    )

    assert result.stdout.split() == ["django.db.backends.postgresql", "True"]


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok")

#!/bin/sh
# The image's entry point (Dockerfile). Runs its command as given, with one
# exception: `migrate` runs `manage.py migrate` as the database's owner role
# (DATABASE_MIGRATE_URL), the one role that may change the schema. Every other
# command (the web server, the task worker, the scheduler) runs with
# DATABASE_URL, the application's role, which owns nothing and so cannot
# disarm the append-only guards (deploy/postgres-roles.sql); the owner's
# address is removed from their environment.
set -eu

if [ "${1:-}" = "migrate" ]; then
    shift
    if [ -z "${DATABASE_MIGRATE_URL:-}" ]; then
        echo "migrate runs as the owner role: set DATABASE_MIGRATE_URL" >&2
        exit 2
    fi
    DATABASE_URL="$DATABASE_MIGRATE_URL"
    # A migration may take its time.
    DATABASE_STATEMENT_TIMEOUT_SECONDS=0
    export DATABASE_URL DATABASE_STATEMENT_TIMEOUT_SECONDS
    unset DATABASE_MIGRATE_URL
    exec python manage.py migrate --noinput "$@"
fi

unset DATABASE_MIGRATE_URL
exec "$@"

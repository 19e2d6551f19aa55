"""What a cached portal page costs in-process, against /healthz.

    DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/1 \
        uv run python benchmarks/cached.py [--requests 2000]

The production settings (DEBUG off) on a throwaway PostgreSQL database
(`<name>_cached_<pid>`, dropped at the end) and the given Redis database
(emptied), with the demo's data. The WSGI application is called directly, as a
server's worker does (no socket, no server): `/healthz`, the portal's invoice
list and a document page, each warmed into the page cache first, then called
in turn REQUESTS times each. Prints the median and p90 per request.

Target (issue 23): a cached list or document page at most 1.0 ms.
"""

import argparse
import base64
import io
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 1.0


def configure(database_url: str, redis_url: str, workdir: Path) -> str:
    parts = urllib.parse.urlsplit(database_url)
    dbname = f"{parts.path.lstrip('/') or 'portal'}_cached_{os.getpid()}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        PORTAL_TOKEN_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PORTAL_BASE_URL="http://127.0.0.1:8000",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_ROOT=str(workdir / "private"),
        DATABASE_URL=urllib.parse.urlunsplit(parts._replace(path=f"/{dbname}")),
        REDIS_URL=redis_url,
        EMAIL_URL="memorymail://",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        LOG_LEVEL="WARNING",
    )
    return dbname


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--profile", action="store_true", help="print where the list page's time goes"
    )
    args = parser.parse_args()
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
    workdir = Path(tempfile.mkdtemp(prefix="portal-cached-"))
    dbname = configure(database_url, redis_url, workdir)
    admin = urllib.parse.urlunsplit(
        urllib.parse.urlsplit(database_url)._replace(path="/postgres")
    )
    import psycopg
    import redis

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{dbname}"')
    redis.Redis.from_url(redis_url).flushdb()
    sys.path.insert(0, str(ROOT))
    try:
        return run(args.requests, profile=args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def run(requests: int, *, profile: bool = False) -> int:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command

    from demo import seed

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed.seed()
    summary = seed.summary()
    portal = next(
        client["portal_url"]
        for company in summary["companies"]
        if company["has_receivables_addon"]
        for client in company["clients"]
    )
    application = WSGIHandler()

    def call(path: str) -> tuple[int, bytes]:
        status: list[str] = []
        body = b"".join(
            application(
                {
                    "REQUEST_METHOD": "GET",
                    "PATH_INFO": path,
                    "QUERY_STRING": "",
                    "SERVER_NAME": "127.0.0.1",
                    "SERVER_PORT": "8000",
                    "SERVER_PROTOCOL": "HTTP/1.1",
                    "REMOTE_ADDR": "127.0.0.1",
                    "HTTP_HOST": "127.0.0.1",
                    "HTTP_ACCEPT": "text/html",
                    "wsgi.input": io.BytesIO(),
                    "wsgi.url_scheme": "http",
                    "wsgi.errors": sys.stderr,
                },
                lambda s, headers, exc_info=None: status.append(s),
            )
        )
        return int(status[0].split()[0]), body

    _, listing = call(portal)
    document = re.search(rb'href="(/p/[^"]+/documents/\d+/)"', listing)[1].decode()
    targets = {"/healthz": "/healthz", "portal list": portal, "document page": document}
    for path in targets.values():  # into the page cache, and warm
        for _ in range(20):
            assert call(path)[0] == 200, path
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            call(portal)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(requests):
        for name, path in targets.items():
            started = time.perf_counter()
            call(path)
            samples[name].append((time.perf_counter() - started) * 1000)
    print(f"In-process, WSGI handler, {requests} requests each, cached pages:\n")
    print(f"| {'target':<14} | {'median ms':>9} | {'p90 ms':>7} |")
    print(f"|{'-' * 16}|{'-' * 11}|{'-' * 9}|")
    medians = {}
    for name, values in samples.items():
        values.sort()
        medians[name] = statistics.median(values)
        p90 = values[int(len(values) * 0.9)]
        print(f"| {name:<14} | {medians[name]:>9.3f} | {p90:>7.3f} |")
    print()
    misses = 0
    for name in ("portal list", "document page"):
        ok = medians[name] <= TARGET_MS
        misses += not ok
        print(
            f"{'PASS' if ok else 'MISS'}  {name} <= {TARGET_MS} ms "
            f"({medians[name]:.3f} ms)"
        )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

"""The database and the shared cache."""

from config.settings.base import BASE_DIR, DEBUG, env

# SQLite unless DATABASE_URL is set, e.g. postgres://portal:portal@db:5432/portal
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # No request or task waits on the database for ever: a statement running
    # longer than this is canceled (0 turns it off, e.g. for long migrations).
    _statement_timeout_ms = 1000 * env.int(
        "DATABASE_STATEMENT_TIMEOUT_SECONDS", default=0 if DEBUG else 30
    )
    _options["options"] = f"-c statement_timeout={_statement_timeout_ms}"
    # Connections are kept in a pool per process (psycopg_pool): the page
    # server's threads and the stream server's executor threads draw from it.
    _pool_size = env.int("DATABASE_POOL_MAX_SIZE", default=0 if DEBUG else 8)
    if _pool_size:
        _options["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
        DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not DEBUG:
    # The demo runs web processes and a task worker on one SQLite file: WAL lets
    # readers and the writer work at once, IMMEDIATE transactions take the write
    # lock up front instead of failing half-way, and a writer waits its turn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The cache holds the portal's pages and the rate limits, so every web process
# must see the same one: Redis when REDIS_URL is set, else a table of the
# database (portal/migrations creates it). A per-process memory cache only in
# debug mode, where there is one process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache with one connection pool per process.
            "BACKEND": "config.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

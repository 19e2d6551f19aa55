"""Django's Redis cache, with one connection pool per process.

Under ASGI each request runs in a thread of its own, and Django keeps a cache
object per thread: with the stock backend every request opened a new Redis
connection (TCP, handshake, health check), a sixth of a cached portal page's
time (py-spy, benchmarks/load.py). Here every thread of a process draws from
the same pool, as the database connections do from psycopg's.
"""

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedPoolRedisCacheClient(RedisCacheClient):
    _pools_by_url: dict[str, Any] = {}
    _pools_lock = threading.Lock()

    def _get_connection_pool(self, write: bool) -> Any:
        # Private attributes of Django's client, which the stubs do not declare.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        url: str = self._servers[index]  # type: ignore[attr-defined]
        pool = self._pools_by_url.get(url)
        if pool is None:
            with self._pools_lock:
                pool = self._pools_by_url.get(url)
                if pool is None:
                    pool = self._pool_class.from_url(  # type: ignore[attr-defined]
                        url,
                        **self._pool_options,  # type: ignore[attr-defined]
                    )
                    self._pools_by_url[url] = pool
        return pool


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient

"""Django's Redis cache, with one connection pool and one client per process.

Django keeps a cache object per thread: with the stock backend every thread
(under ASGI, every request) opened a new Redis connection (TCP, handshake,
health check), a sixth of a cached portal page's time (py-spy,
benchmarks/load.py). Here every thread of a process draws from the same pool,
as the database connections do from psycopg's. The stock backend also builds a
new `redis.Redis` object for every command (a dictionary of some 170 response
callbacks each time: a tenth of a cached page, benchmarks/cached.py
--profile); the client is thread-safe, so one per pool is kept.
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

    _clients_by_url: dict[str, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        url: str = self._servers[index]  # type: ignore[attr-defined]
        client = self._clients_by_url.get(url)
        if client is None:
            pool = self._get_connection_pool(write)
            with self._pools_lock:
                client = self._clients_by_url.setdefault(
                    url,
                    self._client(connection_pool=pool),  # type: ignore[attr-defined]
                )
        return client


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient

"""The Redis cache shares one connection pool between the threads of a process
(under ASGI each request is a thread of its own)."""

import threading

import pytest
from django.core.cache import caches
from django.test.utils import override_settings

from tests.production.server import REDIS_TEST_URL


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2).ping()
    except redis.RedisError:
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI ({REDIS_TEST_URL})")
        pytest.skip(f"needs Redis at {REDIS_TEST_URL}")
    shared = {
        "default": {
            "BACKEND": "config.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    with override_settings(CACHES=shared):
        yield


def test_every_thread_draws_from_one_pool(redis_cache):
    pools = []

    def request_thread(n: int) -> None:
        cache = caches["default"]  # a cache object of this thread's own
        cache.set(f"pool-test-{n}", n, 5)
        assert cache.get(f"pool-test-{n}") == n
        pools.append(cache._cache._get_connection_pool(write=True))

    threads = [threading.Thread(target=request_thread, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pools) == 4 and len({id(pool) for pool in pools}) == 1


def test_every_thread_and_command_shares_one_client(redis_cache):
    clients = []

    def request_thread(n: int) -> None:
        cache = caches["default"]
        cache.set(f"client-test-{n}", n, 5)
        assert cache.get(f"client-test-{n}") == n
        clients.append(cache._cache.get_client(write=True))
        clients.append(cache._cache.get_client())

    threads = [threading.Thread(target=request_thread, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(clients) == 8 and len({id(client) for client in clients}) == 1

"""The revision stream of open portal pages: its messages, the process's
poller that wakes it, and the polling fallback outside ASGI."""

import asyncio
import datetime as dt
import os

import pytest

from clients import services as client_services
from portal.live import ClientState, RevisionHub, Subscription, client_states
from portal.views.live import _stream
from tests.factories import NOW, ClientFactory
from tests.portal.helpers import hide, invoice, url

pytestmark = pytest.mark.django_db


def test_outside_asgi_the_stream_answers_the_revision_at_once(client):
    portal = ClientFactory()
    bill = invoice(portal)
    hide(bill)
    portal.refresh_from_db()

    response = client.get(url("events", portal))

    assert response["Content-Type"] == "text/event-stream"
    revision = portal.portal_revision
    assert response.content.decode() == (
        f"retry: 2000\nid: {revision}\nevent: revision\ndata: {revision}\n\n"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_the_poller_reads_every_client_in_one_query(django_assert_num_queries):
    first, second = ClientFactory(), ClientFactory()
    client_services.client_portal_disable(client=second, actor=None, now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()

    with django_assert_num_queries(1):
        states = client_states([first.pk, second.pk, 999_999])

    assert states == {
        first.pk: ClientState(first.portal_revision, first.portal_token_digest, True),
        second.pk: ClientState(
            second.portal_revision, second.portal_token_digest, False
        ),
    }


def _subscription(client_id=1, digest="d", revision=5) -> Subscription:
    return Subscription(client_id, digest, revision)


def test_the_poller_wakes_changed_pages_and_ends_gone_links():
    async def scenario():
        hub = RevisionHub(interval=60)
        changed, same, rotated, disabled, unknown = (
            _subscription(1),
            _subscription(2),
            _subscription(3),
            _subscription(4),
            _subscription(5),
        )
        late = _subscription(6)  # subscribed while the query ran
        for subscription in (changed, same, rotated, disabled, unknown, late):
            hub.subscriptions.setdefault(subscription.client_id, set()).add(
                subscription
            )
        hub._dispatch(
            [1, 2, 3, 4, 5],
            {
                1: ClientState(6, "d", True),
                2: ClientState(5, "d", True),
                3: ClientState(5, "new-digest", True),
                4: ClientState(5, "d", False),
            },
        )
        return [
            (s.changed.is_set(), s.gone, s.revision)
            for s in (changed, same, rotated, disabled, unknown, late)
        ]

    assert asyncio.run(scenario()) == [
        (True, False, 6),
        (False, False, 5),
        (True, True, 5),
        (True, True, 5),
        (True, True, 5),
        (False, False, 5),
    ]


def test_a_stream_starts_with_the_current_revision_then_follows_it():
    async def scenario():
        subscription = _subscription(revision=7)
        stream = _stream(subscription)
        messages = [await anext(stream)]  # a reconnecting page catches up here
        subscription.revision = 8
        subscription.changed.set()
        messages.append(await anext(stream))
        subscription.gone = True
        subscription.changed.set()
        messages.append(await anext(stream))
        ended = await anext(stream, None)
        return messages, ended

    messages, ended = asyncio.run(scenario())

    assert messages == [
        "retry: 1000\nid: 7\nevent: revision\ndata: 7\n\n",
        "id: 8\nevent: revision\ndata: 8\n\n",
        "event: gone\ndata: gone\n\n",
    ]
    assert ended is None


def test_every_client_visible_change_moves_the_revision():
    portal = ClientFactory()
    portal.refresh_from_db()
    start = portal.portal_revision
    bill = invoice(portal)
    hide(bill)
    client_services.client_portal_rotate(
        client=portal, actor=None, now=NOW + dt.timedelta(minutes=1)
    )

    portal.refresh_from_db()
    assert portal.portal_revision >= start + 3


def _slots_scenario(redis_url: str) -> list[object]:
    from portal.live import StreamSlots

    async def scenario():
        slots = StreamSlots(per_link=2, per_address=3, lifetime=60, redis_url=redis_url)
        a1 = await slots.acquire(link="link-a", address="203.0.113.5")
        a2 = await slots.acquire(link="link-a", address="203.0.113.5")
        a3 = await slots.acquire(link="link-a", address="203.0.113.5")  # link full
        b1 = await slots.acquire(link="link-b", address="203.0.113.5")
        b2 = await slots.acquire(link="link-b", address="203.0.113.5")  # address full
        c1 = await slots.acquire(link="link-b", address="198.51.100.7")
        await slots.release(a1)
        a4 = await slots.acquire(link="link-a", address="203.0.113.5")
        return [s is not None for s in (a1, a2, a3, b1, b2, c1, a4)]

    return asyncio.run(scenario())


EXPECTED_SLOTS = [True, True, False, True, False, True, True]


def test_open_streams_are_bounded_per_link_and_per_address_in_process():
    assert _slots_scenario("") == EXPECTED_SLOTS


def test_open_streams_are_bounded_through_redis():
    import redis

    from tests.production.server import REDIS_TEST_URL

    try:
        store = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2)
        store.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI ({REDIS_TEST_URL})")
        pytest.skip(f"needs Redis at {REDIS_TEST_URL}")
    for key in store.keys("portal:live:*"):
        store.delete(key)

    assert _slots_scenario(REDIS_TEST_URL) == EXPECTED_SLOTS
    # Each slot lapses by itself: the sets expire after the streams' lifetime.
    assert 0 < store.ttl("portal:live:link:link-a") <= 60 + 30

"""Open portal pages learn of changes: one poller per process, many streams.

Every change a client could see bumps `Client.portal_revision` in its own
transaction. Each server process runs ONE poller (an asyncio task, started with
the first open stream, stopped with the last) that reads the revision, link
and add-on state of every client with an open page in one query per
`PORTAL_LIVE_POLL_SECONDS`, then wakes the streams whose client changed. The
cost is one small query per process per interval whatever the number of open
pages, it works across processes and machines sharing the database, and on
SQLite and PostgreSQL alike.
"""

import asyncio
import logging
import os
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper

from clients.models import HAS_PORTAL, Client

logger = logging.getLogger(__name__)

# Clients read per query (well under SQLite's limit on bound parameters).
CHUNK = 500


@dataclass(eq=False)
class Subscription:
    """One open page: the client it shows and what it last told the page."""

    client_id: int
    token_digest: str
    revision: int
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    gone: bool = False


@dataclass(frozen=True)
class ClientState:
    revision: int
    token_digest: str
    open: bool  # link enabled and the company has the add-on


def client_states(client_ids: list[int]) -> dict[int, ClientState]:
    """The live state of these clients, in one query per CHUNK of them."""
    states = {}
    try:
        for start in range(0, len(client_ids), CHUNK):
            rows = (
                # unscoped: the ids are those of clients whose link opened a stream
                Client.objects.filter(pk__in=client_ids[start : start + CHUNK])
                .annotate(open=ExpressionWrapper(HAS_PORTAL, BooleanField()))
                .values_list("pk", "portal_revision", "portal_token_digest", "open")
                .order_by()
            )
            for pk, revision, digest, is_open in rows:
                states[pk] = ClientState(revision, digest, is_open)
    except Exception:
        connection.close()  # a broken connection is opened afresh next time
        raise
    return states


class RevisionHub:
    """The open streams of one event loop (one server process) and their poller."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.subscriptions: dict[int, set[Subscription]] = {}
        self._poller: asyncio.Task | None = None
        # One thread keeps one database connection for the poller's reads.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="portal-live")

    def subscribe(
        self, *, client_id: int, token_digest: str, revision: int
    ) -> Subscription:
        subscription = Subscription(client_id, token_digest, revision)
        self.subscriptions.setdefault(client_id, set()).add(subscription)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.get_running_loop().create_task(self._poll())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        group = self.subscriptions.get(subscription.client_id)
        if group is not None:
            group.discard(subscription)
            if not group:
                del self.subscriptions[subscription.client_id]

    @property
    def open_streams(self) -> int:
        return sum(len(group) for group in self.subscriptions.values())

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while self.subscriptions:
            await asyncio.sleep(self.interval)
            client_ids = sorted(self.subscriptions)
            if not client_ids:
                break
            try:
                states = await loop.run_in_executor(
                    self._executor, client_states, client_ids
                )
            except Exception:
                logger.exception("Portal live poll failed; trying again")
                continue
            self._dispatch(client_ids, states)

    def _dispatch(self, client_ids: list[int], states: dict[int, ClientState]) -> None:
        """Wake the streams of the clients read (not those that subscribed
        while the query ran: their state was not asked for)."""
        for client_id in client_ids:
            state = states.get(client_id)
            for subscription in list(self.subscriptions.get(client_id, ())):
                if (
                    state is None
                    or not state.open
                    or state.token_digest != subscription.token_digest
                ):
                    subscription.gone = True
                    subscription.changed.set()
                elif state.revision != subscription.revision:
                    subscription.revision = state.revision
                    subscription.changed.set()


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RevisionHub]" = (
    weakref.WeakKeyDictionary()
)


def revision_hub() -> RevisionHub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = RevisionHub(settings.PORTAL_LIVE_POLL_SECONDS)
    return hub


# --- How many streams may be open at once -----------------------------------------

# A slot outlives its stream by this much at most when its process dies
# without giving it back (a stream ends after STREAM_SECONDS anyway).
SLOT_GRACE_SECONDS = 30

# Both bounds checked and the slot taken in one step, so that two processes
# opening streams at once cannot both take the last slot.
_ACQUIRE = """
local now, expires = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
redis.call('ZADD', KEYS[1], expires, ARGV[3])
redis.call('ZADD', KEYS[2], expires, ARGV[3])
local ttl = math.ceil(expires - now)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return 0
"""


@dataclass(frozen=True)
class Slot:
    """An open stream's place in its link's and its address's counts."""

    link_key: str
    address_key: str
    member: str


class StreamSlots:
    """At most `per_link` open streams per portal link and `per_address` per
    client address, across every process sharing Redis (REDIS_URL); without
    Redis, within this process only.

    Each slot is a member of two sorted sets scored by when it lapses (the
    stream's lifetime plus a grace), so a process that dies without giving
    its slots back holds them no longer than that.
    """

    def __init__(
        self, *, per_link: int, per_address: int, lifetime: float, redis_url: str
    ) -> None:
        self.per_link, self.per_address = per_link, per_address
        self.lifetime = lifetime + SLOT_GRACE_SECONDS
        self._redis = None
        if redis_url:
            import redis.asyncio

            self._redis = redis.asyncio.Redis.from_url(redis_url)
            self._acquire = self._redis.register_script(_ACQUIRE)
        self._local: dict[str, set[str]] = {}
        self._counter = 0

    async def acquire(self, *, link: str, address: str) -> Slot | None:
        """A slot for a new stream of this link from this address, or None
        when either is at its bound."""
        self._counter += 1
        slot = Slot(
            f"portal:live:link:{link[:32]}",
            f"portal:live:address:{address}",
            f"{os.getpid()}-{id(self)}-{self._counter}",
        )
        if self._redis is None:
            held_link = self._local.setdefault(slot.link_key, set())
            held_address = self._local.setdefault(slot.address_key, set())
            if len(held_link) >= self.per_link or len(held_address) >= (
                self.per_address
            ):
                return None
            held_link.add(slot.member)
            held_address.add(slot.member)
            return slot
        now = time.time()
        refused = await self._acquire(
            keys=[slot.link_key, slot.address_key],
            args=[
                now,
                now + self.lifetime,
                slot.member,
                self.per_link,
                self.per_address,
            ],
        )
        return None if refused else slot

    async def release(self, slot: Slot) -> None:
        if self._redis is None:
            for key in (slot.link_key, slot.address_key):
                held = self._local.get(key)
                if held is not None:
                    held.discard(slot.member)
                    if not held:
                        del self._local[key]
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zrem(slot.link_key, slot.member)
                pipe.zrem(slot.address_key, slot.member)
                await pipe.execute()
        except Exception:  # the slot lapses by itself (SLOT_GRACE_SECONDS)
            logger.warning("Could not give a live stream's slot back", exc_info=True)


_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StreamSlots]" = (
    weakref.WeakKeyDictionary()
)


def stream_slots(lifetime: float) -> StreamSlots:
    """The stream bounds of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = StreamSlots(
            per_link=settings.PORTAL_LIVE_STREAMS_PER_LINK,
            per_address=settings.PORTAL_LIVE_STREAMS_PER_ADDRESS,
            lifetime=lifetime,
            redis_url=settings.REDIS_URL,
        )
    return slots

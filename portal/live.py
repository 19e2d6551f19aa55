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

"""The event bus: committed domain events (:mod:`xieshang.domain.events`) to live subscribers.

Two backends, chosen by ``XIESHANG_EVENTS`` (:func:`create_bus`):

- :class:`MemoryBus` fans events out to the subscribers of this process (SQLite, tests, one
  server process);
- :class:`PostgresBus` publishes with ``pg_notify`` and listens on a dedicated connection per
  process, so an event raised in one server process reaches subscribers connected to another.
  The listening connection is re-opened when it drops; events published while it is down are
  not seen by this process's subscribers (live events are a notification, not a log: clients
  re-read what they show after reconnecting).

Each subscriber has a bounded queue. A publisher never waits for a subscriber: a subscriber
that falls more than :data:`QUEUE_SIZE` events behind is ended with :class:`SubscriberTooSlow`
(its client re-subscribes and re-reads), so a slow client costs neither time nor unbounded memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from xieshang.config import Settings
from xieshang.domain.events import Event, EventKind
from xieshang.errors import ConfigError

logger = logging.getLogger("xieshang.domain.bus")

#: Events a subscriber may fall behind before it is ended.
QUEUE_SIZE = 256
#: The NOTIFY channel (NOTIFY is per database: deployments on one server do not mix).
CHANNEL = "xieshang_events"
#: ``application_name`` of the listening connections (visible in ``pg_stat_activity``).
LISTENER_NAME = "xieshang-events"


class SubscriberTooSlow(Exception):
    """A subscriber fell too far behind and was ended (it missed events)."""


class EventStream:
    """One subscriber's events: an async iterator over a bounded queue.

    Use as an async context manager (``async with bus.subscribe(...) as stream``) so that it is
    unregistered however the consumer stops.
    """

    def __init__(
        self,
        bus: MemoryBus,
        county_id: int | None,
        kinds: frozenset[EventKind] | None,
        maxsize: int,
    ) -> None:
        self._bus = bus
        self.county_id = county_id
        self.kinds = kinds
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize)
        self._ended = False
        self.overflowed = False

    def wants(self, event: Event) -> bool:
        """Whether this subscriber asked for events like ``event``."""
        return (self.county_id is None or event.county_id == self.county_id) and (
            self.kinds is None or event.kind in self.kinds
        )

    def offer(self, event: Event) -> None:
        """Queue ``event`` without waiting; a full queue ends the stream instead."""
        if self._ended:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            logger.warning("subscriber of county %s too slow: ended", self.county_id)
            self.end()

    def end(self) -> None:
        """End the stream: the consumer sees the end after the events already queued (after an
        overflow, at once)."""
        if self._ended:
            return
        self._ended = True
        self._bus._streams.discard(self)
        if self.overflowed:
            while not self._queue.empty():
                self._queue.get_nowait()
        # The marker wakes a consumer waiting on an empty queue; a full queue has no one
        # waiting, and its consumer stops after draining it (see __anext__).
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    def open(self) -> EventStream:
        """Start receiving (done by ``async with`` and ``async for``; a stream nobody reads
        never holds events)."""
        if not self._ended:
            self._bus._streams.add(self)
        return self

    def __aiter__(self) -> EventStream:
        return self.open()

    async def __anext__(self) -> Event:
        if self._ended and self._queue.empty():
            raise self._finished()
        event = await self._queue.get()
        if event is None:
            raise self._finished()
        return event

    def _finished(self) -> BaseException:
        return SubscriberTooSlow() if self.overflowed else StopAsyncIteration()

    async def __aenter__(self) -> EventStream:
        return self.open()

    async def __aexit__(self, *_exc: object) -> None:
        self.end()


class MemoryBus:
    """Fan-out to the subscribers of this process."""

    backend = "memory"

    def __init__(self, *, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._streams: set[EventStream] = set()
        #: Events handed to subscribers since start (read by /metrics).
        self.delivered = 0

    @property
    def subscriber_count(self) -> int:
        return len(self._streams)

    async def start(self) -> None:
        """Get ready to deliver (nothing to do in memory)."""

    async def stop(self) -> None:
        """End every subscription."""
        for stream in list(self._streams):
            stream.end()

    async def publish(self, events: Sequence[Event]) -> None:
        """Deliver ``events`` to the subscribers that want them."""
        self.deliver(events)

    def deliver(self, events: Sequence[Event]) -> None:
        """Hand ``events`` to this process's subscribers (never waits)."""
        for event in events:
            for stream in list(self._streams):
                if stream.wants(event):
                    stream.offer(event)
                    self.delivered += 1

    def subscribe(
        self, *, county_id: int | None = None, kinds: Collection[EventKind] | None = None
    ) -> EventStream:
        """A stream of the events of ``county_id`` (all counties: None) of the given ``kinds``;
        it receives the events published once it is opened (``async with`` / ``async for``)."""
        kinds = frozenset(kinds) if kinds is not None else None
        return EventStream(self, county_id, kinds, self.queue_size)


class PostgresBus(MemoryBus):
    """``pg_notify`` to publish, one LISTEN connection per process to receive.

    Publishing goes through ``engine`` (a pooled connection, one statement per batch); the
    listening connection is a plain asyncpg connection of its own, re-opened whenever it drops.
    """

    backend = "postgres"

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        channel: str = CHANNEL,
        queue_size: int = QUEUE_SIZE,
        keepalive_seconds: float = 15.0,
        max_retry_seconds: float = 10.0,
    ) -> None:
        super().__init__(queue_size=queue_size)
        self.engine = engine
        self.channel = channel
        self.keepalive_seconds = keepalive_seconds
        self.max_retry_seconds = max_retry_seconds
        #: Set while the listening connection is up.
        self.listening = asyncio.Event()
        #: How many times the listening connection was (re)opened.
        self.connections_opened = 0
        self._task: asyncio.Task[None] | None = None
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def start(self, *, wait_seconds: float = 10.0) -> None:
        """Start listening; waits (up to ``wait_seconds``) for the connection, then keeps trying
        in the background — the service starts even while the database is briefly away."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="xieshang-events-listener")
        try:
            await asyncio.wait_for(self.listening.wait(), wait_seconds)
        except TimeoutError:
            logger.warning("event listener not connected yet; retrying in the background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await super().stop()

    async def publish(self, events: Sequence[Event]) -> None:
        """NOTIFY every process listening on this database (this one included)."""
        if not events:
            return
        payloads = [json.dumps(e.as_dict(), separators=(",", ":")) for e in events]
        statement = sa.text(
            "SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) AS payload"
        )
        async with self.engine.connect() as conn:
            await conn.execute(statement, {"channel": self.channel, "payloads": payloads})
            await conn.commit()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = Event.from_dict(json.loads(payload))
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed event notification: %.200r", payload)
            return
        self.deliver([event])

    async def _listen(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        delay = 0.2
        while True:
            try:
                conn = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": LISTENER_NAME}
                )
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                logger.warning("event listener cannot connect (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_seconds)
                continue
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
            try:
                await conn.add_listener(self.channel, self._on_notify)
                self.connections_opened += 1
                self.listening.set()
                delay = 0.2
                await self._watch(conn, lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("event listener failed: %s", exc)
            finally:
                self.listening.clear()
                if not conn.is_closed():
                    # Cancelled (shutdown) or gave up on a dead connection: do not wait for it.
                    conn.terminate()
            logger.warning("event listening connection lost; reconnecting in %.1fs", delay)
            await asyncio.sleep(delay)

    async def _watch(self, conn: Any, lost: asyncio.Event) -> None:
        """Return when ``conn`` is gone: closed by the server, or not answering (a half-open TCP
        connection never reports itself, so it is asked now and then)."""
        tick = min(1.0, self.keepalive_seconds)
        idle = 0.0
        while not conn.is_closed():
            try:
                await asyncio.wait_for(lost.wait(), tick)
                return
            except TimeoutError:
                idle += tick
            if idle >= self.keepalive_seconds:
                idle = 0.0
                await asyncio.wait_for(conn.fetchval("SELECT 1"), self.keepalive_seconds)


def create_bus(settings: Settings, engine: AsyncEngine | None = None) -> MemoryBus:
    """The bus ``settings`` ask for (``XIESHANG_EVENTS``); postgres needs the app's ``engine``."""
    backend = settings.event_backend
    if backend == "postgres":
        if engine is None or engine.dialect.name != "postgresql":
            raise ConfigError("XIESHANG_EVENTS=postgres 需要 PostgreSQL 数据库")
        return PostgresBus(engine)
    return MemoryBus()


async def publish_committed(bus: MemoryBus | None, events: Sequence[Event]) -> None:
    """Publish the events of a committed transaction; a failure is logged, never raised (the
    change is saved whether or not anybody hears of it)."""
    if bus is None or not events:
        return
    try:
        await bus.publish(events)
    except Exception:
        logger.exception("publishing %d event(s) failed", len(events))


__all__ = [
    "CHANNEL",
    "LISTENER_NAME",
    "EventStream",
    "MemoryBus",
    "PostgresBus",
    "SubscriberTooSlow",
    "create_bus",
    "publish_committed",
]

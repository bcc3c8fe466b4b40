"""The event bus (xieshang/events.py), publishing after commit, and the overdue sweeper.

Delivery over real WebSockets is in tests/test_subscriptions.py; here the bus, the mutation
helper and the sweeper are driven directly, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import typing
from collections.abc import AsyncIterator
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from cli_helpers import invoke
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.testclient import TestClient

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory, write_session_factory
from xieshang.db.enums import FollowUpStatus, ResultClass
from xieshang.domain import crud, topics
from xieshang.domain import events as domain_events
from xieshang.domain.bus import (
    LISTENER_NAME,
    MemoryBus,
    PostgresBus,
    SubscriberTooSlow,
    create_bus,
    publish_committed,
)
from xieshang.domain.calendar import local_today
from xieshang.domain.events import Event, EventKind, FollowUpChange
from xieshang.domain.overdue import run_sweep
from xieshang.domain.unit_of_work import Environment, Work
from xieshang.engine.registry import RulePlugins
from xieshang.errors import ConfigError, UserError, ValidationFailed
from xieshang.schema.context import Context
from xieshang.schema.mutations import InputField, mutation_field
from xieshang.server import create_app
from xieshang.testing import Viewer, settings_for


async def sweep_overdue(writes: Any, bus: MemoryBus | None) -> int:
    """One overdue sweep as the servers run it, publishing to ``bus``."""
    return await run_sweep(writes, Environment(Settings(), RulePlugins.empty(), bus))


def topic_event(county_id: int, object_id: int) -> Event:
    return Event(EventKind.TOPIC_SUBMITTED, county_id, object_id)


async def drain(stream: Any, count: int) -> list[Event]:
    """The next ``count`` events of ``stream`` (fails the test rather than hang)."""
    return [await asyncio.wait_for(anext(stream), 10) for _ in range(count)]


# -- the in-process bus -------------------------------------------------------------------


async def test_memory_bus_fans_out_by_county_and_kind() -> None:
    bus = MemoryBus()
    everything = bus.subscribe()
    county_one = bus.subscribe(county_id=1)
    follow_ups = bus.subscribe(county_id=1, kinds={EventKind.FOLLOW_UP_CHANGED})
    unopened = bus.subscribe(county_id=1)
    async with everything, county_one, follow_ups:
        assert bus.subscriber_count == 3  # the unopened stream holds nothing
        change = Event(EventKind.FOLLOW_UP_CHANGED, 1, 7, FollowUpChange.PROGRESS.value)
        await bus.publish([topic_event(2, 1), topic_event(1, 2), change])
        assert await drain(everything, 3) == [topic_event(2, 1), topic_event(1, 2), change]
        assert await drain(county_one, 2) == [topic_event(1, 2), change]
        assert await drain(follow_ups, 1) == [change]
        for stream in (everything, county_one, follow_ups):
            assert stream._queue.empty()
    assert unopened._queue.empty()
    assert bus.subscriber_count == 0


async def test_a_slow_subscriber_is_ended_and_blocks_nobody() -> None:
    bus = MemoryBus(queue_size=3)
    slow = bus.subscribe(county_id=1)
    fast = bus.subscribe(county_id=1)
    async with slow, fast:
        received: list[Event] = []
        for i in range(1, 10):
            await bus.publish([topic_event(1, i)])  # never waits for the slow one
            received += await drain(fast, 1)
        assert [e.object_id for e in received] == list(range(1, 10))
        assert slow.overflowed and slow._queue.qsize() <= 1  # memory stays bounded
        with pytest.raises(SubscriberTooSlow):
            await anext(slow)
        assert bus.subscriber_count == 1


async def test_stopping_the_bus_ends_every_stream() -> None:
    bus = MemoryBus()
    stream = bus.subscribe()
    async with stream:
        waiting = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        await bus.stop()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiting, 10)


async def test_a_failed_publication_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    # A real PostgreSQL bus whose server is unreachable (nothing listens on port 1).
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        with caplog.at_level(logging.ERROR, logger="xieshang.domain.bus"):
            await publish_committed(PostgresBus(engine), [topic_event(1, 1)])
    finally:
        await engine.dispose()
    assert "publishing 1 event(s) failed" in caplog.text


# -- settings -----------------------------------------------------------------------------


def test_event_settings() -> None:
    sqlite = {"XIESHANG_DATABASE_URL": "sqlite+aiosqlite:///./x.db"}
    postgres = {"XIESHANG_DATABASE_URL": "postgresql+asyncpg://u@h/db"}
    assert Settings.from_env(sqlite).event_backend == "memory"
    assert Settings.from_env(postgres).event_backend == "postgres"
    assert Settings.from_env({**postgres, "XIESHANG_EVENTS": "memory"}).event_backend == "memory"
    assert Settings.from_env({}).overdue_sweep_seconds == 300
    assert Settings.from_env({"XIESHANG_OVERDUE_SWEEP_SECONDS": "0"}).overdue_sweep_seconds == 0
    with pytest.raises(ConfigError, match="XIESHANG_EVENTS"):
        Settings.from_env({"XIESHANG_EVENTS": "redis"})
    with pytest.raises(ConfigError, match="XIESHANG_OVERDUE_SWEEP_SECONDS"):
        Settings.from_env({"XIESHANG_OVERDUE_SWEEP_SECONDS": "-1"})
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_bus(Settings.from_env({**sqlite, "XIESHANG_EVENTS": "postgres"}))
    assert isinstance(create_bus(Settings.from_env(sqlite)), MemoryBus)


# -- publishing after commit --------------------------------------------------------------


async def _first_county(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        county = await session.scalar(sa.select(m.County.id).order_by(m.County.id).limit(1))
    assert county is not None
    return county


def _trial_mutation() -> Any:
    """A mutation built with the real helper whose handler raises an event, then fails when told."""

    async def handler(work: Work, values: dict[str, Any]) -> Any:
        row = await crud.create(
            work,
            topics.TOPIC,
            {"title": "试提交", "source": "PUBLIC", "year": 2025},
            county_id=values["county_id"],
        )
        domain_events.emit(work.session, topic_event(row.county_id, row.id))
        if values["fail"] == "user":
            raise ValidationFailed([UserError("fail", "INVALID_VALUE", "按要求失败")])
        if values["fail"] == "crash":
            raise RuntimeError("handler crashed after raising its event")
        return row

    field = mutation_field(
        "TrySubmit",
        fields={
            "county_id": InputField(strawberry.ID, "县 county"),
            "fail": InputField(str, "失败方式 how to fail"),
        },
        id_types={"county_id": "County"},
        node_field="topic",
        node_type="Topic",
        handler=handler,
        description="试提交 trial",
        input_description="试提交的输入 input",
    )
    resolve = field.base_resolver.wrapped_func
    input_type = typing.get_args(inspect.signature(resolve).parameters["input"].annotation)[0]
    return resolve, input_type


@pytest.fixture
async def topic_count(
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
) -> Any:
    async def count() -> int:
        async with xieshang_demo_sessions() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(m.Topic)) or 0)

    return count


async def test_events_are_published_only_after_commit(
    xieshang_demo_sessions: async_sessionmaker[AsyncSession], topic_count: Any
) -> None:
    from xieshang.schema.relay import to_global_id

    county = await _first_county(xieshang_demo_sessions)
    resolve, input_type = _trial_mutation()
    bus = MemoryBus()
    context = Context.create(xieshang_demo_sessions, Settings(), viewer=Viewer.trusted(), bus=bus)
    info = SimpleNamespace(context=context)
    county_id = to_global_id("County", county)
    before = await topic_count()
    async with bus.subscribe(county_id=county) as stream:
        payload = await resolve(info, input=input_type(county_id=county_id, fail="user"))
        assert [e.code for e in payload.user_errors] == ["INVALID_VALUE"]
        with pytest.raises(RuntimeError):
            await resolve(info, input=input_type(county_id=county_id, fail="crash"))
        assert await topic_count() == before  # both rolled back …
        assert stream._queue.empty()  # … and announced nothing
        payload = await resolve(info, input=input_type(county_id=county_id, fail="no"))
        assert payload.user_errors == [] and payload.topic is not None
        assert await drain(stream, 1) == [topic_event(county, payload.topic.id)]
        assert stream._queue.empty()
    assert await topic_count() == before + 1


async def test_a_committed_mutation_stays_committed_when_publishing_fails(
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
    topic_count: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from xieshang.schema.relay import to_global_id

    county = await _first_county(xieshang_demo_sessions)
    resolve, input_type = _trial_mutation()
    unreachable = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        context = Context.create(
            xieshang_demo_sessions,
            Settings(),
            viewer=Viewer.trusted(),
            bus=PostgresBus(unreachable),
        )
        before = await topic_count()
        with caplog.at_level(logging.ERROR, logger="xieshang.domain.bus"):
            payload = await resolve(
                SimpleNamespace(context=context),
                input=input_type(county_id=to_global_id("County", county), fail="no"),
            )
    finally:
        await unreachable.dispose()
    assert payload.user_errors == [] and payload.topic is not None
    assert await topic_count() == before + 1
    assert "publishing 1 event(s) failed" in caplog.text


# -- the overdue sweeper ------------------------------------------------------------------


async def _open_past_due(sessions: async_sessionmaker[AsyncSession]) -> set[int]:
    async with sessions() as session:
        today = local_today(Settings().zone)
        rows = await session.scalars(
            sa.select(m.FollowUp.id).where(
                m.FollowUp.status != FollowUpStatus.DONE,
                m.FollowUp.due_on < today,
                m.FollowUp.archived_at.is_(None),
            )
        )
        return set(rows.all())


async def _announced(sessions: async_sessionmaker[AsyncSession]) -> dict[int, date | None]:
    async with sessions() as session:
        rows = await session.execute(sa.select(m.FollowUp.id, m.FollowUp.overdue_announced_on))
        return {task_id: on for task_id, on in rows.all()}


async def test_the_sweep_announces_each_overdue_task_once(
    xieshang_demo_engine: AsyncEngine, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    expected = await _open_past_due(xieshang_demo_sessions)
    assert expected, "the demo should have overdue tasks"
    bus = MemoryBus()
    writes = write_session_factory(xieshang_demo_engine)
    async with bus.subscribe(kinds={EventKind.FOLLOW_UP_CHANGED}) as stream:
        assert await sweep_overdue(writes, bus) == len(expected)
        received = await drain(stream, len(expected))
        assert {e.object_id for e in received} == expected
        assert {e.change for e in received} == {FollowUpChange.OVERDUE.value}
        assert await sweep_overdue(writes, bus) == 0  # run again: nothing new
        assert stream._queue.empty()
    announced = await _announced(xieshang_demo_sessions)
    today = local_today(Settings().zone)
    assert {i for i, on in announced.items() if on is not None} == expected
    assert {on for on in announced.values() if on is not None} == {today}


async def test_concurrent_sweeps_announce_each_task_once(
    xieshang_demo_url: URL, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Two "processes" (engines of their own) sweep at the same moment."""
    expected = await _open_past_due(xieshang_demo_sessions)
    engines = [create_engine(xieshang_demo_url) for _ in range(2)]
    bus = MemoryBus()
    try:
        async with bus.subscribe() as stream:
            counts = await asyncio.gather(
                *(sweep_overdue(write_session_factory(e), bus) for e in engines)
            )
            assert sum(counts) == len(expected)
            received = await drain(stream, len(expected))
            assert sorted(e.object_id for e in received) == sorted(expected)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_task_is_announced_again_after_it_lapses_again(
    xieshang_graphql: Any,
    xieshang_demo_engine: AsyncEngine,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
) -> None:
    from xieshang.schema.relay import to_global_id

    writes = write_session_factory(xieshang_demo_engine)
    expected = sorted(await _open_past_due(xieshang_demo_sessions))
    moved, finished = expected[0], expected[1]
    await sweep_overdue(writes, None)
    client = xieshang_graphql()
    update = """mutation($input: UpdateFollowUpInput!) {
      updateFollowUp(input: $input) { followUp { version } userErrors { code } } }"""

    async def set_due(task_id: int, due: date) -> None:
        async with xieshang_demo_sessions() as session:
            version = await session.scalar(
                sa.select(m.FollowUp.version).where(m.FollowUp.id == task_id)
            )
        data = await client.query(
            update,
            {
                "input": {
                    "id": to_global_id("FollowUp", task_id),
                    "expectedVersion": version,
                    "dueOn": due.isoformat(),
                }
            },
        )
        assert data["updateFollowUp"]["userErrors"] == []

    today = local_today(Settings().zone)
    # Moving the due date to another past day keeps the mark (still the same lapse) …
    await set_due(moved, today - timedelta(days=1))
    assert (await _announced(xieshang_demo_sessions))[moved] == today
    # … moving it to the future clears it at once.
    await set_due(moved, today + timedelta(days=30))
    assert (await _announced(xieshang_demo_sessions))[moved] is None
    # A task finished by some other path is re-armed by the next sweep.
    async with writes() as session, session.begin():
        await session.execute(
            sa.update(m.FollowUp)
            .where(m.FollowUp.id == finished)
            .values(status=FollowUpStatus.DONE, completed_on=today, result_class=ResultClass.A)
        )
    assert await sweep_overdue(writes, None) == 0
    assert (await _announced(xieshang_demo_sessions))[finished] is None
    # The moved task lapses again: announced again, once.
    await set_due(moved, today - timedelta(days=2))
    bus = MemoryBus()
    async with bus.subscribe() as stream:
        assert await sweep_overdue(writes, bus) == 1
        assert [e.object_id for e in await drain(stream, 1)] == [moved]
    assert await sweep_overdue(writes, bus) == 0


async def test_the_sweep_leaves_the_version_alone(
    xieshang_demo_engine: AsyncEngine, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async def versions() -> dict[int, tuple[int, Any]]:
        async with xieshang_demo_sessions() as session:
            rows = await session.execute(
                sa.select(m.FollowUp.id, m.FollowUp.version, m.FollowUp.updated_at)
            )
            return {i: (v, u) for i, v, u in rows.all()}

    before = await versions()
    assert await sweep_overdue(write_session_factory(xieshang_demo_engine), None) > 0
    # Clients holding a version can still save: the mark is bookkeeping, not an edit.
    assert await versions() == before


def test_the_cli_sweeps_once(xieshang_demo_url: URL) -> None:
    first = invoke("followups", "sweep", url=xieshang_demo_url)
    assert first.returncode == 0, first.stderr
    second = invoke("followups", "sweep", url=xieshang_demo_url)
    assert second.returncode == 0, second.stderr
    count = asyncio.run(_count_announced(xieshang_demo_url))
    assert count > 0
    assert f"已通知 announced {count} overdue" in first.stdout
    assert "已通知 announced 0 overdue" in second.stdout


async def _count_announced(url: URL) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            stmt = sa.select(sa.func.count()).where(m.FollowUp.overdue_announced_on.is_not(None))
            return int(await session.scalar(stmt) or 0)
    finally:
        await engine.dispose()


def test_the_server_sweeps_while_it_runs(xieshang_demo_url: URL) -> None:
    app = create_app(settings_for(xieshang_demo_url, overdue_sweep_seconds=0.05))
    with TestClient(app):
        for _ in range(400):  # polls until the first sweep committed (no time is asserted)
            if asyncio.run(_count_announced(xieshang_demo_url)):
                break
            asyncio.run(asyncio.sleep(0.05))
    assert asyncio.run(_count_announced(xieshang_demo_url)) > 0


def test_a_server_without_sweeping_announces_nothing(xieshang_demo_url: URL) -> None:
    app = create_app(settings_for(xieshang_demo_url, overdue_sweep_seconds=0))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert asyncio.run(_count_announced(xieshang_demo_url)) == 0


# -- PostgreSQL: NOTIFY between processes, reconnecting ---------------------------------------


@pytest.fixture
async def pg_engines(xieshang_demo_url: URL) -> AsyncIterator[list[AsyncEngine]]:
    assert xieshang_demo_url.get_backend_name() == "postgresql"
    engines = [create_engine(xieshang_demo_url) for _ in range(2)]
    yield engines
    for engine in engines:
        await engine.dispose()


@pytest.mark.postgresql
async def test_postgres_bus_delivers_between_processes(pg_engines: list[AsyncEngine]) -> None:
    first, second = PostgresBus(pg_engines[0]), PostgresBus(pg_engines[1])
    await first.start()
    await second.start()
    try:
        async with first.subscribe(county_id=1) as here, second.subscribe(county_id=1) as there:
            await first.publish([topic_event(2, 9), topic_event(1, 10), topic_event(1, 11)])
            assert await drain(there, 2) == [topic_event(1, 10), topic_event(1, 11)]
            # The publisher's own subscribers hear it through their LISTEN, exactly once.
            assert await drain(here, 2) == [topic_event(1, 10), topic_event(1, 11)]
            await first.publish([topic_event(1, 12)])
            assert await drain(there, 1) == [topic_event(1, 12)]
            assert await drain(here, 1) == [topic_event(1, 12)]
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.postgresql
async def test_postgres_bus_reconnects_when_its_connection_drops(
    pg_engines: list[AsyncEngine], caplog: pytest.LogCaptureFixture
) -> None:
    listener = PostgresBus(pg_engines[1], max_retry_seconds=0.5)
    publisher = PostgresBus(pg_engines[0])
    await listener.start()
    try:
        async with listener.subscribe() as stream:
            assert listener.connections_opened == 1
            async with pg_engines[0].connect() as conn:
                killed = await conn.scalar(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": LISTENER_NAME},
                )
            assert killed == 1
            for _ in range(400):  # until the listener noticed and came back
                if listener.connections_opened == 2 and listener.listening.is_set():
                    break
                await asyncio.sleep(0.05)
            assert listener.connections_opened == 2 and listener.listening.is_set()
            await publisher.publish([topic_event(1, 5)])
            assert await drain(stream, 1) == [topic_event(1, 5)]
    finally:
        await listener.stop()
    assert "connection lost" in caplog.text


@pytest.mark.postgresql
async def test_a_malformed_notification_is_ignored(pg_engines: list[AsyncEngine]) -> None:
    bus = PostgresBus(pg_engines[0])
    await bus.start()
    try:
        async with bus.subscribe() as stream:
            async with pg_engines[1].connect() as conn:
                for payload in ("not json", '{"kind": 1}', '{"kind": "topicSubmitted"}'):
                    await conn.execute(
                        sa.text("SELECT pg_notify('xieshang_events', :payload)"),
                        {"payload": payload},
                    )
                await conn.commit()
            await PostgresBus(pg_engines[1]).publish([topic_event(3, 4)])
            assert await drain(stream, 1) == [topic_event(3, 4)]
    finally:
        await bus.stop()

"""Operations endpoints and request logs: /readyz, /metrics, one structured line per request.

/readyz must follow the database both ways without a restart: on SQLite by moving the
migration table away from head and back; on PostgreSQL by cutting the app's TCP path to the
server (a proxy started by the test) and restoring it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL, make_url

from xieshang.db import migrate
from xieshang.db.engine import create_engine
from xieshang.server import create_app
from xieshang.testing import settings_for, with_system_viewer
from xieshang.web.observability import JsonFormatter, ReadableFormatter, log_config, operation_name

COUNTY = '{ county(code: "511323") { id } }'
NAMED_QUERY = "query CountStudios { studios { totalCount } }"
BAD_SECTOR = 'mutation AddSector($c: ID!) { createSector(input: {countyId: $c, name: ""}) { userErrors { code } } }'
ASSESS = '{ assessments(filter: {standard: "pengan.six-haves", period: "2024"}, first: 5) { totalCount } }'


@contextlib.asynccontextmanager
async def http(app: Any, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://xieshang.test") as client:
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_of(page: dict[Any, float], operation: str, outcome: str) -> float:
    key = ("xieshang_graphql_requests_total", (("operation", operation), ("outcome", outcome)))
    return page.get(key, 0.0)


async def test_readyz_follows_the_migration_revision_without_restart(
    xieshang_database_url: URL,
) -> None:
    engine = create_engine(xieshang_database_url)
    app = create_app(settings_for(xieshang_database_url), engine=engine)
    try:
        async with http(app) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["revision"] == migrate.head_revision()

            await migrate.downgrade(xieshang_database_url, "-1")
            behind = await client.get("/readyz")
            assert behind.status_code == 503
            assert behind.json()["status"] == "not_migrated"
            assert "xieshang db upgrade" in behind.json()["reason"]
            # Liveness is not readiness: the process is still alive.
            assert (await client.get("/healthz")).status_code == 200

            await migrate.upgrade(xieshang_database_url)
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await engine.dispose()


def move(source: Path, target: Path) -> None:
    os.rename(source, target)


def exists(path: Path) -> bool:
    return path.exists()


async def test_readyz_when_the_sqlite_file_goes_away_and_back(
    xieshang_database_url: URL, tmp_path: Path
) -> None:
    if xieshang_database_url.get_backend_name() != "sqlite":
        # The PostgreSQL run covers going away with the proxy test below; make a SQLite file.
        xieshang_database_url = make_url(f"sqlite+aiosqlite:///{tmp_path / 'own.db'}")
        await migrate.upgrade(xieshang_database_url)
    path = Path(xieshang_database_url.database or "")
    engine = create_engine(xieshang_database_url)
    try:
        async with http(create_app(settings_for(xieshang_database_url), engine=engine)) as client:
            assert (await client.get("/readyz")).status_code == 200
            move(path, tmp_path / "moved-away.db")
            gone = await client.get("/readyz")
            assert gone.status_code == 503
            assert gone.json() == {"status": "unavailable", "reason": f"数据库文件不存在：{path}"}
            assert not exists(path)  # the probe did not create an empty database
            move(tmp_path / "moved-away.db", path)
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await engine.dispose()


async def test_readyz_on_an_empty_database_is_not_ready(xieshang_databases: Any) -> None:
    url = await xieshang_databases.create("never_migrated")
    if url.get_backend_name() == "sqlite":
        sqlite3.connect(url.database or "").close()  # an empty file, as a new connection makes
    engine = create_engine(url)
    try:
        async with http(create_app(settings_for(url), engine=engine)) as client:
            response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "not_migrated"
        assert response.json()["revision"] is None
    finally:
        await engine.dispose()


async def test_metrics_count_operations_by_outcome(
    xieshang_demo_engine: Any, xieshang_demo_url: URL
) -> None:
    trusted = with_system_viewer(
        create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    )
    anonymous = create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    async with http(trusted) as client, http(anonymous) as stranger:
        county = (await client.post("/graphql", json={"query": COUNTY})).json()
        county_id = county["data"]["county"]["id"]
        for _ in range(2):
            ok = await client.post("/graphql", json={"query": NAMED_QUERY})
            assert ok.status_code == 200 and not ok.json().get("errors")
        bad = await client.post(
            "/graphql", json={"query": BAD_SECTOR, "variables": {"c": county_id}}
        )
        assert bad.json()["data"]["createSector"]["userErrors"], bad.json()
        broken = await client.post("/graphql", json={"query": "query Broken { nope }"})
        assert broken.json()["errors"]
        assessed = await client.post("/graphql", json={"query": ASSESS})
        assert not assessed.json().get("errors"), assessed.json()
        refused = await stranger.post(
            "/graphql",
            json={"query": BAD_SECTOR, "variables": {"c": county_id}, "operationName": "AddSector"},
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        got = await client.get("/graphql", params={"query": NAMED_QUERY})
        assert got.status_code == 200 and not got.json().get("errors")
        too_big = await client.post(
            "/graphql", json={"query": "query Huge { a }", "pad": "x" * 2_000_000}
        )
        assert too_big.status_code == 413

        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        page = samples(response.text)
        assert requests_of(page, "CountStudios", "ok") == 3  # two POSTs, one GET
        # Refused before the body was read: no name, counted as an error.
        assert requests_of(page, "anonymous", "error") == 1
        assert requests_of(page, "AddSector", "user_error") == 1
        assert requests_of(page, "Broken", "error") == 1
        assert requests_of(page, "anonymous", "ok") == 2  # counties, assessments
        # The refused request went through the other app: its own registry.
        assert requests_of(page, "AddSector", "forbidden") == 0
        stranger_page = samples((await stranger.get("/metrics")).text)
        assert requests_of(stranger_page, "AddSector", "forbidden") == 1
        assert requests_of(stranger_page, "CountStudios", "ok") == 0

        latency = ("xieshang_graphql_request_seconds_count", (("operation", "CountStudios"),))
        assert page[latency] == 3
        run = ("xieshang_assessment_run_seconds_count", (("standard", "pengan.six-haves"),))
        assert page[run] >= 1
        assert ("xieshang_db_pool_checked_out", ()) in page
        assert ("xieshang_events_delivered", ()) in page
        assert any(name == "xieshang_process_info" for name, _ in page)


async def test_metrics_are_refused_to_other_addresses(
    xieshang_engine: Any, xieshang_database_url: URL
) -> None:
    app = create_app(
        settings_for(xieshang_database_url, metrics_allow=("10.1.0.0/16",)), engine=xieshang_engine
    )
    async with http(app, "192.168.3.4") as outsider, http(app, "10.1.2.3") as monitor:
        refused = await outsider.get("/metrics")
        assert refused.status_code == 403
        assert "xieshang_graphql" not in refused.text
        assert (await monitor.get("/metrics")).status_code == 200
    # The default is the machine itself only.
    default = create_app(settings_for(xieshang_database_url), engine=xieshang_engine)
    async with http(default, "10.1.2.3") as remote:
        assert (await remote.get("/metrics")).status_code == 403


def test_metrics_allow_is_read_from_the_environment() -> None:
    from xieshang.config import Settings

    settings = Settings.from_env({"XIESHANG_METRICS_ALLOW": "10.0.0.0/8, 192.168.1.5"})
    assert settings.metrics_allow == ("10.0.0.0/8", "192.168.1.5")
    assert Settings.from_env({}).metrics_allow == ("127.0.0.1", "::1")


async def test_one_log_line_per_request(
    xieshang_demo_engine: Any, xieshang_demo_url: URL, caplog: pytest.LogCaptureFixture
) -> None:
    app = with_system_viewer(
        create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    )
    async with http(app) as client:
        with caplog.at_level(logging.INFO, logger="xieshang.access"):
            response = await client.post(
                "/graphql", json={"query": NAMED_QUERY}, headers={"X-Request-ID": "trace-0001-abc"}
            )
    assert response.headers["x-request-id"] == "trace-0001-abc"
    lines = [r for r in caplog.records if r.name == "xieshang.access"]
    assert len(lines) == 1
    entry = json.loads(JsonFormatter().format(lines[0]))
    assert entry["request_id"] == "trace-0001-abc"
    assert entry["operation"] == "CountStudios"
    assert entry["outcome"] == "ok"
    assert entry["status"] == 200
    assert entry["user"] == "system"
    assert entry["sql_statements"] >= 1
    assert entry["duration_ms"] >= 0
    assert entry["level"] == "info" and entry["logger"] == "xieshang.access"
    readable = ReadableFormatter().format(lines[0])
    assert "operation=CountStudios" in readable and "{" not in readable


def test_log_config_is_json_except_in_development() -> None:
    assert log_config("production")["handlers"]["default"]["formatter"] == "json"
    assert log_config("test")["handlers"]["default"]["formatter"] == "json"
    assert log_config("development")["handlers"]["default"]["formatter"] == "readable"
    # uvicorn's own access line would repeat ours.
    assert log_config("production")["loggers"]["uvicorn.access"]["handlers"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"query": "{ a }", "operationName": "Given"}', "Given"),
        (b'{"query": "# comment\\n mutation  DoIt($x: ID) { a }"}', "DoIt"),
        (b'{"query": "{ a }"}', None),
        (b"not json", None),
        (b"[1, 2]", None),
        (b"", None),
    ],
)
def test_operation_name(body: bytes, expected: str | None) -> None:
    assert operation_name(body) == expected


# -- PostgreSQL: the database goes away and comes back ---------------------------------------


class Proxy:
    """A TCP proxy the test can close (refusing and cutting every connection) and reopen."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()
                self.writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.mark.postgresql
async def test_readyz_follows_postgresql_going_away_and_back(xieshang_database_url: URL) -> None:
    proxy = Proxy(xieshang_database_url.host or "127.0.0.1", xieshang_database_url.port or 5432)
    await proxy.open()
    url = xieshang_database_url.set(host="127.0.0.1", port=proxy.port)
    app = create_app(settings_for(url, events="memory"))
    try:
        async with http(app) as client:
            assert (await client.get("/readyz")).status_code == 200
            await proxy.close()
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable"
            assert "数据库" in down.json()["reason"]
            assert (await client.get("/healthz")).status_code == 200
            await proxy.open()
            up = await client.get("/readyz")
            assert up.status_code == 200, up.text
            # And real work goes through the same pool again.
            studios = await client.post("/graphql", json={"query": "{ counties { id } }"})
            assert studios.status_code == 200
    finally:
        await app.state.engine.dispose()
        if proxy.server is not None:
            await proxy.close()

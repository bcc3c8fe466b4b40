"""Deployment as docs/deploy.md describes it: ``xieshang serve --workers 2`` on PostgreSQL.

Both worker processes answer requests (each says which it is in ``X-Served-By`` and in
/metrics), and a subscription held by one receives a mutation handled by the other (events go
through PostgreSQL LISTEN/NOTIFY). The log is one JSON line per request.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cli_helpers import SCRIPT, free_port
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory
from xieshang.schema.relay import to_global_id
from xieshang.testing import settings_for, token_for

SECRET = "deploy-test-secret-" + "y" * 32
TOPICS = "subscription($c: ID!) { topicSubmitted(countyId: $c) { id title } }"
CREATE_TOPIC = """mutation($c: ID!, $t: String!) {
  createTopic(input: {countyId: $c, title: $t, source: PUBLIC, year: 2025}) {
    topic { id } userErrors { code } } }"""


@contextmanager
def serve(url: URL, log: Path, workers: int) -> Iterator[str]:
    """``xieshang serve --workers N`` on a free port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")}
    env |= {
        "XIESHANG_DATABASE_URL": url.render_as_string(hide_password=False),
        "XIESHANG_SECRET": SECRET,
        "XIESHANG_ENV": "test",
        "XIESHANG_OVERDUE_SWEEP_SECONDS": "0",
        "XIESHANG_RATE_LIMIT_USER": "100000/minute",
        "XIESHANG_RATE_LIMIT_ANONYMOUS": "100000/minute",
    }
    command = [str(SCRIPT), "serve", "--workers", str(workers), "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise AssertionError(f"server exited: {log.read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"server did not start: {log.read_text()}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def process_info(text: str) -> dict[str, str]:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "xieshang_process_info":
                return dict(sample.labels)
    raise AssertionError("no xieshang_process_info in /metrics")


async def _staff(url: URL) -> Any:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with session_factory(engine)() as session:
            return await session.scalar(sa.select(m.User).where(m.User.username == "staff"))
    finally:
        await engine.dispose()


@pytest.mark.slow
@pytest.mark.postgresql  # several workers need a database server (and LISTEN/NOTIFY)
async def test_two_workers_serve_requests_and_share_events(
    xieshang_demo_url: URL, tmp_path: Path
) -> None:
    from websockets.asyncio.client import connect

    staff = await _staff(xieshang_demo_url)
    token = token_for(staff, settings_for(xieshang_demo_url, secret=SECRET))
    county = to_global_id("County", staff.county_id)
    log = tmp_path / "serve.log"
    with serve(xieshang_demo_url, log, workers=2) as base:
        # Each request on a new connection: the kernel hands connections to either worker.
        workers: dict[str, str] = {}
        for _ in range(200):
            async with httpx.AsyncClient(base_url=base) as client:
                response = await client.get("/metrics")
            assert response.status_code == 200
            info = process_info(response.text)
            assert info["worker"] == response.headers["x-served-by"]
            workers[info["worker"]] = info["pid"]
            if len(workers) == 2:
                break
        assert len(workers) == 2, workers
        assert len(set(workers.values())) == 2  # two processes

        async def create(title: str) -> tuple[str, str]:
            async with httpx.AsyncClient(
                base_url=base, headers={"Authorization": f"Bearer {token}"}
            ) as http:
                response = await http.post(
                    "/graphql", json={"query": CREATE_TOPIC, "variables": {"c": county, "t": title}}
                )
            body = response.json()
            assert response.status_code == 200 and not body.get("errors"), body
            return str(body["data"]["createTopic"]["topic"]["id"]), response.headers["x-served-by"]

        ws_url = base.replace("http://", "ws://") + "/graphql"
        async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            assert ws.response is not None
            subscriber = ws.response.headers["x-served-by"]
            assert subscriber in workers
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 20))["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "type": "subscribe",
                        "id": "1",
                        "payload": {"query": TOPICS, "variables": {"c": county}},
                    }
                )
            )
            # Write until a topic created by the *other* worker reaches this subscription.
            by_other: set[str] = set()
            received: set[str] = set()
            for attempt in range(100):
                topic, served_by = await create(f"双进程{attempt}")
                if served_by != subscriber:
                    by_other.add(topic)
                try:
                    while True:
                        message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                        assert (message["type"], message["id"]) == ("next", "1"), message
                        received.add(message["payload"]["data"]["topicSubmitted"]["id"])
                except TimeoutError:
                    pass
                if by_other & received:
                    break
            assert by_other, "no mutation was handled by the other worker"
            assert by_other & received, (by_other, received, log.read_text()[-2000:])

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry.get("logger") == "xieshang.access"]
    assert access, log.read_text()[-2000:]
    mutations = [entry for entry in access if entry.get("path") == "/graphql"]
    assert mutations and all(entry["status"] == 200 for entry in mutations)
    assert {entry["user"] for entry in mutations} == {"staff"}
    assert all(entry["sql_statements"] >= 1 for entry in mutations)
    assert all(entry["request_id"] for entry in access)

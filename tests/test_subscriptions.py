"""Live events over real WebSockets (graphql-transport-ws): delivery, counties, roles, processes.

In-process tests use Starlette's TestClient (the app's lifespan runs, so on PostgreSQL the bus is
LISTEN/NOTIFY). The last test starts two uvicorn server processes on one PostgreSQL database,
subscribes on one and writes through the other.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cli_helpers import free_port
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient, WebSocketTestSession

from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory
from xieshang.schema.relay import to_global_id
from xieshang.server import create_app
from xieshang.testing import settings_for, token_for, with_system_viewer

PROTOCOL = ["graphql-transport-ws"]
UNLIMITED = {"rate_limit_user": "100000/minute", "rate_limit_anonymous": "100000/minute"}

TOPICS = "subscription($c: ID!) { topicSubmitted(countyId: $c) { id title county { name } } }"
FOLLOW_UPS = """subscription($c: ID!) {
  followUpChanged(countyId: $c) { change followUp { id task unit { id } } } }"""
EVALUATIONS = """subscription($c: ID!) {
  evaluationSubmitted(countyId: $c) { id residentName satisfaction } }"""

CREATE_TOPIC = """mutation($c: ID!, $t: String!) {
  createTopic(input: {countyId: $c, title: $t, source: PUBLIC, year: 2025}) {
    topic { id } userErrors { code } } }"""
CREATE_FOLLOW_UP = """mutation($o: ID!, $u: ID!, $t: String!) {
  createFollowUp(input: {outcomeId: $o, unitId: $u, task: $t, assignedOn: "2025-01-10",
                         dueOn: "2025-04-10"}) { followUp { id } userErrors { code } } }"""
CREATE_EVALUATION = """mutation($o: ID!) {
  createEvaluation(input: {outcomeId: $o, residentName: "王小明", satisfaction: SATISFIED,
                           channel: FORM}) { evaluation { id } userErrors { code } } }"""


async def _users(url: URL) -> dict[str, Any]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with session_factory(engine)() as session:
            return {u.username: u for u in (await session.scalars(sa.select(m.User))).all()}
    finally:
        await engine.dispose()


@dataclass
class Live:
    """A running app (lifespan started), the HTTP client acting as the system viewer, demo IDs and tokens."""

    app: Any
    client: TestClient
    county: str  # 蓬安县
    other: str  # a second county
    outcome: str
    own_unit: str  # the demo UNIT account's unit
    other_unit: str
    tokens: dict[str, str]

    def mutate(self, document: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": document, "variables": variables})
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        (payload,) = body["data"].values()
        assert payload["userErrors"] == [], payload
        return dict(payload)

    @contextmanager
    def connect(self, user: str | None = None) -> Iterator[WebSocketTestSession]:
        with self.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
            init: dict[str, Any] = {"type": "connection_init"}
            if user is not None:
                init["payload"] = {"authorization": f"Bearer {self.tokens[user]}"}
            ws.send_json(init)
            assert ws.receive_json()["type"] == "connection_ack"
            yield ws

    def subscribe(self, ws: WebSocketTestSession, op: str, document: str, county: str) -> None:
        """Start a subscription and wait until the bus has it (so no event is missed)."""
        before = self.app.state.bus.subscriber_count
        ws.send_json(
            {
                "type": "subscribe",
                "id": op,
                "payload": {"query": document, "variables": {"c": county}},
            }
        )
        for _ in range(1000):
            if self.app.state.bus.subscriber_count > before:
                return
            time.sleep(0.01)
        raise AssertionError(f"subscription {op} did not start: {ws.receive_json()}")


def receive(ws: WebSocketTestSession, timeout: float = 30) -> Any:
    """The next message, or a failure (not a hung test) when none comes."""
    box: queue.Queue[Any] = queue.Queue()
    threading.Thread(target=lambda: box.put(ws.receive_json()), daemon=True).start()
    try:
        return box.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no message within {timeout}s") from None


def next_data(ws: WebSocketTestSession, op: str) -> Any:
    message = receive(ws)
    assert (message["type"], message["id"]) == ("next", op), message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]


@pytest.fixture
def live(xieshang_demo_url: URL) -> Iterator[Live]:
    users = asyncio.run(_users(xieshang_demo_url))
    settings = settings_for(xieshang_demo_url, overdue_sweep_seconds=0, **UNLIMITED)
    app = with_system_viewer(create_app(settings))
    with TestClient(app) as client:
        ids = client.post(
            "/graphql",
            json={
                "query": """{ counties(first: 1) { edges { node { id } } }
                  topics(first: 1, filter: {status: IN_IMPLEMENTATION}) { edges { node {
                    consultations(first: 1) { edges { node {
                      outcomes(first: 1) { edges { node { id } } } } } } } } }
                  responsibleUnits(first: 20) { edges { node { id } } } }"""
            },
        ).json()["data"]
        own_unit = to_global_id("ResponsibleUnit", users["unit"].unit_id)
        units = [e["node"]["id"] for e in ids["responsibleUnits"]["edges"]]
        other = client.post(
            "/graphql",
            json={
                "query": """mutation { createCounty(input: {code: "511302", name: "顺庆区",
                  city: "南充市", province: "四川省"}) { county { id } userErrors { code } } }"""
            },
        ).json()["data"]["createCounty"]["county"]["id"]
        yield Live(
            app=app,
            client=client,
            county=ids["counties"]["edges"][0]["node"]["id"],
            other=other,
            # An outcome of a topic still in implementation: it takes further tasks.
            outcome=ids["topics"]["edges"][0]["node"]["consultations"]["edges"][0]["node"][
                "outcomes"
            ]["edges"][0]["node"]["id"],
            own_unit=own_unit,
            other_unit=next(u for u in units if u != own_unit),
            tokens={name: token_for(user, settings) for name, user in users.items()},
        )


def test_a_topic_reaches_its_countys_subscriber_only(live: Live) -> None:
    with live.connect("staff") as ws, live.connect() as everywhere:
        live.subscribe(ws, "a", TOPICS, live.county)
        live.subscribe(everywhere, "b", TOPICS, live.other)  # the system viewer, county B
        live.mutate(CREATE_TOPIC, c=live.other, t="乙县议题")
        live.mutate(CREATE_TOPIC, c=live.county, t="甲县议题")
        # County A's subscriber gets A's topic first: B's never reached it.
        data = next_data(ws, "a")["topicSubmitted"]
        assert (data["title"], data["county"]["name"]) == ("甲县议题", "蓬安县")
        assert next_data(everywhere, "b")["topicSubmitted"]["title"] == "乙县议题"


def test_two_connections_to_one_process_both_receive(live: Live) -> None:
    with live.connect("staff") as first, live.connect("member") as second:
        live.subscribe(first, "1", TOPICS, live.county)
        live.subscribe(second, "1", TOPICS, live.county)
        created = live.mutate(CREATE_TOPIC, c=live.county, t="同时收到")["topic"]["id"]
        assert next_data(first, "1")["topicSubmitted"]["id"] == created
        assert next_data(second, "1")["topicSubmitted"]["id"] == created


def test_follow_up_events_carry_the_change_and_a_unit_gets_its_own_tasks_only(live: Live) -> None:
    with live.connect("unit") as unit, live.connect("staff") as staff:
        live.subscribe(unit, "u", FOLLOW_UPS, live.county)
        live.subscribe(staff, "s", FOLLOW_UPS, live.county)
        live.mutate(CREATE_FOLLOW_UP, o=live.outcome, u=live.other_unit, t="别家任务")
        ours = live.mutate(CREATE_FOLLOW_UP, o=live.outcome, u=live.own_unit, t="本单位任务")
        live.mutate(
            """mutation($f: ID!) { addFollowUpNote(input: {followUpId: $f, content: "已开工"}) {
                 followUp { id } userErrors { code } } }""",
            f=ours["followUp"]["id"],
        )
        seen_by_staff = [next_data(staff, "s")["followUpChanged"] for _ in range(3)]
        assert [(e["change"], e["followUp"]["task"]) for e in seen_by_staff] == [
            ("ASSIGNED", "别家任务"),
            ("ASSIGNED", "本单位任务"),
            ("PROGRESS", "本单位任务"),
        ]
        # The unit's first event is its own task: the other unit's was skipped.
        seen_by_unit = [next_data(unit, "u")["followUpChanged"] for _ in range(2)]
        assert [(e["change"], e["followUp"]["id"]) for e in seen_by_unit] == [
            ("ASSIGNED", ours["followUp"]["id"]),
            ("PROGRESS", ours["followUp"]["id"]),
        ]
        assert {e["followUp"]["unit"]["id"] for e in seen_by_unit} == {live.own_unit}


def test_evaluations_are_masked_as_in_queries(live: Live) -> None:
    with live.connect("staff") as staff, live.connect("member") as member:
        live.subscribe(staff, "s", EVALUATIONS, live.county)
        live.subscribe(member, "m", EVALUATIONS, live.county)
        live.mutate(CREATE_EVALUATION, o=live.outcome)
        assert next_data(staff, "s")["evaluationSubmitted"]["residentName"] == "王小明"
        assert next_data(member, "m")["evaluationSubmitted"]["residentName"] == "王**"


def refusal(ws: WebSocketTestSession, op: str, document: str, county: str) -> list[Any]:
    ws.send_json(
        {"type": "subscribe", "id": op, "payload": {"query": document, "variables": {"c": county}}}
    )
    message = receive(ws)
    assert (message["type"], message["id"]) == ("error", op), message
    return [(e.get("extensions") or {}).get("code") for e in message["payload"]]


@pytest.mark.parametrize(
    ("user", "document"),
    [
        ("auditor", TOPICS),  # separation of duties: no county data
        ("unit", TOPICS),
        ("unit", EVALUATIONS),
        ("auditor", FOLLOW_UPS),
    ],
)
def test_roles_without_a_rule_are_refused(live: Live, user: str, document: str) -> None:
    with live.connect(user) as ws:
        assert refusal(ws, "1", document, live.county) == ["FORBIDDEN"]


@pytest.mark.parametrize("user", ["staff", "member", "unit", "city"])
def test_another_countys_events_are_refused(live: Live, user: str) -> None:
    with live.connect(user) as ws:
        assert refusal(ws, "1", FOLLOW_UPS, live.other) == ["FORBIDDEN"]


def test_a_malformed_county_id_is_refused(live: Live) -> None:
    with live.connect("staff") as ws:
        assert refusal(ws, "1", TOPICS, "not-an-id") == ["INVALID_ID"]
        assert refusal(ws, "2", TOPICS, live.outcome) == ["INVALID_ID"]  # an ID of another type


def test_anonymous_callers_receive_nothing(xieshang_demo_url: URL, live: Live) -> None:
    app = create_app(settings_for(xieshang_demo_url, overdue_sweep_seconds=0, **UNLIMITED))
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        for op, document in enumerate((TOPICS, FOLLOW_UPS, EVALUATIONS)):
            assert refusal(ws, str(op), document, live.county) == ["FORBIDDEN"]
        assert app.state.bus.subscriber_count == 0


def test_refusals_are_audited(live: Live) -> None:
    with live.connect("auditor") as ws:
        refusal(ws, "1", TOPICS, live.county)
    response = live.client.post(
        "/graphql",
        json={"query": "{ auditEvents(first: 100) { edges { node { action success } } } }"},
    )
    actions = [e["node"] for e in response.json()["data"]["auditEvents"]["edges"]]
    assert {"action": "denied:topicSubmitted", "success": False} in actions


def test_closing_the_socket_ends_the_subscription(live: Live) -> None:
    with live.connect("staff") as ws:
        live.subscribe(ws, "1", TOPICS, live.county)
        assert live.app.state.bus.subscriber_count == 1
        ws.send_json({"type": "complete", "id": "1"})
        for _ in range(1000):
            if live.app.state.bus.subscriber_count == 0:
                break
            time.sleep(0.01)
    assert live.app.state.bus.subscriber_count == 0


# -- two server processes on one PostgreSQL database -------------------------------------------


@contextmanager
def server(url: URL, secret: str, log: Path) -> Iterator[str]:
    """``uvicorn --factory xieshang.server:create_app`` on a free port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")}
    env |= {
        "XIESHANG_DATABASE_URL": url.render_as_string(hide_password=False),
        "XIESHANG_SECRET": secret,
        "XIESHANG_ENV": "test",
        "XIESHANG_OVERDUE_SWEEP_SECONDS": "0",
        "XIESHANG_RATE_LIMIT_USER": "100000/minute",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "xieshang.server:create_app"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until it answers (start-up includes connecting the listener)
            if process.poll() is not None:
                raise AssertionError(f"server exited: {log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"server did not start: {log.read_text()}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.postgresql  # on SQLite events stay in-process: see the two-connection test
async def test_an_event_crosses_server_processes(xieshang_demo_url: URL, tmp_path: Path) -> None:
    from websockets.asyncio.client import connect

    secret = "cross-process-test-secret-" + "x" * 32
    users = await _users(xieshang_demo_url)
    settings = settings_for(xieshang_demo_url, secret=secret)
    token = token_for(users["staff"], settings)
    county = to_global_id("County", users["staff"].county_id)
    with (
        server(xieshang_demo_url, secret, tmp_path / "a.log") as writer,
        server(xieshang_demo_url, secret, tmp_path / "b.log") as reader,
    ):
        ws_url = reader.replace("http://", "ws://") + "/graphql"
        async with (
            connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[list-item]
            httpx.AsyncClient(
                base_url=writer, headers={"Authorization": f"Bearer {token}"}
            ) as http,
        ):
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

            async def create(title: str) -> str:
                response = await http.post(
                    "/graphql",
                    json={"query": CREATE_TOPIC, "variables": {"c": county, "t": title}},
                )
                body = response.json()
                assert response.status_code == 200 and not body.get("errors"), body
                return str(body["data"]["createTopic"]["topic"]["id"])

            async def received() -> dict[str, Any]:
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                assert (message["type"], message["id"]) == ("next", "1"), message
                return dict(message["payload"]["data"]["topicSubmitted"])

            # The subscription starts on B at some moment after "subscribe": write on A until
            # B reports, then every write must arrive, in order.
            created: list[str] = []
            first: dict[str, Any] | None = None
            for attempt in range(20):
                created.append(await create(f"跨进程预热{attempt}"))
                try:
                    first = json.loads(await asyncio.wait_for(ws.recv(), 1))
                    break
                except TimeoutError:
                    continue
            assert first is not None, (tmp_path / "b.log").read_text()
            assert first["payload"]["data"]["topicSubmitted"]["id"] in created
            # Drain what the warm-up may still have in flight, then the strict part.
            position = created.index(first["payload"]["data"]["topicSubmitted"]["id"])
            for expected in created[position + 1 :]:
                assert (await received())["id"] == expected
            for title in ("跨进程一", "跨进程二"):
                topic = await create(title)
                data = await received()
                assert (data["id"], data["title"], data["county"]["name"]) == (
                    topic,
                    title,
                    "蓬安县",
                )

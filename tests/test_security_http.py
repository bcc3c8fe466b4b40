"""HTTP hardening: security headers, CORS allow-list, WebSocket origin and authentication, and
what the production configuration turns off."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from xieshang.config import Settings
from xieshang.demo.accounts import DEMO_PASSWORD
from xieshang.server import create_app
from xieshang.testing import settings_for

FRONTEND = "https://xieshang.example.gov.cn"
QUERY = {"query": "{ studios { totalCount } }"}
INTROSPECTION = {"query": "{ __schema { queryType { name } types { name } } }"}
LOGIN = (
    'mutation { login(input: {username: "staff", password: "' + DEMO_PASSWORD + '"})'
    " { accessToken } }"
)


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://xieshang.test"
    )


async def test_responses_carry_security_headers(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    async with _client(app) as client:
        response = await client.post("/graphql", json=QUERY)
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert len(headers["x-request-id"]) >= 8
    assert "strict-transport-security" not in headers  # only in production (behind TLS)


async def test_a_callers_request_id_is_kept_when_sane(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    async with _client(app) as client:
        kept = await client.post("/graphql", json=QUERY, headers={"X-Request-ID": "gw-12345678"})
        replaced = await client.post(
            "/graphql", json=QUERY, headers={"X-Request-ID": "bad id\r\nX-Evil: 1"}
        )
    assert kept.headers["x-request-id"] == "gw-12345678"
    assert replaced.headers["x-request-id"] != "bad id" and "x-evil" not in replaced.headers


async def test_cors_answers_only_the_allowed_origins(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = create_app(
        settings_for(xieshang_demo_url, cors_origins=(FRONTEND,)), engine=xieshang_demo_engine
    )
    async with _client(app) as client:
        allowed = await client.post("/graphql", json=QUERY, headers={"Origin": FRONTEND})
        other = await client.post(
            "/graphql", json=QUERY, headers={"Origin": "https://evil.example.com"}
        )
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": FRONTEND,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        refused_preflight = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == FRONTEND
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert refused_preflight.status_code == 400


# -- WebSocket -------------------------------------------------------------------------------


@pytest.fixture
def ws_app(xieshang_demo_url: URL) -> TestClient:
    return TestClient(create_app(settings_for(xieshang_demo_url, cors_origins=(FRONTEND,))))


def _subscribe(ws: Any, query: str) -> dict[str, Any]:
    ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query}})
    message: dict[str, Any] = ws.receive_json()
    return message


def test_websockets_from_other_origins_are_refused(ws_app: TestClient) -> None:
    protocols = ["graphql-transport-ws"]
    with ws_app:
        with ws_app.websocket_connect(
            "/graphql", subprotocols=protocols, headers={"Origin": FRONTEND}
        ) as ws:
            ws.send_json({"type": "connection_init"})
            assert ws.receive_json()["type"] == "connection_ack"
        with (
            pytest.raises(WebSocketDisconnect),
            ws_app.websocket_connect(
                "/graphql", subprotocols=protocols, headers={"Origin": "https://evil.example.com"}
            ) as ws,
        ):
            ws.send_json({"type": "connection_init"})
            ws.receive_json()


def test_websockets_authenticate_at_connection_init(ws_app: TestClient) -> None:
    protocols = ["graphql-transport-ws"]
    with ws_app:
        token = ws_app.post("/graphql", json={"query": LOGIN}).json()["data"]["login"][
            "accessToken"
        ]
        with ws_app.websocket_connect("/graphql", subprotocols=protocols) as ws:
            ws.send_json(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            )
            assert ws.receive_json()["type"] == "connection_ack"
            answer = _subscribe(ws, "{ me { username } }")
            assert answer["payload"]["data"] == {"me": {"username": "staff"}}
        with ws_app.websocket_connect("/graphql", subprotocols=protocols) as ws:
            ws.send_json({"type": "connection_init"})  # no token: anonymous, as over HTTP
            assert ws.receive_json()["type"] == "connection_ack"
            answer = _subscribe(ws, "{ auditEvents { totalCount } }")
            assert answer["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        with ws_app.websocket_connect("/graphql", subprotocols=protocols) as ws:
            ws.send_json(
                {"type": "connection_init", "payload": {"authorization": "Bearer forged.token.x"}}
            )
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == 4403


def test_a_bad_token_on_the_websocket_handshake_is_refused(ws_app: TestClient) -> None:
    with (
        ws_app,
        pytest.raises(WebSocketDisconnect) as closed,
        ws_app.websocket_connect(
            "/graphql",
            subprotocols=["graphql-transport-ws"],
            headers={"Authorization": "Bearer forged.token.x"},
        ) as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4401


# -- production ----------------------------------------------------------------------------------


def _production(url: URL, **env: str) -> Settings:
    return Settings.from_env(
        {
            "XIESHANG_ENV": "production",
            "XIESHANG_SECRET": "p" * 48,
            "XIESHANG_DATABASE_URL": url.render_as_string(hide_password=False),
            **env,
        }
    )


async def test_production_refuses_introspection_graphiql_and_suggestions(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = create_app(_production(xieshang_demo_url), engine=xieshang_demo_engine)
    async with _client(app) as client:
        introspection = await client.post("/graphql", json=INTROSPECTION)
        hidden_type = await client.post(
            "/graphql", json={"query": '{ __type(name: "Member") { name } }'}
        )
        ide = await client.get("/graphql", headers={"Accept": "text/html"})
        typo = await client.post("/graphql", json={"query": "{ studio { totalCount } }"})
        plain = await client.post("/graphql", json=QUERY)
    assert introspection.json().get("data") is None and introspection.json()["errors"]
    assert hidden_type.json().get("data") is None and hidden_type.json()["errors"]
    assert "text/html" not in ide.headers.get("content-type", "") and ide.status_code != 200
    message = typo.json()["errors"][0]["message"]
    assert "Did you mean" not in message and "studios" not in message
    assert plain.status_code == 200 and plain.json()["data"] == {"studios": {"totalCount": 16}}
    assert plain.headers["strict-transport-security"].startswith("max-age=")


async def test_development_offers_introspection_and_graphiql(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    async with _client(app) as client:
        introspection = await client.post("/graphql", json=INTROSPECTION)
        ide = await client.get("/graphql", headers={"Accept": "text/html"})
    assert introspection.json()["data"]["__schema"]["queryType"] == {"name": "Query"}
    assert ide.status_code == 200 and "text/html" in ide.headers["content-type"]


async def test_production_can_turn_introspection_back_on_explicitly(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    settings = _production(xieshang_demo_url, XIESHANG_INTROSPECTION="1")
    app = create_app(settings, engine=xieshang_demo_engine)
    async with _client(app) as client:
        introspection = await client.post("/graphql", json=INTROSPECTION)
    assert introspection.json()["data"]["__schema"]["queryType"] == {"name": "Query"}

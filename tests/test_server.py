"""HTTP and WebSocket surface of the app: health, GET/POST, subscription protocols."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import URL
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from xieshang.server import create_app
from xieshang.testing import settings_for


@pytest.fixture
def client(xieshang_demo_url: URL) -> TestClient:
    return TestClient(create_app(settings_for(xieshang_demo_url)))


def test_healthz(client: TestClient) -> None:
    with client:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_graphql_transport_ws_is_served(client: TestClient) -> None:
    with client, client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {"type": "subscribe", "id": "1", "payload": {"query": "{ studios { totalCount } }"}}
        )
        message = ws.receive_json()
        assert (message["type"], message["id"]) == ("next", "1")
        assert message["payload"]["data"] == {"studios": {"totalCount": 16}}
        assert ws.receive_json() == {"type": "complete", "id": "1"}


def test_the_legacy_graphql_ws_protocol_is_refused(client: TestClient) -> None:
    with (
        client,
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        ws.receive_json()


def test_mutation_over_get_is_refused(client: TestClient) -> None:
    with client:
        response = client.get(
            "/graphql",
            params={
                "query": 'mutation { createSector(input: {countyId: "x", name: "y"}) { sector { id } } }'
            },
        )
    assert response.status_code in (400, 405)

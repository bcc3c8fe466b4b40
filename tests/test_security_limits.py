"""Query limits (depth, aliases, tokens, cost, page size, batching) and HTTP limits (body size,
rate, time), each tested at its edge."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from rate_limit_helpers import STORAGES, clear_counter, client_address
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from xieshang.db import models as m
from xieshang.server import create_app
from xieshang.testing import settings_for


def _chain(levels: int) -> str:
    """A query ``levels`` deep (Relay plumbing not counted): consultations → topic →
    consultations → … → id."""
    query = "id"
    for level in reversed(range(levels - 1)):
        query = (
            f"consultations(first: 1) {{ edges {{ node {{ {query} }} }} }}"
            if level % 2 == 0
            else f"topic {{ {query} }}"
        )
    return f"{{ {query} }}"


async def test_depth_is_limited_to_ten(xieshang_graphql: Any) -> None:
    client = xieshang_graphql()
    ten = await client.post(_chain(10))
    assert ten.errors == [] and ten.data is not None
    eleven = await client.post(_chain(11))
    assert eleven.error_codes == ["DEPTH_LIMIT_EXCEEDED"] and eleven.data is None
    assert "11" in eleven.errors[0]["message"]


def _aliases(count: int) -> str:
    return " ".join(f"a{i}: __typename" for i in range(count))


async def test_aliases_are_limited_to_twenty_including_through_fragments(
    xieshang_graphql: Any,
) -> None:
    client = xieshang_graphql()
    assert (await client.post(f"{{ {_aliases(20)} }}")).errors == []
    refused = await client.post(f"{{ {_aliases(21)} }}")
    assert refused.status_code == 200 and refused.errors
    assert "alias" in refused.errors[0]["message"].lower()
    # Eleven aliases in a fragment spread twice are twenty-two.
    spread = f"fragment F on Query {{ {_aliases(11)} }} query {{ ...F ... on Query {{ ...F }} }}"
    assert (await client.post(spread)).errors
    assert (await client.post(f"fragment F on Query {{ {_aliases(10)} }} {{ ...F }}")).errors == []


async def test_tokens_are_limited(xieshang_graphql: Any) -> None:
    client = xieshang_graphql()
    fields = " ".join(["__typename"] * 2600)  # 2,600 names and the braces: over 5,000 tokens
    refused = await client.post(f"{{ {fields} {fields} }}")
    assert refused.errors and "token" in refused.errors[0]["message"].lower()
    assert (await client.post(f"{{ {' '.join(['__typename'] * 100)} }}")).errors == []


async def test_cost_is_reported_and_limited(xieshang_graphql: Any) -> None:
    client = xieshang_graphql()
    small = await client.post("{ members(first: 10) { edges { node { name } } } }")
    # One per field, those under the list once per member it may return: 1 + 10 × 3 = 31.
    assert small.body["extensions"]["cost"] == 31
    huge = await client.post(
        """{ members(first: 100) { edges { node { studios(first: 100) { edges { node {
             members(first: 100) { edges { node { name } } } } } } } } } }"""
    )
    assert huge.error_codes == ["COST_LIMIT_EXCEEDED"] and huge.data is None
    assert huge.body["extensions"]["cost"] > 200_000
    ids = ["TWVtYmVyOjE"] * 5000
    many = await client.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert many.error_codes == ["PAGE_SIZE_EXCEEDED"]  # nodes takes at most 100 IDs


async def test_page_size_is_limited_to_a_hundred(xieshang_graphql: Any) -> None:
    client = xieshang_graphql()
    assert (await client.post("{ members(first: 100) { totalCount } }")).errors == []
    refused = await client.post("{ members(first: 101) { totalCount } }")
    assert refused.error_codes == ["PAGE_SIZE_EXCEEDED"]
    nested = await client.post(
        "{ studios(first: 1) { edges { node { members(first: 101) { totalCount } } } } }"
    )
    assert "PAGE_SIZE_EXCEEDED" in nested.error_codes


async def test_batched_requests_are_refused(xieshang_graphql: Any) -> None:
    client = xieshang_graphql()
    response = await client.http.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    assert response.status_code == 400


def _app(url: URL, engine: AsyncEngine, **settings: Any) -> Any:
    return create_app(settings_for(url, **settings), engine=engine)


def _client(app: Any, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://xieshang.test")


QUERY = {"query": "{ studios { totalCount } }"}


async def test_request_bodies_over_the_limit_are_refused(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    app = _app(xieshang_demo_url, xieshang_demo_engine, max_body_bytes=2000)
    async with _client(app) as client:
        assert (await client.post("/graphql", json=QUERY)).status_code == 200
        big = {"query": "{ studios { totalCount } }", "variables": {"pad": "x" * 3000}}
        declared = await client.post("/graphql", json=big)
        assert declared.status_code == 413
        assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        async def chunks() -> Any:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b" " * 500

        streamed = await client.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413


# Shared counters in Redis are tested where a Redis is given (.ci/run gives one: database 15).
@pytest.mark.parametrize("storage", STORAGES)
async def test_rate_limits_answer_429_with_retry_after(
    storage: str, xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    if storage.startswith("redis"):
        # The demo staff account's ID is the same in every copy of the demo, so its counter in
        # the shared Redis may hold another run's requests: start it afresh.
        async with xieshang_demo_engine.connect() as conn:
            staff = await conn.scalar(sa.select(m.User.id).where(m.User.username == "staff"))
        await clear_counter(storage, "5/minute", f"user:{staff}")
    app = _app(
        xieshang_demo_url,
        xieshang_demo_engine,
        rate_limit_anonymous="3/minute",
        rate_limit_user="5/minute",
        rate_limit_storage=storage,
    )
    async with (
        _client(app, client_address()) as first,
        _client(app, client_address()) as second,
    ):
        statuses = [(await first.post("/graphql", json=QUERY)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = await first.post("/graphql", json=QUERY)
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= int(refused.headers["retry-after"]) <= 61
        # Another address has its own allowance …
        assert (await second.post("/graphql", json=QUERY)).status_code == 200
        # … and so does a signed-in user, counted by account, not by address.
        login = await second.post(
            "/graphql",
            json={
                "query": 'mutation { login(input: {username: "staff", password: "xieshang-demo-2024"})'
                " { accessToken } }"
            },
        )
        token = login.json()["data"]["login"]["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        user_statuses = [
            (await c.post("/graphql", json=QUERY, headers=headers)).status_code
            for c in (first, second, first, second, first, second)
        ]
        assert user_statuses == [200] * 5 + [429]
        # Health checks are never limited.
        assert (await first.get("/healthz")).status_code == 200


async def test_a_bad_rate_limit_setting_is_a_clear_error(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    from xieshang.errors import ConfigError

    with pytest.raises(ConfigError, match="限流"):
        app = _app(xieshang_demo_url, xieshang_demo_engine, rate_limit_anonymous="lots")
        async with _client(app) as client:
            await client.post("/graphql", json=QUERY)


async def test_requests_running_over_the_time_limit_get_503(
    xieshang_demo_url: URL, xieshang_demo_engine: AsyncEngine
) -> None:
    # A limit far below one database round trip: every query that touches the database is over.
    app = _app(xieshang_demo_url, xieshang_demo_engine, request_timeout_seconds=1e-6)
    async with _client(app) as client:
        response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"

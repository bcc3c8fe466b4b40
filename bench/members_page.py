"""GraphQL versus plain JSON: one 100-row, 8-field page of members, in-process.

Three endpoints on the same engine (a SQLite file with the demo county): a hand-written
Starlette JSON endpoint running the same SQL; /graphql as xieshang ships it; and /graphql with
strawberry as it comes (no parser or validation cache, no direct resolvers for plain fields).
Prints the time per request of each and the ratios to the plain endpoint, all measured in this
run (these machines are noisy: compare ratios, not seconds).

    python bench/members_page.py [--rounds 7] [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from xieshang.config import Settings
from xieshang.db import migrate
from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory
from xieshang.demo import pengan
from xieshang.schema.relay import to_global_id
from xieshang.server import create_app

QUERY = """{ members(first: 100) { edges { node {
  id name code gender township isStandingCommittee term status } } } }"""


def plain_app(engine: Any) -> Starlette:
    """The hand-written endpoint: the same page, the same fields, straight to JSON."""
    columns = [m.Member.id, m.Member.name, m.Member.code, m.Member.gender, m.Member.township,
               m.Member.is_standing_committee, m.Member.term, m.Member.status]  # fmt: skip
    stmt = (
        sa.select(*columns).where(m.Member.archived_at.is_(None)).order_by(m.Member.id).limit(101)
    )

    async def members(_request: Request) -> JSONResponse:
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        nodes = [
            {
                "id": to_global_id("Member", r.id),
                "name": r.name,
                "code": r.code,
                "gender": r.gender.value if r.gender else None,
                "township": r.township,
                "isStandingCommittee": r.is_standing_committee,
                "term": r.term,
                "status": r.status.value,
            }
            for r in rows[:100]
        ]
        return JSONResponse({"data": {"members": {"edges": [{"node": n} for n in nodes]}}})

    return Starlette(routes=[Route("/members", members)])


async def per_request(client: httpx.AsyncClient, send: Any, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        response = await send(client)
        assert response.status_code == 200
    return (time.perf_counter() - started) / requests


async def main(rounds: int, requests: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="xieshang-bench-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await migrate.upgrade(url)
    engine = create_engine(url)
    await pengan.load(session_factory(engine))
    settings = Settings(database_url=url)

    def client(app: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://b")

    graphql = client(create_app(settings, engine=engine))
    stock = client(create_app(settings, engine=engine, tuned=False))
    plain = client(plain_app(engine))

    async def send_graphql(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/graphql", json={"query": QUERY})

    async def send_plain(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/members")

    # Same answer from both (the plain one has no cursors, which GraphQL does not ask for here).
    p = (await send_plain(plain)).json()
    for c in (graphql, stock):
        assert (await send_graphql(c)).json() == p, "the endpoints disagree"
    for _ in range(3):  # warm-up: caches, connection pool, code paths
        for c, send in ((graphql, send_graphql), (stock, send_graphql), (plain, send_plain)):
            await per_request(c, send, 10)

    times: dict[str, list[float]] = {"plain": [], "xieshang": [], "stock": []}
    for _ in range(rounds):  # interleaved so that machine noise hits all alike
        times["plain"].append(await per_request(plain, send_plain, requests))
        times["xieshang"].append(await per_request(graphql, send_graphql, requests))
        times["stock"].append(await per_request(stock, send_graphql, requests))
    ms = {name: statistics.median(values) * 1000 for name, values in times.items()}
    print(
        f"plain JSON endpoint          : {ms['plain']:6.2f} ms/request (median of {rounds} rounds × {requests})"
    )
    print(
        f"/graphql, strawberry as-is   : {ms['stock']:6.2f} ms/request   {ms['stock'] / ms['plain']:5.2f}× plain"
    )
    print(
        f"/graphql, xieshang as shipped: {ms['xieshang']:6.2f} ms/request   {ms['xieshang'] / ms['plain']:5.2f}× plain"
    )
    for c in (graphql, stock, plain):
        await c.aclose()
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.requests))

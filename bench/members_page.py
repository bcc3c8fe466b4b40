"""GraphQL versus plain JSON: one 100-row, 8-field page of members, in-process.

Three endpoints on the same engine (a SQLite file with the demo county): a hand-written
Starlette JSON endpoint running the same SQL; /graphql as xieshang ships it, asked anonymously
and with a staff account's bearer token (token check, account lookup, policy, masking); and
/graphql with strawberry as it comes (no parser or validation cache, no direct resolvers for
plain fields).
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
from xieshang.demo import county as demo_county
from xieshang.domain.accounts import access_token
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
    await demo_county.load(session_factory(engine))
    # The bench sends far more than a caller may: rate limits out of the way.
    settings = Settings(
        database_url=url, rate_limit_anonymous="10000000/minute", rate_limit_user="10000000/minute"
    )
    async with session_factory(engine)() as session:
        staff = await session.scalar(sa.select(m.User).where(m.User.username == "staff"))
    assert staff is not None
    bearer = {"Authorization": f"Bearer {access_token(settings, staff)[0]}"}

    def client(app: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://b")

    graphql = client(create_app(settings, engine=engine))
    stock = client(create_app(settings, engine=engine, tuned=False))
    plain = client(plain_app(engine))

    async def send_graphql(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/graphql", json={"query": QUERY})

    async def send_signed_in(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/graphql", json={"query": QUERY}, headers=bearer)

    async def send_plain(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/members")

    # Same answer from both (the plain one has no cursors, which GraphQL does not ask for here).
    p = (await send_plain(plain)).json()
    for c in (graphql, stock):
        answer = (await send_graphql(c)).json()
        answer.pop("extensions")  # the reported cost
        assert answer == p, "the endpoints disagree"
    signed_in = (await send_signed_in(graphql)).json()
    signed_in.pop("extensions")
    assert signed_in == p, "the signed-in answer differs"
    variants = {
        "plain": (plain, send_plain),
        "xieshang": (graphql, send_graphql),
        "signed_in": (graphql, send_signed_in),
        "stock": (stock, send_graphql),
    }
    for _ in range(3):  # warm-up: caches, connection pool, code paths
        for c, send in variants.values():
            await per_request(c, send, 10)

    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):  # interleaved so that machine noise hits all alike
        for name, (c, send) in variants.items():
            times[name].append(await per_request(c, send, requests))
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
    print(
        f"/graphql, xieshang signed in : {ms['signed_in']:6.2f} ms/request"
        f"   {ms['signed_in'] / ms['plain']:5.2f}× plain"
        f"   {ms['signed_in'] / ms['xieshang']:5.2f}× anonymous"
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

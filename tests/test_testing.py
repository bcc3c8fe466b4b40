"""``xieshang.testing``: the pytest plugin every project with xieshang installed loads."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

import xieshang.testing
from xieshang.server import create_app
from xieshang.testing import (
    DEFAULT_DEMO_USER,
    TEST_DATABASE_ENV,
    GraphQLClient,
    TestDatabases,
    settings_for,
    with_system_viewer,
)

#: What the plugin must not import when pytest loads it: the app, the schema and their libraries.
HEAVY = ("xieshang.server", "xieshang.schema", "xieshang.db", "sqlalchemy", "strawberry")


def test_loading_the_plugin_imports_neither_the_app_nor_its_libraries() -> None:
    code = (
        "import json, sys, xieshang.testing\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == []


def test_harness_names_are_still_importable_from_the_plugin() -> None:
    from xieshang.domain.policy import Viewer
    from xieshang.engine.registry import RulePlugins
    from xieshang.rules.results import Assessment

    assert xieshang.testing.Viewer is Viewer
    assert xieshang.testing.RulePlugins is RulePlugins
    assert xieshang.testing.Assessment is Assessment
    assert set(xieshang.testing.__all__) <= set(dir(xieshang.testing)) | {
        "Assessment",
        "RulePlugins",
        "Viewer",
    }
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = xieshang.testing.nothing_here


ME = "{ me { username role } }"
OTHER_COUNTY = """mutation { createCounty(input: {code: "511302", name: "顺庆区", city: "南充市",
  province: "四川省"}) { county { name } userErrors { code } } }"""


async def test_the_default_client_is_the_demo_staff_account(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql()
    assert await client.query(ME) == {"me": {"username": DEFAULT_DEMO_USER, "role": "STAFF"}}
    refused = await client.post(OTHER_COUNTY)
    assert refused.error_codes == ["FORBIDDEN"]
    admin: GraphQLClient = xieshang_graphql(as_user="admin")
    assert (await admin.query(ME))["me"]["role"] == "ADMIN"
    anonymous: GraphQLClient = xieshang_graphql(anonymous=True)
    assert (await anonymous.query(ME))["me"] is None
    with pytest.raises(TypeError, match="one of"):
        xieshang_graphql(anonymous=True, system=True)


async def test_only_the_opt_in_client_is_the_system_viewer(
    xieshang_graphql: Any, xieshang_demo_url: URL, xieshang_demo_engine: Any
) -> None:
    system: GraphQLClient = xieshang_graphql(system=True)
    created = await system.query(OTHER_COUNTY)
    assert created["createCounty"] == {"county": {"name": "顺庆区"}, "userErrors": []}
    # A token still decides who a request is, on the system client too.
    staff: GraphQLClient = xieshang_graphql()
    system.http.headers["Authorization"] = staff.http.headers["Authorization"]
    assert (await system.query(ME))["me"]["username"] == DEFAULT_DEMO_USER

    # The app as create_app makes it — as production gets it — has no system viewer.
    app = create_app(settings_for(xieshang_demo_url), engine=xieshang_demo_engine)
    plain = GraphQLClient(app)
    try:
        assert (await plain.post(OTHER_COUNTY)).error_codes == ["FORBIDDEN"]
        # And it cannot be switched on once the app has served a request.
        with pytest.raises(RuntimeError, match="already started"):
            with_system_viewer(app)
    finally:
        await plain.aclose()


async def _tables(url: URL) -> list[str]:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from xieshang.db.engine import create_engine

    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return list(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


def _exists(databases: TestDatabases, url: URL) -> bool:
    if databases.server is None:
        return Path(str(url.database)).exists()
    return asyncio.run(_on_server(databases, url))


async def _on_server(databases: TestDatabases, url: URL) -> bool:
    from sqlalchemy.pool import NullPool

    from xieshang.db.engine import create_engine

    assert databases.server is not None
    engine = create_engine(databases.server, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            found = await conn.exec_driver_sql(
                "SELECT count(*) FROM pg_database WHERE datname = $1", (str(url.database),)
            )
            return bool(found.scalar())
    finally:
        await engine.dispose()


def test_copies_for_tests_are_made_ahead_and_every_database_is_dropped(tmp_path: Path) -> None:
    """What the per-test fixtures do (on PostgreSQL with threads in the background)."""
    databases = TestDatabases(os.environ.get(TEST_DATABASE_ENV), tmp_path)
    template = asyncio.run(databases.create("template"))
    asyncio.run(_create_table(template))
    first = databases.copy_for_test(template, "copy")
    second = databases.copy_for_test(template, "copy")
    assert first != second
    assert asyncio.run(_tables(first)) == asyncio.run(_tables(second)) == ["notes"]
    databases.drop_soon(first)
    asyncio.run(databases.drop_all())  # waits for the drop, and drops the next copy made ahead
    made = [first, second, template]
    assert [_exists(databases, url) for url in made] == [False, False, False]
    assert databases.created == []


async def _create_table(url: URL) -> None:
    from sqlalchemy.pool import NullPool

    from xieshang.db.engine import create_engine

    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    finally:
        await engine.dispose()

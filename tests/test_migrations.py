"""Migrations create the schema the models describe, on the engine under test."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL

from xieshang.db import migrate
from xieshang.db.base import Base
from xieshang.db.engine import create_engine
from xieshang.errors import NotMigratedError
from xieshang.testing import TestDatabases


async def _diff(url: URL) -> list:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "compare_server_default": True}
                    ),
                    Base.metadata,
                )
            )
    finally:
        await engine.dispose()


async def _tables(url: URL) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_autogenerate_finds_no_drift_between_models_and_migrations(
    xieshang_databases: TestDatabases,
) -> None:
    url = await xieshang_databases.create("drift")
    await migrate.upgrade(url)
    assert await _diff(url) == []
    assert await migrate.current(url) == migrate.head_revision()


@pytest.mark.slow  # every migration down and up again
async def test_downgrade_to_base_and_back(xieshang_databases: TestDatabases) -> None:
    url = await xieshang_databases.create("roundtrip")
    assert await migrate.current(url) is None
    await migrate.upgrade(url)
    model_tables = set(Base.metadata.tables)
    assert model_tables <= await _tables(url)
    await migrate.downgrade(url, "base")
    assert await migrate.current(url) is None
    assert not (model_tables & await _tables(url))
    await migrate.upgrade(url)
    assert await _diff(url) == []


async def test_ensure_at_head_refuses_an_unmigrated_database(
    xieshang_databases: TestDatabases,
) -> None:
    url = await xieshang_databases.create("empty")
    try:
        await migrate.ensure_at_head(url)
    except NotMigratedError as exc:
        assert exc.code == "DATABASE_NOT_MIGRATED"
        assert "xieshang db upgrade" in exc.message
    else:
        raise AssertionError("an empty database passed the head check")
    await migrate.upgrade(url)
    await migrate.ensure_at_head(url)  # no error once at head

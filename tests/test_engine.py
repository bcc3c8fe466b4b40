"""Engine set-up: URL handling, SQLite pragmas, write transactions that queue."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.engine import create_engine, parse_database_url, write_session_factory
from xieshang.errors import ConfigError


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///./xieshang.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h:5432/db", "postgresql+asyncpg"),
    ],
)
def test_urls_are_normalised_to_async_drivers(given: str, driver: str) -> None:
    assert parse_database_url(given).drivername == driver


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ("mysql://u@h/db", "不支持的数据库类型"),
        ("not a url", "无法解析"),
        ("sqlite://", "数据库文件"),
        ("sqlite:///:memory:", "数据库文件"),
    ],
)
def test_bad_urls_are_config_errors(given: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        parse_database_url(given)
    assert info.value.code == "CONFIG_INVALID"


def test_sqlite_in_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="目录不存在"):
        create_engine(f"sqlite:///{tmp_path}/missing/x.db")


def test_default_database_is_a_sqlite_file() -> None:
    settings = Settings.from_env({})
    assert parse_database_url(settings.database_url).get_backend_name() == "sqlite"
    assert settings.database_url.endswith("/xieshang.db")


async def test_sqlite_connections_have_foreign_keys_wal_and_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/p.db")
    try:
        async with engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
    finally:
        await engine.dispose()
    assert pragmas["foreign_keys"] == 1
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["busy_timeout"] >= 5000


async def test_sqlite_reads_run_in_real_transactions(tmp_path: Path) -> None:
    """A read transaction keeps its snapshot; in autocommit it would see the other write."""
    engine = create_engine(f"sqlite:///{tmp_path}/t.db")
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        async with engine.connect() as reader:
            before = (await reader.exec_driver_sql("SELECT count(*) FROM t")).scalar()
            async with engine.begin() as writer:
                await writer.exec_driver_sql("INSERT INTO t VALUES (1)")
            during = (await reader.exec_driver_sql("SELECT count(*) FROM t")).scalar()
            await reader.commit()
            after = (await reader.exec_driver_sql("SELECT count(*) FROM t")).scalar()
    finally:
        await engine.dispose()
    assert (before, during, after) == (0, 0, 1)


async def test_concurrent_read_then_write_transactions_queue(xieshang_database_url: URL) -> None:
    """Two mutations that read (FOR UPDATE) then write at the same time both succeed in turn.

    SQLite queues them at BEGIN IMMEDIATE; PostgreSQL at the row lock.
    """
    engine = create_engine(xieshang_database_url)
    writers = write_session_factory(engine)
    try:
        async with writers() as session, session.begin():
            session.add(m.County(code="511323", name="蓬安县", city="南充市", province="四川省"))

        async def rename(suffix: str) -> None:
            async with writers() as session, session.begin():
                county = await session.scalar(sa.select(m.County).with_for_update())
                assert county is not None
                await asyncio.sleep(0.05)  # hold the transaction open across the other's start
                county.name = county.name + suffix

        await asyncio.gather(rename("一"), rename("二"))
        async with writers() as session:
            county = await session.scalar(sa.select(m.County))
            assert county is not None
            assert sorted(county.name[-2:]) == sorted("一二")
            assert county.version == 3
    finally:
        await engine.dispose()

"""Async engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from xieshang.errors import ConfigError

#: How long a SQLite writer waits for another writer's lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 15_000

#: Execution option marking a connection whose transactions write (see ``write_sessions``).
WRITE_OPTION = "xieshang_write"

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_database_url(url: str | URL) -> URL:
    """Parse and normalise a database URL to one of the two supported async drivers.

    ``sqlite:///x.db`` and ``postgresql://…`` are accepted and mapped to aiosqlite and asyncpg;
    anything else is a :class:`ConfigError` with a message that names what is accepted.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"数据库地址无法解析：{str(url)!r}（应形如 sqlite+aiosqlite:///./xieshang.db"
            " 或 postgresql+asyncpg://user@host:5432/dbname）"
        ) from exc
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigError(
            f"不支持的数据库类型：{parsed.drivername!r}；xieshang 支持 SQLite 与 PostgreSQL"
        )
    parsed = parsed.set(drivername=driver)
    if driver.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        # One shared in-memory connection lets coroutines roll back each other's work.
        raise ConfigError(
            "SQLite 必须使用数据库文件（不支持内存数据库），例如 sqlite+aiosqlite:///./xieshang.db"
        )
    return parsed


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, which sends no BEGIN
        # before reads or DDL; SQLAlchemy's "begin" event below emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A write transaction takes the write lock at BEGIN: a deferred transaction that reads
        # first and writes later fails at once ("database is locked") when another writer
        # committed meanwhile, whatever the busy timeout says.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(
    url: str | URL, *, sqlite_foreign_keys: bool = True, **kwargs: Any
) -> AsyncEngine:
    """An async engine for ``url`` with the per-engine settings xieshang relies on.

    SQLite: foreign keys on, WAL, busy timeout, real transactions. PostgreSQL: pool
    pre-ping so that a restarted server does not fail the first request after it.
    ``sqlite_foreign_keys=False`` is for migrations only, which rebuild tables.
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or ".").expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"SQLite 数据库文件所在目录不存在：{folder}")
        engine = create_async_engine(parsed, **kwargs)
        _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (results outlive the transaction)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def write_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for transactions that read then write (mutations).

    On SQLite their transactions begin IMMEDIATE, so concurrent writers queue on the busy
    timeout instead of failing; on PostgreSQL they are ordinary sessions.
    """
    bound = engine.execution_options(**{WRITE_OPTION: True})
    return async_sessionmaker(bound, expire_on_commit=False, autoflush=False)

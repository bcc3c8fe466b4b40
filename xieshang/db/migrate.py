"""Schema migrations (Alembic) driven from Python: upgrade, downgrade, current, revision.

Production code never calls ``metadata.create_all``: the migrations in
``xieshang/db/migrations/versions`` are the only way the schema is made or changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from xieshang.db.engine import create_engine, parse_database_url
from xieshang.errors import DatabaseError, NotMigratedError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of xieshang."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "xieshang ships at least one migration"
    return head


async def _with_connection(url: str | URL, fn: Callable[[sa.Connection], Any]) -> Any:
    parsed = parse_database_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    # SQLite rebuilds tables for most ALTERs ("batch" mode); foreign keys stay off while it
    # does, and are checked as a whole afterwards.
    engine = create_engine(parsed, poolclass=NullPool, sqlite_foreign_keys=not is_sqlite)
    try:
        async with engine.begin() as conn:
            result = await conn.run_sync(fn)
            if is_sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise DatabaseError(f"迁移后外键检查失败：{broken[:5]}")
            return result
    except (OperationalError, DBAPIError, OSError) as exc:
        raise DatabaseError(
            f"无法连接数据库 {parsed.render_as_string(hide_password=True)}：{_reason(exc)}"
        ) from exc
    finally:
        await engine.dispose()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _command(name: str, *args: Any, **kwargs: Any) -> Callable[[sa.Connection], Any]:
    def run(conn: sa.Connection) -> Any:
        config = alembic_config()
        config.attributes["connection"] = conn
        return getattr(command, name)(config, *args, **kwargs)

    return run


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    await _with_connection(url, _command("upgrade", revision))


async def downgrade(url: str | URL, revision: str = "-1") -> None:
    """Revert migrations down to ``revision`` (default: one step)."""
    await _with_connection(url, _command("downgrade", revision))


async def current(url: str | URL) -> str | None:
    """The revision the database is at, or None for an empty database."""

    def read(conn: sa.Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    result: str | None = await _with_connection(url, read)
    return result


async def ensure_at_head(url: str | URL) -> None:
    """Raise :class:`NotMigratedError` unless the database is at the newest revision."""
    at = await current(url)
    head = head_revision()
    if at != head:
        raise NotMigratedError(
            f"数据库版本为 {at or '空'}，需要 {head}；请先运行 xieshang db upgrade"
        )


async def revision(url: str | URL, message: str) -> None:
    """Autogenerate a new migration from the difference between the models and ``url``.

    For developers: run it against a database upgraded to head, then review the file.
    """
    await _with_connection(url, _command("revision", message=message, autogenerate=True))

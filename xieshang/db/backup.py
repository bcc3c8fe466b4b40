"""``xieshang db backup`` / ``restore`` for SQLite, through SQLite's online backup API.

A backup copies the database as of one moment while the service keeps writing: the copy is
made in a single step inside one read transaction, so every transaction committed before the
backup began is in it and none is half in it. PostgreSQL databases are backed up with
``pg_dump`` (docs/deploy.md); these commands refuse them rather than guess at a procedure.

A restore checks that the file is a healthy xieshang database at a known migration, and
refuses to overwrite a database that a running service has open unless forced.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL

from xieshang.db.engine import SQLITE_BUSY_TIMEOUT_MS, parse_database_url
from xieshang.db.migrate import alembic_config, head_revision
from xieshang.errors import DatabaseError

POSTGRESQL_REFUSAL = (
    "PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（步骤见 docs/deploy.md「备份与恢复」）；"
    "xieshang db backup/restore 只处理 SQLite 数据库文件"
)


def sqlite_file(url: str | URL) -> Path:
    """The database file of a SQLite URL; PostgreSQL is refused with the pg_dump pointer."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise DatabaseError(POSTGRESQL_REFUSAL)
    return Path(parsed.database or "").expanduser().resolve()


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}{'?mode=ro' if read_only else ''}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


def inspect(path: Path) -> str:
    """The migration revision of the xieshang database in ``path``; raises
    :class:`DatabaseError` unless it is an intact SQLite file at a revision xieshang knows."""
    if not path.is_file():
        raise DatabaseError(f"文件不存在：{path}")
    try:
        with _connect(path, read_only=True) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise DatabaseError(f"数据库文件已损坏：{path}（{'; '.join(problems[:3])}）")
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                raise DatabaseError(f"{path} 不是 xieshang 数据库（没有迁移版本表）") from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} 不是可用的 SQLite 数据库：{exc}") from exc
    if row is None:
        raise DatabaseError(f"{path} 不是 xieshang 数据库（迁移版本为空）")
    revision = str(row[0])
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        raise DatabaseError(
            f"{path} 的迁移版本 {revision} 不是本版本 xieshang 已知的版本（来自更新的版本？）"
        ) from None
    return revision


def in_use(path: Path) -> bool:
    """Whether some process has the database open: in WAL mode SQLite keeps ``-wal`` and
    ``-shm`` files beside it while any connection is open (and after a crash)."""
    return any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))


def backup(url: str | URL, target: Path) -> str:
    """Copy the database of ``url`` to ``target`` (which must not exist); returns its revision."""
    source = sqlite_file(url)
    if not source.is_file():
        raise DatabaseError(f"数据库文件不存在：{source}")
    target = target.expanduser().resolve()
    if target.exists():
        raise DatabaseError(f"备份文件已存在：{target}（请换一个文件名，不覆盖已有备份）")
    if not target.parent.is_dir():
        raise DatabaseError(f"备份目录不存在：{target.parent}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(source) as src, _connect(partial) as dst:
            # One step (pages=-1): a single read transaction, so the copy is one consistent
            # moment even while the service commits.
            src.backup(dst)
        revision = inspect(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return revision


def restore(url: str | URL, source: Path, *, force: bool = False) -> str:
    """Replace the database of ``url`` with the backup ``source``; returns its revision."""
    target = sqlite_file(url)
    source = source.expanduser().resolve()
    revision = inspect(source)
    if source == target:
        raise DatabaseError("备份文件就是当前数据库文件，无需恢复")
    if target.exists() and in_use(target) and not force:
        raise DatabaseError(
            f"数据库 {target} 正在被使用（存在 -wal/-shm 文件）：请先停止服务再恢复；"
            "确认无人使用（如服务异常退出后）可加 --force"
        )
    if not target.parent.is_dir():
        raise DatabaseError(f"数据库目录不存在：{target.parent}")
    # Through the backup API rather than a file copy: SQLite's own locking and WAL handling
    # apply, so even a forced restore never leaves a torn file.
    with _connect(source, read_only=True) as src, _connect(target) as dst:
        src.backup(dst)
    return revision


def behind_head(revision: str) -> bool:
    """Whether a restored database needs ``xieshang db upgrade``."""
    return revision != head_revision()

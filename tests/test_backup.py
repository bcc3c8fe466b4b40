"""``xieshang db backup`` / ``restore``: online SQLite backups under concurrent writes.

The commands run in-process (``cli_helpers.invoke``; ``tests/test_cli_processes.py`` runs the db
group as a real process) against SQLite files made by the test (whatever database the rest of the run
uses); PostgreSQL URLs are refused with a pointer to the pg_dump procedure.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from cli_helpers import invoke, one_line_error

from xieshang.db import backup, migrate
from xieshang.errors import DatabaseError

NOW = "2025-01-01 00:00:00.000000"


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite xieshang database at head with one county (a template; tests copy it)."""
    path = tmp_path_factory.mktemp("backup") / "template.db"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO counties (code, name, city, province, timezone, created_at, updated_at,"
            " version) VALUES ('511323', '蓬安县', '南充市', '四川省', 'Asia/Shanghai', ?, ?, 1)",
            (NOW, NOW),
        )
    conn.close()
    return path


def copy_of(template: Path, folder: Path, name: str = "live.db") -> Path:
    target = folder / name
    with sqlite3.connect(template) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class Writer(threading.Thread):
    """Commits one sector per transaction, as fast as it can, and records each acknowledged
    commit (the commit call returned) in order."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.acknowledged: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA busy_timeout = 15000")
            county = conn.execute("SELECT id FROM counties").fetchone()[0]
            n = 0
            while not self.stop.is_set():
                name = f"界别{n:06d}"
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO sectors (name, sort_order, county_id, created_at, updated_at,"
                    " version) VALUES (?, ?, ?, ?, ?, 1)",
                    (name, n, county, NOW, NOW),
                )
                conn.execute("COMMIT")
                self.acknowledged.append(name)
                n += 1
        except BaseException as exc:
            self.error = exc
        finally:
            conn.close()


def test_backup_during_writes_keeps_every_acknowledged_write(
    migrated_file: Path, tmp_path: Path
) -> None:
    live = copy_of(migrated_file, tmp_path)
    writer = Writer(live)
    writer.start()
    try:
        while len(writer.acknowledged) < 200:  # the service is busy before the backup starts
            assert writer.error is None, writer.error
            time.sleep(0.01)
        before = list(writer.acknowledged)
        result = invoke("db", "backup", str(tmp_path / "copy.db"), url=url(live))
        after = len(writer.acknowledged)
        assert result.returncode == 0, result.stderr
        assert "已备份到" in result.stdout
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert len(writer.acknowledged) > len(before)  # writes went on during the backup
    assert after >= len(before)

    restored = tmp_path / "restored.db"
    result = invoke("db", "restore", str(tmp_path / "copy.db"), url=url(restored))
    assert result.returncode == 0, result.stderr

    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        names = [row[0] for row in conn.execute("SELECT name FROM sectors ORDER BY sort_order")]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    assert revision == migrate.head_revision()
    missing = set(before) - set(names)
    assert not missing, f"{len(missing)} acknowledged writes lost"
    # One consistent moment: the copy holds exactly the first k commits, no gaps.
    assert names == writer.acknowledged[: len(names)]


def test_restore_refuses_a_database_in_use_unless_forced(
    migrated_file: Path, tmp_path: Path
) -> None:
    backup_file = tmp_path / "copy.db"
    assert invoke("db", "backup", str(backup_file), url=url(migrated_file)).returncode == 0
    live = copy_of(migrated_file, tmp_path)
    holder = sqlite3.connect(live)  # a running service keeps its connection open
    try:
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("SELECT count(*) FROM counties").fetchall()
        refused = invoke("db", "restore", str(backup_file), url=url(live))
        assert "正在被使用" in one_line_error(refused)
        forced = invoke("db", "restore", str(backup_file), "--force", url=url(live))
        assert forced.returncode == 0, forced.stderr
    finally:
        holder.close()
    assert invoke("db", "restore", str(backup_file), url=url(live)).returncode == 0


def test_restore_refuses_files_that_are_not_xieshang_databases(
    migrated_file: Path, tmp_path: Path
) -> None:
    target = url(tmp_path / "target.db")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    assert "不是可用的 SQLite 数据库" in one_line_error(
        invoke("db", "restore", str(garbage), url=target)
    )

    def refusal(source: Path) -> str:
        with pytest.raises(DatabaseError) as caught:
            backup.restore(target, source)
        return caught.value.message

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    assert "不是 xieshang 数据库" in refusal(other)
    future = copy_of(migrated_file, tmp_path, "future.db")
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.close()
    assert "不是本版本 xieshang 已知的版本" in refusal(future)
    assert "文件不存在" in refusal(tmp_path / "nope.db")
    # Nothing was written to the target by any refused restore.
    assert not (tmp_path / "target.db").exists()


def test_backup_refuses_to_overwrite_or_to_invent_a_database(
    migrated_file: Path, tmp_path: Path
) -> None:
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"an older backup")
    refused = one_line_error(invoke("db", "backup", str(existing), url=url(migrated_file)))
    assert "已存在" in refused
    assert existing.read_bytes() == b"an older backup"
    absent = one_line_error(
        invoke("db", "backup", str(tmp_path / "b.db"), url=url(tmp_path / "absent.db"))
    )
    assert "数据库文件不存在" in absent
    assert not (tmp_path / "absent.db").exists()


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    pg = "postgresql+asyncpg://postgres@127.0.0.1:5432/xieshang"
    message = one_line_error(invoke("db", "backup", str(tmp_path / "x.db"), url=pg))
    assert "pg_dump" in message and "docs/deploy.md" in message
    with pytest.raises(DatabaseError, match="pg_dump"):
        backup.restore(pg, tmp_path / "x.db")

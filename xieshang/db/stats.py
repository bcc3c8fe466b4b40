"""Counting the SQL statements (and their time) a piece of work issues.

``track()`` starts a tally in a context variable; every statement executed by an engine that
went through ``install(engine)`` adds to the tally of the context it runs in — including
DataLoader batches, which run in tasks that copied the request's context.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class SqlStats:
    """Statements executed and milliseconds spent in them."""

    statements: int = 0
    ms: float = 0.0
    sql: list[str] = field(default_factory=list)
    keep_sql: bool = False
    #: The enclosing tally (a request's, around an operation's), which counts the same statements.
    parent: SqlStats | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"statements": self.statements, "ms": round(self.ms, 3)}


_current: ContextVar[SqlStats | None] = ContextVar("xieshang_sql_stats", default=None)


@contextmanager
def track(*, keep_sql: bool = False) -> Iterator[SqlStats]:
    """Tally the statements run inside the block (and in tasks started from it)."""
    stats = SqlStats(keep_sql=keep_sql, parent=_current.get())
    token = _current.set(stats)
    try:
        yield stats
    finally:
        _current.reset(token)


def _before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    stats = _current.get()
    if stats is not None:
        conn.info.setdefault("xieshang_started", []).append(time.perf_counter())
        tally: SqlStats | None = stats
        while tally is not None:
            tally.statements += 1
            if tally.keep_sql:
                tally.sql.append(statement)
            tally = tally.parent


def _after(conn: Any, *_args: Any) -> None:
    stats = _current.get()
    started = conn.info.get("xieshang_started")
    if stats is not None and started:
        elapsed = (time.perf_counter() - started.pop()) * 1000
        tally: SqlStats | None = stats
        while tally is not None:
            tally.ms += elapsed
            tally = tally.parent


def install(engine: AsyncEngine) -> None:
    """Make ``engine`` report its statements to the current tally (idempotent)."""
    sync = engine.sync_engine
    if not sa.event.contains(sync, "before_cursor_execute", _before):
        sa.event.listen(sync, "before_cursor_execute", _before)
        sa.event.listen(sync, "after_cursor_execute", _after)

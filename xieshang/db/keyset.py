"""Keyset (seek) pagination over any SELECT: stable under inserts, no OFFSET scans.

A page is ordered by one sort column plus the primary key as tie-breaker, both in the same
direction, so "after this row" is a single row-value comparison ``(sort, id) > (:v, :id)``
that an index on the sort column serves. Cursors are opaque to clients: base64url JSON
holding the ordering name and the last row's key values.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.types import TypeDecorator

from xieshang.errors import XieshangError


class CursorError(XieshangError):
    """A cursor that this ordering did not produce."""

    code = "INVALID_CURSOR"


@dataclass(frozen=True)
class Ordering:
    """Sort by ``column`` then the primary key ``pk``, ascending or descending."""

    name: str
    column: InstrumentedAttribute[Any]
    pk: InstrumentedAttribute[Any]
    descending: bool = False

    @property
    def columns(self) -> tuple[InstrumentedAttribute[Any], ...]:
        return (self.column,) if self.column is self.pk else (self.column, self.pk)

    def order_by(self, *, reverse: bool = False) -> list[sa.ColumnElement[Any]]:
        desc = self.descending != reverse
        return [c.desc() if desc else c.asc() for c in self.columns]

    def key_of(self, row: Any) -> list[Any]:
        return [getattr(row, c.key) for c in self.columns]

    def seek(self, key: Sequence[Any], *, reverse: bool = False) -> sa.ColumnElement[bool]:
        """Rows strictly after ``key`` in this order (before it when ``reverse``)."""
        after = self.descending == reverse
        lhs = sa.tuple_(*self.columns) if len(self.columns) > 1 else self.columns[0]
        # Literals take the column's type, so that they are bound as the column stores them
        # (UTCDateTime: naive UTC text on SQLite, where an aware value would compare wrong).
        rhs = (
            sa.tuple_(*[sa.literal(v, c.type) for c, v in zip(self.columns, key, strict=True)])
            if len(self.columns) > 1
            else key[0]
        )
        return lhs > rhs if after else lhs < rhs


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _decode_value(column: InstrumentedAttribute[Any], raw: Any) -> Any:
    type_ = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance  # UTCDateTime → DateTime
    try:
        python_type = type_.python_type
    except NotImplementedError:
        return raw
    if raw is None:
        return None
    if python_type is datetime:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError(raw)  # ours always carry their zone
        return value
    if python_type is date:
        return date.fromisoformat(raw)
    if python_type is bool:
        if not isinstance(raw, bool):
            raise ValueError(raw)
        return raw
    if python_type is int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ValueError(raw)
        return raw
    if python_type is str or issubclass(python_type, str):
        if not isinstance(raw, str):
            raise ValueError(raw)
        return raw
    return raw


def encode_cursor(ordering: Ordering, row: Any) -> str:
    """The opaque cursor of ``row`` in ``ordering``."""
    payload = [ordering.name, [_encode_value(v) for v in ordering.key_of(row)]]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(ordering: Ordering, cursor: str) -> list[Any]:
    """The key values in ``cursor``; :class:`CursorError` when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != ordering.name or len(values) != len(ordering.columns):
            raise ValueError("ordering mismatch")
        return [_decode_value(c, v) for c, v in zip(ordering.columns, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CursorError(
            f"游标无效：{cursor[:40]!r} 不是本列表按当前排序生成的游标", field="after"
        ) from exc


@dataclass(frozen=True)
class Page:
    """One page of rows, in display order, with its neighbours known."""

    rows: list[Any]
    has_next_page: bool
    has_previous_page: bool
    ordering: Ordering

    def cursor(self, row: Any) -> str:
        return encode_cursor(self.ordering, row)


def _seek(
    stmt: sa.Select[Any], ordering: Ordering, after: str | None, before: str | None
) -> sa.Select[Any]:
    if after is not None:
        stmt = stmt.where(ordering.seek(decode_cursor(ordering, after)))
    if before is not None:
        try:
            key = decode_cursor(ordering, before)
        except CursorError as exc:
            raise CursorError(exc.message, field="before") from exc
        stmt = stmt.where(ordering.seek(key, reverse=True))
    return stmt


def _page(
    rows: list[Any], size: int, ordering: Ordering, backwards: bool, cursor_given: bool
) -> Page:
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        return Page(rows, cursor_given, more, ordering)
    return Page(rows, more, cursor_given, ordering)


def _size(first: int | None, last: int | None) -> tuple[int, bool]:
    backwards = last is not None
    size = last if backwards else first
    assert size is not None and size >= 0
    return size, backwards


async def fetch_page(
    session: AsyncSession,
    stmt: sa.Select[Any],
    ordering: Ordering,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    """Run ``stmt`` (a SELECT of one entity) as one keyset page.

    Either ``first`` (with optional ``after``) or ``last`` (with optional ``before``) is given;
    limits are checked by the caller. One statement: it reads one row more than asked to
    know whether another page follows.
    """
    size, backwards = _size(first, last)
    stmt = _seek(stmt, ordering, after, before)
    stmt = stmt.order_by(*ordering.order_by(reverse=backwards)).limit(size + 1)
    rows = list((await session.scalars(stmt)).all())
    cursor_given = (before if backwards else after) is not None
    return _page(rows, size, ordering, backwards, cursor_given)


async def fetch_pages(
    session: AsyncSession,
    stmt: sa.Select[Any],
    ordering: Ordering,
    link: Any,
    keys: Sequence[Any],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[Any, Page]:
    """One keyset page per parent key, all in one statement.

    ``link`` is the column holding the parent key (e.g. ``Platform.parent_id``, or
    ``StudioMember.studio_id`` when ``stmt`` joins through an association table). A window
    function numbers each parent's rows, so the statement count does not grow with the
    number of parents.
    """
    size, backwards = _size(first, last)
    model = stmt.column_descriptions[0]["entity"]
    number = sa.func.row_number().over(
        partition_by=link, order_by=ordering.order_by(reverse=backwards)
    )
    inner = (
        _seek(stmt, ordering, after, before)
        .where(link.in_(set(keys)))
        .add_columns(link.label("_link"), number.label("_n"))
        .subquery()
    )
    entity = aliased(model, inner)
    query = (
        sa.select(entity, inner.c._link)
        .where(inner.c._n <= size + 1)
        .order_by(inner.c._link, inner.c._n)
    )
    grouped: dict[Any, list[Any]] = {key: [] for key in keys}
    for row, key in (await session.execute(query)).all():
        grouped.setdefault(key, []).append(row)
    cursor_given = (before if backwards else after) is not None
    return {
        key: _page(rows, size, ordering, backwards, cursor_given) for key, rows in grouped.items()
    }


async def count(session: AsyncSession, stmt: sa.Select[Any]) -> int:
    """Number of rows ``stmt`` selects (ignoring any ordering and limit)."""
    counted = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    return int((await session.execute(counted)).scalar_one())


async def count_by(
    session: AsyncSession, stmt: sa.Select[Any], link: Any, keys: Sequence[Any]
) -> dict[Any, int]:
    """Rows ``stmt`` selects per parent key (one statement, zero for keys without rows)."""
    inner = stmt.order_by(None).where(link.in_(set(keys))).add_columns(link.label("_link"))
    sub = inner.subquery()
    query = sa.select(sub.c._link, sa.func.count()).group_by(sub.c._link)
    counts = {key: 0 for key in keys}
    for key, n in (await session.execute(query)).all():
        counts[key] = int(n)
    return counts

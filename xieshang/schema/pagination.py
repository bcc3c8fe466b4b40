"""Resolve a connection field: validate the page arguments, fetch a keyset page, build edges."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from strawberry.types import Info

from xieshang.db import keyset
from xieshang.errors import XieshangError
from xieshang.schema.context import Context
from xieshang.schema.errors import from_xieshang_error, query_error
from xieshang.schema.relay import Connection, Edge, PageInfo, RowType

DEFAULT_PAGE_SIZE = 20

T = TypeVar("T", bound=RowType)


def page_size(first: int | None, last: int | None, maximum: int) -> tuple[int | None, int | None]:
    """Checked ``(first, last)``: one of them, non-negative, at most ``maximum``."""
    if first is not None and last is not None:
        raise query_error("INVALID_ARGUMENT", "first 与 last 不能同时使用")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise query_error("INVALID_ARGUMENT", f"{name} 不能为负数（收到 {value}）")
        if value is not None and value > maximum:
            raise query_error(
                "PAGE_SIZE_EXCEEDED", f"{name} 最大为 {maximum}（收到 {value}），请分页读取"
            )
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    return first, last


def to_connection(node_type: type[T], page: keyset.Page, count_total: Any) -> Connection[T]:
    """A ``Connection`` of ``page``'s rows presented as ``node_type``."""
    rows = page.rows
    edges = [Edge(node=row, ordering=page.ordering) for row in rows]
    page_info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.cursor(rows[0]) if rows else None,
        end_cursor=page.cursor(rows[-1]) if rows else None,
    )
    return Connection(edges=edges, page_info=page_info, count_total=count_total)


async def paginate(
    info: Info[Context, Any],
    node_type: type[T],
    stmt: sa.Select[Any],
    ordering: keyset.Ordering,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[T]:
    """One page of ``stmt`` as a ``Connection`` of ``node_type``; totalCount runs only if asked."""
    context = info.context
    first, last = page_size(first, last, context.settings.max_page_size)
    try:
        async with context.sessions() as session:
            page = await keyset.fetch_page(
                session, stmt, ordering, first=first, after=after, last=last, before=before
            )
    except XieshangError as exc:
        raise from_xieshang_error(exc) from exc

    async def count_total() -> int:
        async with context.sessions() as session:
            return await keyset.count(session, stmt)

    return to_connection(node_type, page, count_total)

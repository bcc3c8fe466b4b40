"""Operations over everything one county (tenant) owns."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db.base import Base
from xieshang.db.models import AuditEvent, County


def _owned(table: sa.Table) -> bool:
    # The audit trail is not the county's data: it is append-only and outlives what it records.
    return (
        "county_id" in table.c
        and table.name != County.__tablename__
        and table.name != AuditEvent.__tablename__
    )


async def delete_county(session: AsyncSession, county_id: int) -> None:
    """Delete a county and every row it owns, children before parents, in the caller's
    transaction (its audit events stay)."""
    for table in reversed(Base.metadata.sorted_tables):
        if _owned(table):
            await session.execute(sa.delete(table).where(table.c.county_id == county_id))
    await session.execute(sa.delete(County).where(County.id == county_id))


async def count_rows(session: AsyncSession, county_id: int) -> dict[str, int]:
    """Rows per table owned by a county (tables without rows are left out)."""
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if not _owned(table):
            continue
        stmt = sa.select(sa.func.count()).select_from(table).where(table.c.county_id == county_id)
        n = int((await session.execute(stmt)).scalar_one())
        if n:
            counts[table.name] = n
    return counts

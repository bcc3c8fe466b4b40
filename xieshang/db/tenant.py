"""Operations over everything one county (tenant) owns."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db.base import Base
from xieshang.db.models import County


async def delete_county(session: AsyncSession, county_id: int) -> None:
    """Delete a county and every row it owns, children before parents, in the caller's transaction."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != County.__tablename__ and "county_id" in table.c:
            await session.execute(sa.delete(table).where(table.c.county_id == county_id))
    await session.execute(sa.delete(County).where(County.id == county_id))


async def count_rows(session: AsyncSession, county_id: int) -> dict[str, int]:
    """Rows per table owned by a county (tables without rows are left out)."""
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if "county_id" not in table.c:
            continue
        stmt = sa.select(sa.func.count()).select_from(table).where(table.c.county_id == county_id)
        n = int((await session.execute(stmt)).scalar_one())
        if n:
            counts[table.name] = n
    return counts

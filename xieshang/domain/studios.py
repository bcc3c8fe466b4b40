"""Model member studios, their members and the lead's selection rounds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.domain.crud import Change, Entity


async def _check_studio(change: Change) -> None:
    change.checker.in_range("batch_year", change.values.get("batch_year"), 2000, 2100)


STUDIO = Entity(
    models.Studio,
    "工作室",
    references={
        "lead_member_id": models.Member,
        "host_platform_id": models.Platform,
        "office_id": models.Office,
        "sector_id": models.Sector,
    },
    checks=_check_studio,
)


async def ensure_member(session: AsyncSession, studio: models.Studio, member_id: int) -> bool:
    """Make ``member_id`` a member of ``studio`` (the lead always is); True if added."""
    exists = await session.scalar(
        sa.select(sa.literal(1)).where(
            models.StudioMember.studio_id == studio.id, models.StudioMember.member_id == member_id
        )
    )
    if exists:
        return False
    session.add(
        models.StudioMember(county_id=studio.county_id, studio_id=studio.id, member_id=member_id)
    )
    await session.flush()
    return True


async def _check_round(change: Change) -> None:
    change.checker.in_range("round_no", change.values.get("round_no"), 1, 20)
    change.checker.in_range("candidates", change.values.get("candidates"), 1, None)


SELECTION_ROUND = Entity(
    models.SelectionRound,
    "选任轮次",
    references={"studio_id": models.Studio},
    county_from="studio_id",
    checks=_check_round,
)

"""Model member studios, their members and the lead's selection rounds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.domain.crud import Change, Entity
from xieshang.domain.links import LinkKind
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError


async def _check_studio(change: Change) -> None:
    change.checker.in_range("batch_year", change.values.get("batch_year"), 2000, 2100)


async def _lead_is_member(work: Work, studio: Any, _values: dict[str, Any]) -> None:
    # The lead member is always one of the studio's members, however the studio was written.
    await ensure_member(work.session, studio, studio.lead_member_id)


STUDIO = Entity(models.Studio, "工作室", checks=_check_studio, after_write=_lead_is_member)


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
    models.SelectionRound, "选任轮次", county_from="studio_id", checks=_check_round
)


async def _not_the_lead(session: AsyncSession, studio: Any, member_id: int) -> UserError | None:
    if studio.lead_member_id == member_id:
        return UserError("member_id", "INVALID_STATE", "不能移除领衔委员；请先更换领衔委员")
    return None


STUDIO_MEMBERS = LinkKind(
    models.StudioMember, STUDIO, "studio_id", "工作室成员", guard_remove=_not_the_lead
)

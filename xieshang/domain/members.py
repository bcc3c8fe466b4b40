"""Committee members and their grid placements (网格)."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.domain.crud import Change, Entity
from xieshang.errors import UserError, ValidationFailed

_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


async def _check_member(change: Change) -> None:
    phone = change.values.get("phone")
    if change.changed("phone") and phone is not None and not _PHONE.match(phone):
        change.checker.fail("phone", "INVALID_VALUE", f"联系电话格式不正确：{phone!r}")
    change.checker.in_range("term", change.values.get("term"), 1, 99)


MEMBER = Entity(
    models.Member,
    "委员",
    references={"sector_id": models.Sector, "office_id": models.Office},
    checks=_check_member,
    labels={"name": "姓名", "code": "委员编号"},
)


async def _check_grid(change: Change) -> None:
    change.checker.not_before(
        "ended_on", change.values.get("ended_on"), "assigned_on", change.values.get("assigned_on")
    )


GRID_ASSIGNMENT = Entity(
    models.GridAssignment,
    "网格安排",
    references={"member_id": models.Member, "platform_id": models.Platform},
    county_from="member_id",
    checks=_check_grid,
)


async def end_current_placement(
    session: AsyncSession, member_id: int, on: date
) -> models.GridAssignment | None:
    """End the member's current grid placement (if any) on ``on``; returns it."""
    current = await session.scalar(
        sa.select(models.GridAssignment)
        .where(
            models.GridAssignment.member_id == member_id, models.GridAssignment.ended_on.is_(None)
        )
        .with_for_update()
    )
    if current is None:
        return None
    if on < current.assigned_on:
        raise ValidationFailed(
            [
                UserError(
                    "assignedOn",
                    "DATE_ORDER",
                    f"新安排日期（{on}）不能早于当前安排的开始日期（{current.assigned_on}）",
                )
            ]
        )
    current.ended_on = on
    return current

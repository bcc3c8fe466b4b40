"""Committee members and their grid placements (网格)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.domain import crud
from xieshang.domain.crud import Change, Entity
from xieshang.domain.unit_of_work import Work
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
    checks=_check_member,
)


async def _check_grid(change: Change) -> None:
    change.checker.not_before(
        "ended_on", change.values.get("ended_on"), "assigned_on", change.values.get("assigned_on")
    )


GRID_ASSIGNMENT = Entity(
    models.GridAssignment,
    "网格安排",
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
                    "assigned_on",
                    "DATE_ORDER",
                    f"新安排日期（{on}）不能早于当前安排的开始日期（{current.assigned_on}）",
                )
            ]
        )
    current.ended_on = on
    return current


async def assign_to_platform(work: Work, values: dict[str, Any]) -> models.GridAssignment:
    """Place a member on a platform's grid from ``assigned_on``; the current placement, if any,
    ends that day (a member is on one grid at a time)."""
    await end_current_placement(work.session, values["member_id"], values["assigned_on"])
    row: models.GridAssignment = await crud.create(work, GRID_ASSIGNMENT, values)
    return row


async def end_placement(
    work: Work, pk: int, expected_version: int, ended_on: date
) -> models.GridAssignment:
    """End a grid placement on ``ended_on``."""
    row: models.GridAssignment = await crud.update(
        work, GRID_ASSIGNMENT, pk, expected_version, {"ended_on": ended_on}
    )
    return row

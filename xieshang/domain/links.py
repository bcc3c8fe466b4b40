"""Links between a row and a member: studio members, activity and deed participants, joint
proposers, consultation attendance. One add and one remove for all of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.domain.crud import Entity, check_not_archived, load_for_update
from xieshang.domain.members import MEMBER
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError, ValidationFailed

#: Refuses a removal (e.g. of a studio's lead member); returns the problem or None.
Guard = Callable[[AsyncSession, Any, int], Awaitable[UserError | None]]


@dataclass(frozen=True)
class LinkKind:
    """An association table linking rows of ``parent`` to members."""

    association: Any
    parent: Entity
    parent_field: str
    #: Chinese name of the link for messages, e.g. 工作室成员.
    label: str
    #: Column numbering links in order (joint proposers sign in order), if any.
    position: str | None = None
    guard_remove: Guard | None = None


async def _parent_and_member(
    work: Work, kind: LinkKind, parent_pk: int, member_pk: int
) -> tuple[Any, Any]:
    parent = await load_for_update(work, kind.parent, parent_pk)
    check_not_archived(kind.parent, parent)
    member = await work.session.get(models.Member, member_pk)
    if member is None or member.county_id != parent.county_id:
        raise ValidationFailed([UserError("member_id", "NOT_FOUND", f"所选{MEMBER.label}不存在")])
    return parent, member


def _where(kind: LinkKind, parent_pk: int, member_pk: int) -> list[Any]:
    table = kind.association
    return [getattr(table, kind.parent_field) == parent_pk, table.member_id == member_pk]


async def add(work: Work, kind: LinkKind, parent_pk: int, member_pk: int, **extra: Any) -> Any:
    """Link member ``member_pk`` to ``parent_pk``; DUPLICATE if already linked. Returns the parent."""
    session = work.session
    parent, member = await _parent_and_member(work, kind, parent_pk, member_pk)
    if member.archived_at is not None:
        raise ValidationFailed([UserError("member_id", "ARCHIVED", f"所选{MEMBER.label}已归档")])
    table = kind.association
    existing = await session.scalar(sa.select(table).where(*_where(kind, parent_pk, member_pk)))
    if existing is not None:
        raise ValidationFailed(
            [UserError("member_id", "DUPLICATE", f"{member.name}已是{kind.label}")]
        )
    values = {kind.parent_field: parent_pk, "member_id": member_pk, **extra}
    if kind.position is not None:
        last = await session.scalar(
            sa.select(sa.func.max(getattr(table, kind.position))).where(
                getattr(table, kind.parent_field) == parent_pk
            )
        )
        values[kind.position] = (last or 0) + 1
    session.add(table(county_id=parent.county_id, **values))
    await session.flush()
    return parent


async def remove(work: Work, kind: LinkKind, parent_pk: int, member_pk: int) -> Any:
    """Unlink member ``member_pk`` from ``parent_pk``; NOT_FOUND if not linked. Returns the parent."""
    session = work.session
    parent, member = await _parent_and_member(work, kind, parent_pk, member_pk)
    table = kind.association
    existing = await session.scalar(sa.select(table).where(*_where(kind, parent_pk, member_pk)))
    if existing is None:
        raise ValidationFailed(
            [UserError("member_id", "NOT_FOUND", f"{member.name}不是{kind.label}")]
        )
    if kind.guard_remove is not None:
        problem = await kind.guard_remove(session, parent, member_pk)
        if problem is not None:
            raise ValidationFailed([problem])
    await session.delete(existing)
    await session.flush()
    if kind.position is not None:
        # Close the gap so positions stay 1..n in signing order.
        removed_at = getattr(existing, kind.position)
        rows = (
            await session.scalars(
                sa.select(table)
                .where(
                    getattr(table, kind.parent_field) == parent_pk,
                    getattr(table, kind.position) > removed_at,
                )
                .order_by(getattr(table, kind.position))
            )
        ).all()
        for row in rows:
            setattr(row, kind.position, getattr(row, kind.position) - 1)
        await session.flush()
    return parent


async def set_value(
    work: Work, kind: LinkKind, parent_pk: int, member_pk: int, **values: Any
) -> Any:
    """Add the link or change its values (e.g. attendance); returns the parent."""
    session = work.session
    parent, _member = await _parent_and_member(work, kind, parent_pk, member_pk)
    table = kind.association
    existing = await session.scalar(sa.select(table).where(*_where(kind, parent_pk, member_pk)))
    if existing is None:
        return await add(work, kind, parent_pk, member_pk, **values)
    for name, value in values.items():
        setattr(existing, name, value)
    await session.flush()
    return parent

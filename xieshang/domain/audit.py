"""The audit trail (等保 安全审计): who did what, when, from where, and whether it worked.

Changes write their event in the same transaction as the change, so an event exists exactly
when the change does. Refusals (bad input, a denied permission, a failed sign-in) write theirs
in a transaction of their own, since nothing else is committed. The table is append-only in the
database (triggers); nothing in the API changes or deletes an event, and pruning refuses events
younger than the retention period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.domain.policy import Viewer
from xieshang.errors import XieshangError

RETENTION_DAYS = 180


@dataclass(frozen=True)
class Origin:
    """Where a request came from."""

    client_address: str | None = None
    request_id: str | None = None


def event(
    viewer: Viewer,
    action: str,
    *,
    success: bool,
    origin: Origin | None = None,
    target: str | None = None,
    county_id: int | None = None,
    detail: str | None = None,
    user: m.User | None = None,
) -> m.AuditEvent:
    """An audit event (not yet added to a session)."""
    origin = origin or Origin()
    return m.AuditEvent(
        occurred_at=utcnow(),
        user_id=user.id if user is not None else viewer.user_id,
        username=user.username if user is not None else viewer.username,
        role=(user.role.value if user is not None else viewer.label),
        county_id=county_id
        if county_id is not None
        else (user.county_id if user is not None else viewer.county_id),
        action=action[:100],
        target=target[:200] if target else None,
        success=success,
        client_address=origin.client_address,
        request_id=origin.request_id,
        detail=detail[:2000] if detail else None,
    )


async def record(session: AsyncSession, audit_event: m.AuditEvent) -> None:
    """Add an event to the caller's transaction (it commits or rolls back with the change)."""
    session.add(audit_event)
    await session.flush()


async def record_alone(
    sessions: async_sessionmaker[AsyncSession], audit_event: m.AuditEvent
) -> None:
    """Write an event in a transaction of its own (for refusals, where nothing else commits)."""
    async with sessions() as session, session.begin():
        session.add(audit_event)


class RetentionError(XieshangError):
    code = "RETENTION"


async def prune(session: AsyncSession, before: date, *, now: datetime | None = None) -> int:
    """Delete events older than ``before``; refused when that would reach events younger than
    the retention period. Returns how many were deleted."""
    now = now or utcnow()
    limit = (now - timedelta(days=RETENTION_DAYS)).date()
    if before > limit:
        raise RetentionError(
            f"只能删除 {RETENTION_DAYS} 天以前的审计日志：--before 不能晚于 {limit.isoformat()}"
            f"（收到 {before.isoformat()}）"
        )
    cutoff = datetime.combine(before, time(), tzinfo=now.tzinfo)
    result: Any = await session.execute(
        sa.delete(m.AuditEvent).where(m.AuditEvent.occurred_at < cutoff)
    )
    return int(result.rowcount or 0)

"""Overdue follow-up tasks (逾期督办任务): announce each lapse once, whoever sweeps.

A task is overdue when it is not DONE and its due date has passed in its county's calendar
(:func:`xieshang.domain.follow_up.is_overdue`). :func:`sweep` marks newly overdue tasks with one
conditional UPDATE per time zone (``overdue_announced_on IS NULL`` → today) and emits a
followUpChanged/OVERDUE event for each row it changed, so with several server processes — or a
server and ``xieshang followups sweep`` — sweeping at once, each lapse is announced exactly once:
the database lets only one UPDATE change a row from NULL.

A task whose due date moves to the future, or that is done, is re-armed (the mark cleared) — by
the write that does it (:func:`rearm`) and, for any other path, at the start of every sweep — so
that it is announced again if it lapses again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import DEFAULT_TIMEZONE
from xieshang.db import models
from xieshang.db.base import utcnow
from xieshang.db.enums import FollowUpStatus
from xieshang.domain import events
from xieshang.domain.audit import Origin
from xieshang.domain.calendar import local_date
from xieshang.domain.crud import Change
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Environment, Work, write

logger = logging.getLogger("xieshang.domain.overdue")


async def sweep(session: AsyncSession, *, now: datetime | None = None) -> list[events.Event]:
    """Mark the tasks that became overdue and emit an OVERDUE event for each (in the caller's
    transaction; the events are published once it commits). Returns the events."""
    now = now or utcnow()
    task = models.FollowUp
    announced: list[events.Event] = []
    zones = (await session.scalars(sa.select(models.County.timezone).distinct())).all()
    for zone in sorted(zones):
        today = local_date(now, ZoneInfo(zone))
        in_zone = task.county_id.in_(
            sa.select(models.County.id).where(models.County.timezone == zone)
        )
        # Re-arm what is no longer overdue, whatever wrote it (completeFollowUp, imports …).
        await session.execute(
            sa.update(task)
            .where(
                in_zone,
                task.overdue_announced_on.is_not(None),
                sa.or_(task.status == FollowUpStatus.DONE, task.due_on >= today),
            )
            .values(overdue_announced_on=None, updated_at=task.updated_at)
            .execution_options(synchronize_session=False)
        )
        marked = await session.execute(
            sa.update(task)
            .where(
                in_zone,
                task.overdue_announced_on.is_(None),
                task.status != FollowUpStatus.DONE,
                task.due_on < today,
                task.archived_at.is_(None),
            )
            # Bookkeeping, not an edit: the version and the time of the last change stay.
            .values(overdue_announced_on=today, updated_at=task.updated_at)
            .returning(task.id, task.county_id)
            .execution_options(synchronize_session=False)
        )
        for task_id, county_id in sorted(marked.all()):
            event = events.Event(
                events.EventKind.FOLLOW_UP_CHANGED,
                county_id,
                task_id,
                events.FollowUpChange.OVERDUE.value,
            )
            events.emit(session, event)
            announced.append(event)
    return announced


async def rearm(change: Change) -> None:
    """Clear the overdue mark of a task being changed when it becomes done or its due date is
    no longer past in the county's calendar (an entity rule of follow-up tasks)."""
    values = change.values
    if change.creating or values.get("overdue_announced_on") is None:
        return
    county = await change.session.get(models.County, change.county_id)
    zone = ZoneInfo(county.timezone if county is not None else DEFAULT_TIMEZONE)
    due_on: date | None = values.get("due_on")
    today = local_date(utcnow(), zone)
    if values.get("status") == FollowUpStatus.DONE or (due_on is not None and due_on >= today):
        change.changes["overdue_announced_on"] = None


async def sweep_in(work: Work) -> list[events.Event]:
    """One sweep as a unit of work (``xieshang followups sweep`` and the servers' own): the
    events are published once it commits; a sweep that found nothing leaves no audit record."""
    announced = await sweep(work.session)
    work.detail = f"announced={len(announced)}"
    if not announced:
        work.nothing_changed()
    return announced


async def run_sweep(writes: async_sessionmaker[AsyncSession], env: Environment) -> int:
    """Run one sweep as the system (a server's background job); returns how many tasks were
    announced."""
    async with write(
        writes, Viewer.trusted(), "followups.sweep", env, origin=Origin(client_address="job")
    ) as work:
        return len(await sweep_in(work))


async def sweep_periodically(
    writes: async_sessionmaker[AsyncSession], env: Environment, interval: float
) -> None:
    """Sweep every ``interval`` seconds until cancelled; a failed sweep is logged and retried."""
    while True:
        try:
            count = await run_sweep(writes, env)
            if count:
                logger.info("announced %d overdue follow-up task(s)", count)
        except Exception:
            logger.exception("overdue sweep failed")
        await asyncio.sleep(interval)

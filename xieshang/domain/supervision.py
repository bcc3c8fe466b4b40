"""Follow-up supervision (跟踪督办): progress, completion, the board and units' reminders.

A task is assigned (交办) to a responsible unit with a due date; the unit reports progress
(ASSIGNED → IN_PROGRESS on the first note) and the office or the unit completes it with a
result class A–D (→ DONE). Overdue is never stored as a status: it is derived from the due date
and today's date in the county's calendar. When the last open task of a topic is done, the
topic closes (a timeline step by whoever completed that task).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import FollowUpStatus, ResultClass, TopicStatus
from xieshang.domain import crud, events, policy, topic_workflow
from xieshang.domain.calendar import local_today
from xieshang.domain.follow_up import FOLLOW_UP, FOLLOW_UP_NOTE, announce
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError, ValidationFailed

OPEN = (FollowUpStatus.ASSIGNED, FollowUpStatus.IN_PROGRESS)


def _not_found(field: str) -> ValidationFailed:
    return ValidationFailed([UserError(field, "NOT_FOUND", "所选督办任务不存在")])


async def add_note(
    work: Work, follow_up_id: int, content: str, author: str | None = None
) -> m.FollowUp:
    """A progress note on a task (a unit: on its own tasks, signed with its account name); the
    first one moves the task from ASSIGNED to IN_PROGRESS. Refused on a task that is done."""
    session, viewer = work.session, work.viewer
    task = await session.get(m.FollowUp, follow_up_id)
    if task is not None and not policy.own_task(viewer, task):
        raise _not_found("follow_up_id")
    if viewer.unit_id is not None and author is None:
        author = viewer.username
    values = {"follow_up_id": follow_up_id, "content": content, "author": author}
    await crud.create(work, FOLLOW_UP_NOTE, values)
    task = await session.get(m.FollowUp, follow_up_id, with_for_update=True)
    assert task is not None  # the note's reference was checked above
    if task.status is FollowUpStatus.DONE:
        raise ValidationFailed(
            [UserError("follow_up_id", "INVALID_STATE", "该督办任务已办结，不能再报告进展")]
        )
    if task.status is FollowUpStatus.ASSIGNED:
        task.status = FollowUpStatus.IN_PROGRESS
    await session.flush()
    announce(session, task, events.FollowUpChange.PROGRESS)
    return task


async def complete_task(
    work: Work,
    follow_up_id: int,
    expected_version: int,
    *,
    result_class: ResultClass,
    completed_on: date | None = None,
    note: str | None = None,
) -> m.FollowUp:
    """Complete a task (a unit: its own) with its result class, on ``completed_on`` (default:
    today in the county's calendar); the topic closes when its last open task is done."""
    task = await crud.load_for_update(work, FOLLOW_UP, follow_up_id)
    if not policy.own_task(work.viewer, task):
        raise _not_found("id")
    crud.check_not_archived(FOLLOW_UP, task)
    crud.check_version(FOLLOW_UP, task, expected_version)
    return await complete(
        work.session,
        task,
        work.viewer,
        completed_on=completed_on or local_today(work.env.zone),
        result_class=result_class,
        note=note,
    )


async def complete(
    session: AsyncSession,
    task: m.FollowUp,
    viewer: Viewer,
    *,
    completed_on: date,
    result_class: ResultClass,
    note: str | None = None,
) -> m.FollowUp:
    """Mark ``task`` done with its result class; close the topic when nothing else is open."""
    if task.status is FollowUpStatus.DONE:
        raise ValidationFailed([UserError("id", "INVALID_STATE", "该督办任务已办结")])
    if completed_on < task.assigned_on:
        raise ValidationFailed(
            [UserError("completed_on", "DATE_ORDER", "办结日期不能早于交办日期")]
        )
    task.status = FollowUpStatus.DONE
    task.completed_on = completed_on
    task.result_class = result_class
    task.overdue_announced_on = None
    if note and note.strip():
        session.add(
            m.FollowUpNote(
                county_id=task.county_id,
                follow_up_id=task.id,
                content=note.strip(),
                author=viewer.username,
            )
        )
    await session.flush()
    announce(session, task, events.FollowUpChange.DONE)
    await _close_topic_when_done(session, task, viewer)
    return task


async def _close_topic_when_done(session: AsyncSession, task: m.FollowUp, viewer: Viewer) -> None:
    topic = await topic_workflow.topic_of_outcome(session, task.outcome_id)
    if topic.status is not TopicStatus.IN_IMPLEMENTATION:
        return
    still_open = await topic_workflow.open_task_count(session, topic.id)
    if not still_open:
        await topic_workflow.move(
            session, topic, TopicStatus.CLOSED, viewer, note="督办任务全部办结"
        )


@dataclass(frozen=True)
class UnitLoad:
    """One responsible unit's line on the supervision board."""

    unit_id: int
    open: int
    overdue: int
    due_soon: int
    done: int
    done_on_time: int


@dataclass(frozen=True)
class Board:
    """The county's supervision board (督办台账) as of a day."""

    as_of: date
    within_days: int
    open: int
    overdue: int
    due_soon: int
    done: int
    units: list[UnitLoad]


async def board(session: AsyncSession, county_id: int, today: date, within_days: int) -> Board:
    """Counts per unit in one grouped statement; units with overdue tasks first."""
    soon = date.fromordinal(today.toordinal() + within_days)
    t = m.FollowUp
    is_open = t.status.in_(OPEN)

    def when(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    rows = (
        await session.execute(
            sa.select(
                t.unit_id,
                when(is_open),
                when(sa.and_(is_open, t.due_on < today)),
                when(sa.and_(is_open, t.due_on >= today, t.due_on <= soon)),
                when(t.status == FollowUpStatus.DONE),
                when(sa.and_(t.status == FollowUpStatus.DONE, t.completed_on <= t.due_on)),
            )
            .where(t.county_id == county_id, t.archived_at.is_(None))
            .group_by(t.unit_id)
        )
    ).all()
    units = [UnitLoad(*map(int, row)) for row in rows]
    units.sort(key=lambda u: (-u.overdue, -u.due_soon, -u.open, u.unit_id))
    return Board(
        as_of=today,
        within_days=within_days,
        open=sum(u.open for u in units),
        overdue=sum(u.overdue for u in units),
        due_soon=sum(u.due_soon for u in units),
        done=sum(u.done for u in units),
        units=units,
    )


async def reminders(
    session: AsyncSession, unit_ids: list[int], today: date, within_days: int
) -> dict[int, list[m.FollowUp]]:
    """Open tasks of each unit that are overdue or due within ``within_days``, soonest first."""
    soon = date.fromordinal(today.toordinal() + within_days)
    rows = await session.scalars(
        sa.select(m.FollowUp)
        .where(
            m.FollowUp.unit_id.in_(unit_ids),
            m.FollowUp.status.in_(OPEN),
            m.FollowUp.archived_at.is_(None),
            m.FollowUp.due_on <= soon,
        )
        .order_by(m.FollowUp.due_on, m.FollowUp.id)
    )
    found: dict[int, list[m.FollowUp]] = {pk: [] for pk in unit_ids}
    for row in rows:
        found[row.unit_id].append(row)
    return found

"""Follow-up supervision rules (跟踪督办)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.db.enums import EvaluationChannel, FollowUpStatus
from xieshang.domain import consultations, events, overdue
from xieshang.domain.crud import Change, Entity
from xieshang.domain.unit_of_work import Work


def is_overdue(status: FollowUpStatus, due_on: date, today: date) -> bool:
    """A task is overdue when it is not done and its due date has passed in the county's calendar."""
    return status != FollowUpStatus.DONE and due_on < today


async def _check_follow_up(change: Change) -> None:
    values = change.values
    change.checker.not_before(
        "due_on", values.get("due_on"), "assigned_on", values.get("assigned_on")
    )
    change.checker.not_before(
        "completed_on", values.get("completed_on"), "assigned_on", values.get("assigned_on")
    )
    await overdue.rearm(change)


def announce(session: AsyncSession, task: models.FollowUp, change: events.FollowUpChange) -> None:
    """Raise a followUpChanged event for ``task`` (published when the transaction commits)."""
    events.emit(
        session,
        events.Event(events.EventKind.FOLLOW_UP_CHANGED, task.county_id, task.id, change.value),
    )


async def _assigned(work: Work, task: models.FollowUp, _values: dict[str, Any]) -> None:
    await consultations.task_assigned(work.session, task, work.viewer)
    announce(work.session, task, events.FollowUpChange.ASSIGNED)


async def _updated(work: Work, task: models.FollowUp, _values: dict[str, Any]) -> None:
    announce(work.session, task, events.FollowUpChange.UPDATED)


FOLLOW_UP = Entity(
    models.FollowUp,
    "督办任务",
    county_from="outcome_id",
    checks=_check_follow_up,
    after_create=_assigned,
    after_update=_updated,
)

FOLLOW_UP_NOTE = Entity(models.FollowUpNote, "办理进展", county_from="follow_up_id")


async def _check_evaluation(change: Change) -> None:
    channel = change.values.get("channel")
    visitor = change.values.get("visited_by_member_id")
    if channel == EvaluationChannel.RETURN_VISIT and visitor is None:
        change.checker.fail("visited_by_member_id", "REQUIRED", "回访记录须注明回访委员")
    if channel == EvaluationChannel.FORM and visitor is not None:
        change.checker.fail(
            "visited_by_member_id", "INVALID_STATE", "居民本人填写的评价单不应注明回访委员"
        )


async def _submitted(work: Work, row: models.Evaluation, _values: dict[str, Any]) -> None:
    events.emit(
        work.session, events.Event(events.EventKind.EVALUATION_SUBMITTED, row.county_id, row.id)
    )


EVALUATION = Entity(
    models.Evaluation,
    "群众评价",
    county_from="outcome_id",
    checks=_check_evaluation,
    after_create=_submitted,
)

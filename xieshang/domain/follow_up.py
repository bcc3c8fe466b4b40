"""Follow-up supervision rules (跟踪督办)."""

from __future__ import annotations

from datetime import date

from xieshang.db import models
from xieshang.db.enums import EvaluationChannel, FollowUpStatus
from xieshang.domain import overdue
from xieshang.domain.crud import Change, Entity


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


FOLLOW_UP = Entity(
    models.FollowUp,
    "督办任务",
    references={"outcome_id": models.Outcome, "unit_id": models.ResponsibleUnit},
    county_from="outcome_id",
    checks=_check_follow_up,
)

FOLLOW_UP_NOTE = Entity(
    models.FollowUpNote,
    "办理进展",
    references={"follow_up_id": models.FollowUp},
    county_from="follow_up_id",
)


async def _check_evaluation(change: Change) -> None:
    channel = change.values.get("channel")
    visitor = change.values.get("visited_by_member_id")
    if channel == EvaluationChannel.RETURN_VISIT and visitor is None:
        change.checker.fail("visited_by_member_id", "REQUIRED", "回访记录须注明回访委员")
    if channel == EvaluationChannel.FORM and visitor is not None:
        change.checker.fail(
            "visited_by_member_id", "INVALID_STATE", "居民本人填写的评价单不应注明回访委员"
        )


EVALUATION = Entity(
    models.Evaluation,
    "群众评价",
    references={"outcome_id": models.Outcome, "visited_by_member_id": models.Member},
    county_from="outcome_id",
    checks=_check_evaluation,
)

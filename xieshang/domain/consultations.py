"""Consultations, their outcomes and leaders' instructions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.db.enums import ConsultationStatus, TopicStatus
from xieshang.domain import crud, topic_workflow
from xieshang.domain.crud import Change, Entity
from xieshang.domain.links import LinkKind
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError, ValidationFailed

#: Topic statuses at which consultations may be scheduled (a key topic, or one already under way).
CONSULTABLE = frozenset(
    {
        TopicStatus.SELECTED,
        TopicStatus.SCHEDULED,
        TopicStatus.CONSULTED,
        TopicStatus.OUTCOME_REPORTED,
        TopicStatus.IN_IMPLEMENTATION,
    }
)

#: How a consultation's own status may change.
_CONSULTATION_STEPS = {
    ConsultationStatus.SCHEDULED: {ConsultationStatus.HELD, ConsultationStatus.CANCELLED},
}


def _status_name(status: ConsultationStatus | TopicStatus) -> str:
    return status.label.split(" ")[0]


async def _check_consultation(change: Change) -> None:
    change.checker.not_before(
        "ends_at", change.values.get("ends_at"), "starts_at", change.values.get("starts_at")
    )
    change.checker.in_range("resident_count", change.values.get("resident_count"), 0, None)
    status = change.values.get("status") or ConsultationStatus.SCHEDULED
    topic = change.refs.get("topic_id")
    if change.creating:
        if status is ConsultationStatus.CANCELLED:
            change.checker.fail("status", "INVALID_VALUE", "不能新建已取消的协商活动")
        if topic is not None and topic.status not in CONSULTABLE:
            change.checker.fail(
                "topic_id",
                "INVALID_TRANSITION",
                f"议题当前状态为“{_status_name(topic.status)}”，须先选定为重点议题才能安排协商",
            )
    elif change.changed("status") and change.row is not None:
        before = change.row.status
        if status is not before and status not in _CONSULTATION_STEPS.get(before, set()):
            allowed = "、".join(_status_name(s) for s in _CONSULTATION_STEPS.get(before, set()))
            change.checker.fail(
                "status",
                "INVALID_TRANSITION",
                f"协商活动当前状态为“{_status_name(before)}”，不能改为“{_status_name(status)}”"
                f"；可改为：{allowed or '无（已是最终状态）'}",
            )


async def consultation_saved(
    session: AsyncSession,
    consultation: models.Consultation,
    viewer: Viewer,
    *,
    created: bool,
    status_changed: bool,
) -> None:
    """Move the consultation's topic along: scheduled, consulted, or back to selected."""
    if not created and not status_changed:
        return
    topic = await session.get(models.Topic, consultation.topic_id, with_for_update=True)
    assert topic is not None
    status = consultation.status
    if status in (ConsultationStatus.SCHEDULED, ConsultationStatus.HELD):
        await topic_workflow.advance(
            session, topic, TopicStatus.SCHEDULED, viewer, f"安排协商活动：{consultation.title}"
        )
    if status is ConsultationStatus.HELD:
        await topic_workflow.advance(
            session, topic, TopicStatus.CONSULTED, viewer, f"协商活动已举行：{consultation.title}"
        )
    if status is ConsultationStatus.CANCELLED and topic.status is TopicStatus.SCHEDULED:
        others = await session.scalar(
            sa.select(sa.func.count())
            .select_from(models.Consultation)
            .where(
                models.Consultation.topic_id == topic.id,
                models.Consultation.id != consultation.id,
                models.Consultation.archived_at.is_(None),
                models.Consultation.status != ConsultationStatus.CANCELLED,
            )
        )
        if not others:
            await topic_workflow.move(
                session,
                topic,
                TopicStatus.SELECTED,
                viewer,
                note=f"协商活动已取消：{consultation.title}",
            )


async def outcome_reported(session: AsyncSession, outcome: models.Outcome, viewer: Viewer) -> None:
    """An outcome reported moves its topic to OUTCOME_REPORTED (once)."""
    topic = await topic_workflow.topic_of_outcome(session, outcome.id)
    await topic_workflow.advance(
        session, topic, TopicStatus.OUTCOME_REPORTED, viewer, f"报送协商成果：{outcome.title}"
    )


async def task_assigned(session: AsyncSession, task: models.FollowUp, viewer: Viewer) -> None:
    """Assigning a follow-up task puts the topic in implementation; a closed topic takes none."""
    topic = await topic_workflow.topic_of_outcome(session, task.outcome_id)
    if topic.status is TopicStatus.CLOSED:
        raise ValidationFailed(
            [UserError("outcome_id", "INVALID_STATE", "该成果所属议题已办结，不能再交办任务")]
        )
    await topic_workflow.advance(
        session, topic, TopicStatus.IN_IMPLEMENTATION, viewer, f"交办督办任务：{task.task[:50]}"
    )


async def _scheduled(work: Work, row: models.Consultation, _values: dict[str, Any]) -> None:
    await consultation_saved(work.session, row, work.viewer, created=True, status_changed=False)


async def _changed(work: Work, row: models.Consultation, changes: dict[str, Any]) -> None:
    await consultation_saved(
        work.session, row, work.viewer, created=False, status_changed="status" in changes
    )


CONSULTATION = Entity(
    models.Consultation,
    "协商活动",
    county_from="topic_id",
    checks=_check_consultation,
    after_create=_scheduled,
    after_update=_changed,
)


def _held(consultation: models.Consultation) -> bool:
    return consultation.status is ConsultationStatus.HELD


async def _check_outcome(change: Change) -> None:
    consultation = change.refs.get("consultation_id")
    if change.creating and consultation is not None and not _held(consultation):
        change.checker.fail(
            "consultation_id",
            "INVALID_STATE",
            f"协商活动状态为“{_status_name(consultation.status)}”，举行后才能登记成果",
        )


async def _reported(work: Work, row: models.Outcome, _values: dict[str, Any]) -> None:
    await outcome_reported(work.session, row, work.viewer)


OUTCOME = Entity(
    models.Outcome,
    "协商成果",
    county_from="consultation_id",
    checks=_check_outcome,
    after_create=_reported,
)


async def _check_instruction(change: Change) -> None:
    targets = [f for f in ("outcome_id", "opinion_report_id") if change.values.get(f) is not None]
    if len(targets) != 1:
        change.checker.fail(
            "outcome_id", "INVALID_VALUE", "批示须针对一项协商成果或一条社情民意信息（二者选一）"
        )


INSTRUCTION_ON_OUTCOME = Entity(
    models.Instruction, "领导批示", county_from="outcome_id", checks=_check_instruction
)
INSTRUCTION_ON_REPORT = Entity(
    models.Instruction, "领导批示", county_from="opinion_report_id", checks=_check_instruction
)


async def create_instruction(work: Work, values: dict[str, Any]) -> models.Instruction:
    """A leader's instruction on an outcome or on an opinion report (its county from either)."""
    on_report = values.get("opinion_report_id") is not None and values.get("outcome_id") is None
    entity = INSTRUCTION_ON_REPORT if on_report else INSTRUCTION_ON_OUTCOME
    row: models.Instruction = await crud.create(work, entity, values)
    return row


#: Members invited to a consultation, with their attendance (出席、请假、缺席).
ATTENDANCE = LinkKind(models.ConsultationAttendance, CONSULTATION, "consultation_id", "受邀委员")

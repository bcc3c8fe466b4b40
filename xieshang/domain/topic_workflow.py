"""The topic workflow (议题流程): the statuses a topic moves through, the steps allowed between
them, and the timeline every step leaves.

    submitted → under review → selected (key topic) | merged | kept for reference | returned
    selected → scheduled → consulted → outcome reported → in implementation → closed

Review steps are taken by the county office (:func:`move` with ``manual=True``, behind the
``changeTopicStatus`` mutation). The later steps follow the work itself: scheduling a
consultation, holding it, reporting an outcome, assigning and completing follow-up tasks call
:func:`advance` from their own domain operations, so a topic's status never contradicts its
records. Every step — manual or not — is written to ``topic_transitions`` with who, when, from,
to and a note; that is the topic's ``timeline``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.db.enums import FollowUpStatus, TopicStatus
from xieshang.domain import crud
from xieshang.domain.policy import Viewer
from xieshang.domain.topics import TOPIC
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError, ValidationFailed

S = TopicStatus

#: Every step a topic may take, from each status. Statuses not listed as keys are final.
TRANSITIONS: Mapping[TopicStatus, frozenset[TopicStatus]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.SELECTED, S.MERGED, S.RESERVED, S.RETURNED}),
    # A topic kept for reference may be taken up again (e.g. the next round of selection).
    S.RESERVED: frozenset({S.UNDER_REVIEW}),
    # A selected topic may be set aside again before anything was scheduled.
    S.SELECTED: frozenset({S.SCHEDULED, S.UNDER_REVIEW}),
    # Back to selected when its only consultation is cancelled.
    S.SCHEDULED: frozenset({S.CONSULTED, S.SELECTED}),
    S.CONSULTED: frozenset({S.OUTCOME_REPORTED}),
    # An outcome that needs no follow-up task (a report taken note of) closes the topic.
    S.OUTCOME_REPORTED: frozenset({S.IN_IMPLEMENTATION, S.CLOSED}),
    S.IN_IMPLEMENTATION: frozenset({S.CLOSED}),
}

#: Steps the county office takes by hand; the others follow from the records (see module doc).
MANUAL: frozenset[TopicStatus] = frozenset(
    {S.UNDER_REVIEW, S.SELECTED, S.MERGED, S.RESERVED, S.RETURNED, S.CLOSED}
)

#: Which operation takes a topic to a status that is not set by hand.
_DRIVEN_BY: Mapping[TopicStatus, str] = {
    S.SCHEDULED: "安排协商活动（createConsultation）",
    S.CONSULTED: "登记协商活动已举行（updateConsultation，status 为 HELD）",
    S.OUTCOME_REPORTED: "登记协商成果（createOutcome）",
    S.IN_IMPLEMENTATION: "交办督办任务（createFollowUp）",
    S.SUBMITTED: "提交议题",
}

#: Statuses whose step needs a reason (the note is kept as the topic's ``status_reason``).
NEEDS_REASON: frozenset[TopicStatus] = frozenset({S.RESERVED, S.RETURNED})

#: Topics in these statuses are live candidates: others may be merged into them.
MERGE_TARGETS: frozenset[TopicStatus] = frozenset(
    {S.UNDER_REVIEW, S.SELECTED, S.SCHEDULED, S.CONSULTED, S.OUTCOME_REPORTED, S.IN_IMPLEMENTATION}
)


def allowed_steps(status: TopicStatus) -> list[TopicStatus]:
    """The statuses a topic in ``status`` may move to, in workflow order."""
    nexts = TRANSITIONS.get(status, frozenset())
    return [s for s in TopicStatus if s in nexts]


def _labels(statuses: list[TopicStatus]) -> str:
    return (
        "、".join(f"{s.label.split(' ')[0]}（{s.value}）" for s in statuses) or "无（已是最终状态）"
    )


def transition_error(current: TopicStatus, to: TopicStatus, field: str = "status") -> UserError:
    """INVALID_TRANSITION naming the steps that are allowed from ``current``."""
    return UserError(
        field,
        "INVALID_TRANSITION",
        f"议题当前状态为“{current.label.split(' ')[0]}”，不能改为“{to.label.split(' ')[0]}”；"
        f"可改为：{_labels(allowed_steps(current))}",
    )


def actor_of(viewer: Viewer) -> tuple[str | None, str]:
    """How a viewer is named in a timeline: username and role label."""
    return viewer.username, viewer.label


async def record(
    session: AsyncSession,
    topic: m.Topic,
    from_status: TopicStatus | None,
    to_status: TopicStatus,
    viewer: Viewer,
    note: str | None = None,
) -> m.TopicTransition:
    """Write one timeline entry (the caller has changed ``topic.status``)."""
    actor, role = actor_of(viewer)
    entry = m.TopicTransition(
        county_id=topic.county_id,
        topic_id=topic.id,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_role=role,
        note=note,
        occurred_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    return entry


async def record_intake(
    session: AsyncSession, topic: m.Topic, viewer: Viewer, note: str | None = None
) -> m.TopicTransition:
    """The first timeline entry: the topic came in (status SUBMITTED)."""
    return await record(session, topic, None, topic.status, viewer, note)


async def move(
    session: AsyncSession,
    topic: m.Topic,
    to: TopicStatus,
    viewer: Viewer,
    *,
    note: str | None = None,
    merged_into_id: int | None = None,
    manual: bool = False,
) -> m.TopicTransition:
    """Move ``topic`` to ``to`` and record the step; :class:`ValidationFailed` when not allowed.

    ``manual`` steps (the office's review decisions) may only go to :data:`MANUAL` statuses;
    the rest are taken by the operations that create the records they stand for.
    """
    current = topic.status
    problems: list[UserError] = []
    if to not in TRANSITIONS.get(current, frozenset()):
        raise ValidationFailed([transition_error(current, to)])
    if manual and to not in MANUAL:
        raise ValidationFailed(
            [
                UserError(
                    "status",
                    "INVALID_TRANSITION",
                    f"议题不能直接改为“{to.label.split(' ')[0]}”，请通过{_DRIVEN_BY[to]}完成",
                )
            ]
        )
    note = note.strip() if note and note.strip() else None
    if to in NEEDS_REASON and note is None:
        problems.append(UserError("note", "REQUIRED", f"改为“{to.label.split(' ')[0]}”须说明理由"))
    target: m.Topic | None = None
    if to is S.MERGED:
        target = await _merge_target(session, topic, merged_into_id, problems)
    elif merged_into_id is not None:
        problems.append(UserError("merged_into_id", "INVALID_VALUE", "只有并入其他议题时才填写"))
    if to is S.CLOSED and manual:
        await _check_closable(session, topic, problems)
    if problems:
        raise ValidationFailed(problems)
    topic.status = to
    if to is S.SELECTED:
        topic.is_key = True
    elif current is S.SELECTED and to is S.UNDER_REVIEW:
        topic.is_key = False
    if to is S.MERGED and target is not None:
        topic.merged_into_id = target.id
    if to in NEEDS_REASON:
        topic.status_reason = note
    elif to is S.UNDER_REVIEW:
        topic.status_reason = None
    return await record(session, topic, current, to, viewer, note)


async def change_status(
    work: Work,
    topic_id: int,
    expected_version: int,
    to: TopicStatus,
    *,
    note: str | None = None,
    merged_into_id: int | None = None,
) -> m.Topic:
    """The office's review step on a topic (:data:`MANUAL` statuses only; the others follow
    from consultations, outcomes and follow-up tasks)."""
    topic: m.Topic = await crud.load_for_update(work, TOPIC, topic_id)
    crud.check_not_archived(TOPIC, topic)
    crud.check_version(TOPIC, topic, expected_version)
    await move(
        work.session,
        topic,
        to,
        work.viewer,
        note=note,
        merged_into_id=merged_into_id,
        manual=True,
    )
    await work.session.flush()
    return topic


async def advance(
    session: AsyncSession,
    topic: m.Topic,
    to: TopicStatus,
    viewer: Viewer,
    note: str | None = None,
) -> m.TopicTransition | None:
    """Move ``topic`` forward to ``to`` as a consequence of a record, unless it is already there.

    Used by the consultation, outcome and follow-up operations; a topic that is already past
    ``to`` (a second consultation, a further outcome) stays where it is.
    """
    if topic.status is to or _rank(topic.status) > _rank(to):
        return None
    return await move(session, topic, to, viewer, note=note)


_ORDER = (
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.SELECTED,
    S.SCHEDULED,
    S.CONSULTED,
    S.OUTCOME_REPORTED,
    S.IN_IMPLEMENTATION,
    S.CLOSED,
)


def _rank(status: TopicStatus) -> int:
    return _ORDER.index(status) if status in _ORDER else -1


async def _merge_target(
    session: AsyncSession, topic: m.Topic, target_id: int | None, problems: list[UserError]
) -> m.Topic | None:
    if target_id is None:
        problems.append(UserError("merged_into_id", "REQUIRED", "并入其他议题时须选择要并入的议题"))
        return None
    target = await session.get(m.Topic, target_id)
    if target is None or target.county_id != topic.county_id or target.archived_at is not None:
        problems.append(UserError("merged_into_id", "NOT_FOUND", "所选议题不存在"))
        return None
    if target.id == topic.id:
        problems.append(UserError("merged_into_id", "INVALID_VALUE", "议题不能并入它自己"))
        return None
    if target.status not in MERGE_TARGETS:
        problems.append(
            UserError(
                "merged_into_id",
                "INVALID_STATE",
                f"所选议题状态为“{target.status.label.split(' ')[0]}”，不能再接收并入的议题",
            )
        )
        return None
    return target


async def topic_of_outcome(session: AsyncSession, outcome_id: int) -> m.Topic:
    """The topic an outcome came from, locked for the step it is about to take."""
    topic_id = await session.scalar(
        sa.select(m.Consultation.topic_id)
        .join(m.Outcome, m.Outcome.consultation_id == m.Consultation.id)
        .where(m.Outcome.id == outcome_id)
    )
    topic = await session.get(m.Topic, topic_id, with_for_update=True)
    assert topic is not None  # composite foreign keys guarantee the chain
    return topic


async def open_task_count(session: AsyncSession, topic_id: int) -> int:
    """Follow-up tasks of the topic's outcomes that are not done yet (archived ones left out)."""
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(m.FollowUp)
        .join(m.Outcome, m.Outcome.id == m.FollowUp.outcome_id)
        .join(m.Consultation, m.Consultation.id == m.Outcome.consultation_id)
        .where(
            m.Consultation.topic_id == topic_id,
            m.FollowUp.archived_at.is_(None),
            m.FollowUp.status != FollowUpStatus.DONE,
        )
    )
    return int(count or 0)


async def _check_closable(session: AsyncSession, topic: m.Topic, problems: list[UserError]) -> None:
    """A topic closes by hand only when none of its follow-up tasks is still open."""
    open_tasks = await open_task_count(session, topic.id)
    if open_tasks:
        problems.append(
            UserError(
                "status",
                "INVALID_STATE",
                f"该议题还有 {open_tasks} 项督办任务未办结，不能办结议题",
            )
        )


async def timeline(session: AsyncSession, topic_id: int) -> list[m.TopicTransition]:
    """The steps of one topic, oldest first."""
    rows = await session.scalars(
        sa.select(m.TopicTransition)
        .where(m.TopicTransition.topic_id == topic_id)
        .order_by(m.TopicTransition.occurred_at, m.TopicTransition.id)
    )
    return list(rows)

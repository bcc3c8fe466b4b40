"""Timelines reconstructed from records, for topics that were recorded without one.

Topics loaded in bulk — the demo county, an import of last year's ledger, rows written before
the workflow kept timelines — carry a status but no steps. :func:`backfill` derives each step
from the records that stand for it (submission time, consultations, outcomes, follow-up tasks),
so every topic's ``timeline`` ends at its status. Steps are marked as reconstructed (actor
SYSTEM, note 依据记录补录) so nobody mistakes them for what a person did at that moment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import ConsultationStatus, FollowUpStatus, TopicStatus

S = TopicStatus
NOTE = "依据记录补录 reconstructed from the records"

#: The path of a topic that went all the way, in order.
_MAIN_PATH = (
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.SELECTED,
    S.SCHEDULED,
    S.CONSULTED,
    S.OUTCOME_REPORTED,
    S.IN_IMPLEMENTATION,
    S.CLOSED,
)


def path_to(status: TopicStatus) -> list[TopicStatus]:
    """The statuses a topic passed through to reach ``status`` (review decisions branch off)."""
    if status in _MAIN_PATH:
        return list(_MAIN_PATH[: _MAIN_PATH.index(status) + 1])
    return [S.SUBMITTED, S.UNDER_REVIEW, status]


async def backfill(session: AsyncSession, county_id: int, zone: ZoneInfo) -> int:
    """Write reconstructed timelines for the county's topics that have none; returns how many
    steps were written. Runs a fixed number of statements however many topics there are."""
    has_timeline = sa.select(m.TopicTransition.topic_id).where(
        m.TopicTransition.county_id == county_id
    )
    topics = (
        await session.scalars(
            sa.select(m.Topic).where(
                m.Topic.county_id == county_id, m.Topic.id.not_in(has_timeline)
            )
        )
    ).all()
    if not topics:
        return 0
    held: dict[int, list[m.Consultation]] = defaultdict(list)
    for c in await session.scalars(
        sa.select(m.Consultation)
        .where(m.Consultation.county_id == county_id)
        .order_by(m.Consultation.starts_at)
    ):
        if c.status is not ConsultationStatus.CANCELLED:
            held[c.topic_id].append(c)
    outcomes: dict[int, list[m.Outcome]] = defaultdict(list)
    rows = await session.execute(
        sa.select(m.Outcome, m.Consultation.topic_id)
        .join(m.Consultation, m.Consultation.id == m.Outcome.consultation_id)
        .where(m.Outcome.county_id == county_id)
    )
    for outcome, topic_id in rows:
        outcomes[topic_id].append(outcome)
    tasks: dict[int, list[m.FollowUp]] = defaultdict(list)
    task_rows = await session.execute(
        sa.select(m.FollowUp, m.Consultation.topic_id)
        .join(m.Outcome, m.Outcome.id == m.FollowUp.outcome_id)
        .join(m.Consultation, m.Consultation.id == m.Outcome.consultation_id)
        .where(m.FollowUp.county_id == county_id)
    )
    for task, task_topic in task_rows:
        tasks[task_topic].append(task)

    def at(day: date) -> datetime:
        return datetime.combine(day, time(10), tzinfo=zone)

    steps: list[m.TopicTransition] = []
    for topic in topics:
        came_in = topic.submitted_at
        consultations = held.get(topic.id, [])
        first_meeting = consultations[0].starts_at if consultations else None
        reported = [o.reported_on for o in outcomes.get(topic.id, []) if o.reported_on]
        assigned = [t.assigned_on for t in tasks.get(topic.id, [])]
        done = [
            t.completed_on
            for t in tasks.get(topic.id, [])
            if t.status is FollowUpStatus.DONE and t.completed_on
        ]
        when: dict[TopicStatus, datetime] = {
            S.SUBMITTED: came_in,
            S.UNDER_REVIEW: came_in + timedelta(days=3),
        }
        # Decided within a month, and before anything was scheduled.
        decided = came_in + timedelta(days=14)
        if first_meeting is not None:
            decided = min(decided, first_meeting - timedelta(days=7))
        for decision in (S.SELECTED, S.MERGED, S.RESERVED, S.RETURNED):
            when[decision] = decided
        if first_meeting is not None:
            when[S.SCHEDULED] = first_meeting - timedelta(days=5)
            when[S.CONSULTED] = first_meeting + timedelta(hours=2)
        if reported:
            when[S.OUTCOME_REPORTED] = at(min(reported))
        if assigned:
            when[S.IN_IMPLEMENTATION] = at(min(assigned))
        if done:
            when[S.CLOSED] = at(max(done))
        previous: TopicStatus | None = None
        last = came_in
        for status in path_to(topic.status):
            # Never earlier than the step before: dates in old ledgers are not always in order.
            last = max(last, when.get(status, last))
            steps.append(
                m.TopicTransition(
                    county_id=county_id,
                    topic_id=topic.id,
                    from_status=previous,
                    to_status=status,
                    actor="SYSTEM",
                    actor_role="SYSTEM",
                    note=topic.status_reason if status in (S.RESERVED, S.RETURNED) else NOTE,
                    occurred_at=last,
                )
            )
            previous = status
    session.add_all(steps)
    await session.flush()
    return len(steps)

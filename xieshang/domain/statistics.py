"""Consultation statistics (协商工作统计) of a county or a platform for one year.

The year is the topics' year, taken as a cohort: the topics collected that year, the
consultations held on them (whenever they were held), the outcomes of those consultations, the
follow-up tasks of those outcomes and the residents' evaluations of them. Archived rows are left
out at every step (an archived topic takes its consultations and what came of them along).

For a platform: the consultations held at the platform on that year's topics and what came of
them; its topics are those proposed at the platform (``Topic.platform_id``) or consulted there.

Four statements (two of them grouped aggregates), whatever the size of the county.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from xieshang.db import models as m
from xieshang.db.enums import ConsultationStatus, FollowUpStatus, Satisfaction, TopicSource

#: Satisfaction levels that count as satisfied for the 满意率.
SATISFIED_LEVELS = (
    Satisfaction.VERY_SATISFIED,
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
)


@dataclass(frozen=True)
class SourceCount:
    """Topics of one source: collected and selected as key topics."""

    source: TopicSource
    collected: int
    key: int


@dataclass(frozen=True)
class ConsultationStatistics:
    """The figures of one year's cohort of topics (see the module docstring)."""

    year: int
    topics_by_source: list[SourceCount]
    consultations_held: int
    outcomes: int
    tasks: int
    tasks_done: int
    tasks_overdue: int
    tasks_done_on_time: int
    outcomes_converted: int
    satisfaction_counts: dict[Satisfaction, int] = field(default_factory=dict)

    @property
    def topics_collected(self) -> int:
        return sum(s.collected for s in self.topics_by_source)

    @property
    def key_topics(self) -> int:
        return sum(s.key for s in self.topics_by_source)

    @property
    def tasks_open(self) -> int:
        return self.tasks - self.tasks_done

    @property
    def on_time_rate(self) -> float | None:
        """Tasks done on or before their due date ÷ tasks done (None when none is done)."""
        return _ratio(self.tasks_done_on_time, self.tasks_done)

    @property
    def conversion_rate(self) -> float | None:
        """转化率: outcomes whose tasks are all done ÷ outcomes (None when there are none)."""
        return _ratio(self.outcomes_converted, self.outcomes)

    @property
    def evaluations(self) -> int:
        return sum(self.satisfaction_counts.values())

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 非常满意 + 满意 + 基本满意 ÷ evaluations (None when there are none)."""
        satisfied = sum(self.satisfaction_counts.get(s, 0) for s in SATISFIED_LEVELS)
        return _ratio(satisfied, self.evaluations)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count_if(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


async def county_statistics(
    session: AsyncSession, county_id: int, year: int, today: date
) -> ConsultationStatistics:
    """The figures of ``county_id`` for the topics of ``year`` (``today``: the county's date)."""
    return await _statistics(session, county_id, year, today, platform_id=None)


async def platform_statistics(
    session: AsyncSession, county_id: int, platform_id: int, year: int, today: date
) -> ConsultationStatistics:
    """The figures of one platform for the topics of ``year`` (see the module docstring)."""
    return await _statistics(session, county_id, year, today, platform_id=platform_id)


async def _statistics(
    session: AsyncSession, county_id: int, year: int, today: date, *, platform_id: int | None
) -> ConsultationStatistics:
    t, c, o, f, e = m.Topic, m.Consultation, m.Outcome, m.FollowUp, m.Evaluation
    cohort = [t.county_id == county_id, t.year == year, t.archived_at.is_(None)]
    # Every table is filtered by county too: the plans then start from the county's rows.
    held = [c.county_id == county_id, c.archived_at.is_(None), c.status == ConsultationStatus.HELD]
    topic_filter = list(cohort)
    if platform_id is not None:
        held.append(c.platform_id == platform_id)
        here = aliased(m.Consultation)
        consulted_here = sa.exists().where(
            here.county_id == county_id,
            here.topic_id == t.id,
            here.platform_id == platform_id,
            here.archived_at.is_(None),
            here.status == ConsultationStatus.HELD,
        )
        topic_filter.append(sa.or_(t.platform_id == platform_id, consulted_here))

    topics = await session.execute(
        sa.select(t.source, sa.func.count(), _count_if(t.is_key))
        .where(*topic_filter)
        .group_by(t.source)
    )
    found = {source: (int(n), int(k)) for source, n, k in topics}
    by_source = [SourceCount(s, *found.get(s, (0, 0))) for s in TopicSource]

    # The cohort's consultations and their outcomes, then tasks and evaluations of those
    # outcomes by ID: a long join chain gets nested-loop plans on PostgreSQL before its
    # statistics are gathered (a freshly loaded database), short statements do not.
    chain = sa.join(c, t, sa.and_(t.county_id == c.county_id, t.id == c.topic_id)).outerjoin(
        o,
        sa.and_(o.county_id == c.county_id, o.consultation_id == c.id, o.archived_at.is_(None)),
    )
    rows = (
        await session.execute(sa.select(c.id, o.id).select_from(chain).where(*cohort, *held))
    ).all()
    consultations = {consultation for consultation, _ in rows}
    outcome_ids = sorted({outcome for _, outcome in rows if outcome is not None})

    tasks, done, overdue, on_time, converted = 0, 0, 0, 0, 0
    levels: dict[Satisfaction, int] = {}
    if outcome_ids:
        is_done = f.status == FollowUpStatus.DONE
        per_outcome = await session.execute(
            sa.select(
                sa.func.count(f.id),
                _count_if(is_done),
                _count_if(sa.and_(f.status != FollowUpStatus.DONE, f.due_on < today)),
                _count_if(sa.and_(is_done, f.completed_on <= f.due_on)),
            )
            .where(f.county_id == county_id, f.archived_at.is_(None), f.outcome_id.in_(outcome_ids))
            .group_by(f.outcome_id)
        )
        for n, n_done, n_overdue, n_on_time in per_outcome:
            tasks, done = tasks + int(n), done + int(n_done)
            overdue, on_time = overdue + int(n_overdue), on_time + int(n_on_time)
            # Converted: the outcome has tasks (it is in this grouping) and all are done.
            converted += int(n) == int(n_done)
        satisfaction = await session.execute(
            sa.select(e.satisfaction, sa.func.count(e.id))
            .where(e.county_id == county_id, e.archived_at.is_(None), e.outcome_id.in_(outcome_ids))
            .group_by(e.satisfaction)
        )
        levels = {level: int(n) for level, n in satisfaction}
    return ConsultationStatistics(
        year=year,
        topics_by_source=by_source,
        consultations_held=len(consultations),
        outcomes=len(outcome_ids),
        tasks=tasks,
        tasks_done=done,
        tasks_overdue=overdue,
        tasks_done_on_time=on_time,
        outcomes_converted=converted,
        satisfaction_counts={s: levels.get(s, 0) for s in Satisfaction},
    )

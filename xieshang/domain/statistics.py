"""Consultation statistics (协商工作统计) of a county or a platform for one year.

The year is the topics' year, taken as a cohort: the topics collected that year, the
consultations held on them (whenever they were held), the outcomes of those consultations, the
follow-up tasks of those outcomes and the residents' evaluations of them. Archived rows are left
out at every step (an archived topic takes its consultations and what came of them along).

For a platform: the consultations held at the platform on that year's topics and what came of
them; its topics are those proposed at the platform (``Topic.platform_id``) or consulted there.

Five grouped statements, whatever the size of the county.
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
    topic_cohort = [t.county_id == county_id, t.year == year, t.archived_at.is_(None)]
    held = [c.county_id == county_id, c.archived_at.is_(None), c.status == ConsultationStatus.HELD]
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
        topic_cohort.append(sa.or_(t.platform_id == platform_id, consulted_here))

    topics = await session.execute(
        sa.select(t.source, sa.func.count(), _count_if(t.is_key))
        .where(*topic_cohort)
        .group_by(t.source)
    )
    found = {source: (int(n), int(k)) for source, n, k in topics}
    by_source = [SourceCount(s, *found.get(s, (0, 0))) for s in TopicSource]

    # Consultations of the cohort, then outcomes of those, then tasks and evaluations.
    consultations = sa.select(c.id).join(t, sa.and_(t.county_id == c.county_id, t.id == c.topic_id))
    consultations = consultations.where(*topic_cohort, *held)
    outcome_rows = sa.select(o.id).where(
        o.county_id == county_id,
        o.archived_at.is_(None),
        o.consultation_id.in_(consultations.scalar_subquery()),
    )
    counts = (
        await session.execute(
            sa.select(
                sa.select(sa.func.count()).select_from(consultations.subquery()).scalar_subquery(),
                sa.select(sa.func.count()).select_from(outcome_rows.subquery()).scalar_subquery(),
            )
        )
    ).one()

    in_cohort_tasks = [
        f.county_id == county_id,
        f.archived_at.is_(None),
        f.outcome_id.in_(outcome_rows.scalar_subquery()),
    ]
    done = f.status == FollowUpStatus.DONE
    tasks = (
        await session.execute(
            sa.select(
                sa.func.count(),
                _count_if(done),
                _count_if(sa.and_(f.status != FollowUpStatus.DONE, f.due_on < today)),
                _count_if(sa.and_(done, f.completed_on <= f.due_on)),
            ).where(*in_cohort_tasks)
        )
    ).one()
    # An outcome is converted when it has tasks and every one of them is done.
    per_outcome = (
        sa.select(f.outcome_id)
        .where(*in_cohort_tasks)
        .group_by(f.outcome_id)
        .having(_count_if(f.status != FollowUpStatus.DONE) == 0)
    )
    converted = await session.scalar(sa.select(sa.func.count()).select_from(per_outcome.subquery()))

    satisfaction = await session.execute(
        sa.select(e.satisfaction, sa.func.count())
        .where(
            e.county_id == county_id,
            e.archived_at.is_(None),
            e.outcome_id.in_(outcome_rows.scalar_subquery()),
        )
        .group_by(e.satisfaction)
    )
    levels = {level: int(n) for level, n in satisfaction}
    return ConsultationStatistics(
        year=year,
        topics_by_source=by_source,
        consultations_held=int(counts[0]),
        outcomes=int(counts[1]),
        tasks=int(tasks[0]),
        tasks_done=int(tasks[1]),
        tasks_overdue=int(tasks[2]),
        tasks_done_on_time=int(tasks[3]),
        outcomes_converted=int(converted or 0),
        satisfaction_counts={s: levels.get(s, 0) for s in Satisfaction},
    )

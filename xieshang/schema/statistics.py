"""Consultation statistics (协商工作统计) of a county or a platform: ``statistics(year:)``.

Who reads them: everyone who may read consultations (the public included — the figures are the
kind the county publishes: 转化率, 满意率). They are counts and rates only; no task, unit or
resident is named (policy: ``ConsultationStatistics`` in TYPE_READERS).
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import Satisfaction, TopicSource
from xieshang.domain import statistics
from xieshang.domain.calendar import local_today
from xieshang.schema.context import Context

_COHORT = (
    "按议题年度统计 cohort of the year's topics：该年度收集的议题、就这些议题举行的协商活动及其成果、"
    "督办任务和群众评价（不论发生在哪一年）；已归档的记录不计"
)


@strawberry.type(description="按来源统计的议题 topics of one source")
class TopicSourceCount:
    source: TopicSource = strawberry.field(description="议题来源 source")
    collected: int = strawberry.field(description="收集议题数 topics collected")
    key: int = strawberry.field(description="其中重点议题数 of which key topics")


@strawberry.type(description="某一满意度的评价数 evaluations at one satisfaction level")
class SatisfactionCount:
    satisfaction: Satisfaction = strawberry.field(description="满意度 satisfaction")
    count: int = strawberry.field(description="评价数 evaluations")


@strawberry.type(description=f"协商工作统计 ConsultationStatistics：{_COHORT}")
class ConsultationStatistics:
    year: int = strawberry.field(description="议题年度 the topics' year")
    topics_collected: int = strawberry.field(description="收集议题数 topics collected")
    topics_by_source: list[TopicSourceCount] = strawberry.field(
        description="按来源 topics by source（县委交题、政府点题、社会出题、委员提案）"
    )
    key_topics: int = strawberry.field(description="重点议题数 key topics")
    consultations_held: int = strawberry.field(
        description="举行的协商活动数 consultations held（就该年度议题）"
    )
    outcomes: int = strawberry.field(description="协商成果数 outcomes of those consultations")
    tasks: int = strawberry.field(description="督办任务数 follow-up tasks of those outcomes")
    tasks_done: int = strawberry.field(description="已办结任务数 tasks done")
    tasks_open: int = strawberry.field(description="未办结任务数 tasks open")
    tasks_overdue: int = strawberry.field(
        description="逾期任务数 tasks overdue：未办结且期限早于今天（县所在时区）"
    )
    tasks_done_on_time: int = strawberry.field(
        description="按期办结任务数 tasks done on or before their due date"
    )
    on_time_rate: float | None = strawberry.field(
        description="按期办结率 on-time rate：按期办结 ÷ 已办结（无已办结任务时为空）"
    )
    outcomes_converted: int = strawberry.field(
        description="已转化成果数 outcomes converted：有督办任务且全部办结"
    )
    conversion_rate: float | None = strawberry.field(
        description="转化率 conversion rate：已转化成果 ÷ 成果（无成果时为空）"
    )
    evaluations: int = strawberry.field(description="群众评价数 evaluations of those outcomes")
    satisfaction_counts: list[SatisfactionCount] = strawberry.field(
        description="按满意度 evaluations per satisfaction level"
    )
    satisfaction_rate: float | None = strawberry.field(
        description="满意率 satisfaction rate：（非常满意 + 满意 + 基本满意）÷ 评价数（无评价时为空）"
    )


def present(figures: statistics.ConsultationStatistics) -> ConsultationStatistics:
    """The GraphQL object of the domain's figures."""
    return ConsultationStatistics(
        year=figures.year,
        topics_collected=figures.topics_collected,
        topics_by_source=[
            TopicSourceCount(source=s.source, collected=s.collected, key=s.key)
            for s in figures.topics_by_source
        ],
        key_topics=figures.key_topics,
        consultations_held=figures.consultations_held,
        outcomes=figures.outcomes,
        tasks=figures.tasks,
        tasks_done=figures.tasks_done,
        tasks_open=figures.tasks_open,
        tasks_overdue=figures.tasks_overdue,
        tasks_done_on_time=figures.tasks_done_on_time,
        on_time_rate=figures.on_time_rate,
        outcomes_converted=figures.outcomes_converted,
        conversion_rate=figures.conversion_rate,
        evaluations=figures.evaluations,
        satisfaction_counts=[
            SatisfactionCount(satisfaction=level, count=n)
            for level, n in figures.satisfaction_counts.items()
        ],
        satisfaction_rate=figures.satisfaction_rate,
    )


YearArgument = Annotated[int, strawberry.argument(description="议题年度 the topics' year，如 2024")]


def statistics_field(scope: str) -> Any:
    """``statistics(year:)`` of a County (``scope="county"``) or a Platform (``"platform"``)."""

    async def resolve(
        root: strawberry.Parent[Any], info: Info[Context, Any], year: YearArgument
    ) -> ConsultationStatistics:
        today = local_today(info.context.settings.zone)
        async with info.context.sessions() as session:
            if isinstance(root, models.County):
                figures = await statistics.county_statistics(session, root.id, year, today)
            else:
                figures = await statistics.platform_statistics(
                    session, root.county_id, root.id, year, today
                )
        return present(figures)

    what = "本县" if scope == "county" else "本平台"
    return strawberry.field(
        resolver=resolve, description=f"{what}协商工作统计 statistics：{_COHORT}"
    )

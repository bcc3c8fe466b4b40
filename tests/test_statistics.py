"""County.statistics and Platform.statistics: a hand-counted fixture, the demo county counted
again with plain SQL, a constant number of statements, and who may read them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.db.enums import (
    ConsultationStatus,
    EvaluationChannel,
    FollowUpStatus,
    HostVenue,
    PlatformLevel,
    ResultClass,
    Satisfaction,
    TopicSource,
    TopicStatus,
)
from xieshang.domain import statistics
from xieshang.domain.calendar import local_today
from xieshang.schema.relay import to_global_id
from xieshang.testing import GraphQLClient

FIGURES = """
  year topicsCollected keyTopics topicsBySource { source collected key }
  consultationsHeld outcomes tasks tasksDone tasksOpen tasksOverdue tasksDoneOnTime onTimeRate
  outcomesConverted conversionRate evaluations satisfactionCounts { satisfaction count }
  satisfactionRate
"""
COUNTY = f"""query($code: String!, $year: Int!) {{
  county(code: $code) {{ statistics(year: $year) {{ {FIGURES} }} }}
}}"""
PLATFORM = f"""query($id: ID!, $year: Int!) {{
  node(id: $id) {{ ... on Platform {{ statistics(year: $year) {{ {FIGURES} }} }} }}
}}"""
ZONE = ZoneInfo("Asia/Shanghai")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)


class _Builder:
    """Rows of one county, added and flushed one by one (IDs are needed as we go)."""

    def __init__(self, session: AsyncSession, county: m.County) -> None:
        self.s, self.county = session, county

    async def add(self, row: Any) -> Any:
        row.county_id = self.county.id
        self.s.add(row)
        await self.s.flush()
        return row

    async def topic(
        self,
        source: TopicSource,
        *,
        key: bool,
        year: int = 2024,
        platform: m.Platform | None = None,
    ) -> m.Topic:
        return await self.add(
            m.Topic(
                title=f"议题{source.value}{key}{year}",
                source=source,
                year=year,
                is_key=key,
                status=TopicStatus.SELECTED if key else TopicStatus.UNDER_REVIEW,
                platform_id=platform.id if platform else None,
            )
        )

    async def consultation(
        self,
        topic: m.Topic,
        platform: m.Platform,
        status: ConsultationStatus = ConsultationStatus.HELD,
    ) -> m.Consultation:
        return await self.add(
            m.Consultation(
                topic_id=topic.id,
                platform_id=platform.id,
                title=f"{topic.title}协商",
                form="院坝协商",
                status=status,
                starts_at=_at(date(2024, 5, 1)),
            )
        )

    async def outcome(self, consultation: m.Consultation, *, archived: bool = False) -> m.Outcome:
        return await self.add(
            m.Outcome(
                consultation_id=consultation.id,
                kind="建议案",
                title=f"{consultation.title}成果",
                archived_at=utcnow() if archived else None,
            )
        )

    async def task(
        self,
        outcome: m.Outcome,
        unit: m.ResponsibleUnit,
        due: date,
        completed: date | None = None,
        *,
        archived: bool = False,
    ) -> m.FollowUp:
        return await self.add(
            m.FollowUp(
                outcome_id=outcome.id,
                unit_id=unit.id,
                task="落实",
                assigned_on=date(2024, 1, 1),
                due_on=due,
                status=FollowUpStatus.DONE if completed else FollowUpStatus.IN_PROGRESS,
                completed_on=completed,
                result_class=ResultClass.A if completed else None,
                archived_at=utcnow() if archived else None,
            )
        )

    async def evaluation(
        self, outcome: m.Outcome, level: Satisfaction, *, archived: bool = False
    ) -> m.Evaluation:
        return await self.add(
            m.Evaluation(
                outcome_id=outcome.id,
                resident_name="居民",
                satisfaction=level,
                channel=EvaluationChannel.FORM,
                archived_at=utcnow() if archived else None,
            )
        )


async def _county(session: AsyncSession, code: str) -> m.County:
    county = m.County(code=code, name=f"测试县{code}", city="南充市", province="四川省")
    session.add(county)
    await session.flush()
    return county


@pytest.fixture
async def fixture(xieshang_sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """A small county (100001) whose figures are counted by hand in the tests below."""
    far, late = date(2099, 1, 1), date(2024, 3, 1)  # not overdue; overdue by now
    async with xieshang_sessions() as session, session.begin():
        b = _Builder(session, await _county(session, "100001"))
        p0 = await b.add(
            m.Platform(name="县平台", level=PlatformLevel.COUNTY, area_name="测试县",
                       host_venue=HostVenue.OTHER)
        )  # fmt: skip
        p1 = await b.add(
            m.Platform(name="镇平台", level=PlatformLevel.TOWNSHIP, area_name="某镇",
                       host_venue=HostVenue.OTHER, parent_id=p0.id)
        )  # fmt: skip
        unit = await b.add(m.ResponsibleUnit(name="县水务局"))

        # T1: key, held at the county platform; O1's two tasks are done (one on time, one
        # late) → converted. Evaluations: very satisfied, dissatisfied.
        t1 = await b.topic(TopicSource.PARTY_COMMITTEE, key=True)
        o1 = await b.outcome(await b.consultation(t1, p0))
        await b.task(o1, unit, date(2024, 6, 30), date(2024, 6, 30))
        await b.task(o1, unit, date(2024, 6, 30), date(2024, 7, 15))
        await b.evaluation(o1, Satisfaction.VERY_SATISFIED)
        await b.evaluation(o1, Satisfaction.DISSATISFIED)

        # T2: key, proposed at and held at the township platform; O2: one task done on time,
        # one open and overdue, one open not yet due → not converted. An archived outcome of
        # the same consultation (with a task) and an archived evaluation are left out.
        t2 = await b.topic(TopicSource.PUBLIC, key=True, platform=p1)
        c2 = await b.consultation(t2, p1)
        o2 = await b.outcome(c2)
        await b.task(o2, unit, date(2024, 6, 30), date(2024, 6, 1))
        await b.task(o2, unit, late)
        await b.task(o2, unit, far)
        await b.evaluation(o2, Satisfaction.SATISFIED)
        await b.evaluation(o2, Satisfaction.BASICALLY_SATISFIED)
        await b.evaluation(o2, Satisfaction.VERY_SATISFIED, archived=True)
        gone = await b.outcome(c2, archived=True)
        await b.task(gone, unit, late)
        await b.evaluation(gone, Satisfaction.SATISFIED)

        # T3: public, not key, proposed at the township platform, never consulted.
        await b.topic(TopicSource.PUBLIC, key=False, platform=p1)
        # T4: key, its consultation at the county platform was cancelled (and has an outcome).
        t4 = await b.topic(TopicSource.GOVERNMENT, key=True)
        await b.outcome(await b.consultation(t4, p0, ConsultationStatus.CANCELLED))
        # T5: key, held at the township platform; its outcome's only task is archived, so it
        # has no tasks and is not converted.
        t5 = await b.topic(TopicSource.MEMBER_PROPOSAL, key=True)
        o5 = await b.outcome(await b.consultation(t5, p1))
        await b.task(o5, unit, far, date(2024, 6, 1), archived=True)
        # An archived topic and a 2023 topic, both with everything, are outside the cohort.
        t6 = await b.topic(TopicSource.PUBLIC, key=True)
        t6.archived_at = utcnow()
        o6 = await b.outcome(await b.consultation(t6, p0))
        await b.task(o6, unit, late)
        await b.evaluation(o6, Satisfaction.SATISFIED)
        t7 = await b.topic(TopicSource.PUBLIC, key=True, year=2023, platform=p1)
        o7 = await b.outcome(await b.consultation(t7, p1))
        await b.task(o7, unit, late)
        await b.evaluation(o7, Satisfaction.DISSATISFIED)

        # Another county's 2024 topic, consulted, with a task and an evaluation.
        other = _Builder(session, await _county(session, "100002"))
        q0 = await other.add(
            m.Platform(name="县平台", level=PlatformLevel.COUNTY, area_name="别县",
                       host_venue=HostVenue.OTHER)
        )  # fmt: skip
        other_unit = await other.add(m.ResponsibleUnit(name="别县水务局"))
        x = await other.outcome(
            await other.consultation(await other.topic(TopicSource.PUBLIC, key=True), q0)
        )
        await other.task(x, other_unit, late)
        await other.evaluation(x, Satisfaction.DISSATISFIED)
        return {"p0": p0.id, "p1": p1.id}


def _sources(**counts: tuple[int, int]) -> list[dict[str, Any]]:
    return [
        {"source": s.value, "collected": counts.get(s.value, (0, 0))[0],
         "key": counts.get(s.value, (0, 0))[1]}
        for s in TopicSource
    ]  # fmt: skip


def _levels(very: int, satisfied: int, basic: int, dissatisfied: int) -> list[dict[str, Any]]:
    counts = (very, satisfied, basic, dissatisfied)
    return [
        {"satisfaction": s.value, "count": n} for s, n in zip(Satisfaction, counts, strict=True)
    ]


async def test_county_figures_of_the_hand_counted_fixture(
    xieshang_system_client: GraphQLClient, fixture: dict[str, int]
) -> None:
    data = await xieshang_system_client.query(COUNTY, {"code": "100001", "year": 2024})
    assert data["county"]["statistics"] == {
        "year": 2024,
        "topicsCollected": 5,  # T1–T5
        "keyTopics": 4,  # T1, T2, T4, T5
        "topicsBySource": _sources(
            PARTY_COMMITTEE=(1, 1), GOVERNMENT=(1, 1), PUBLIC=(2, 1), MEMBER_PROPOSAL=(1, 1)
        ),
        "consultationsHeld": 3,  # T1, T2, T5 (T4's was cancelled)
        "outcomes": 3,  # O1, O2, O5
        "tasks": 5,  # O1: 2, O2: 3
        "tasksDone": 3,
        "tasksOpen": 2,
        "tasksOverdue": 1,
        "tasksDoneOnTime": 2,
        "onTimeRate": pytest.approx(2 / 3),
        "outcomesConverted": 1,  # O1
        "conversionRate": pytest.approx(1 / 3),
        "evaluations": 4,
        "satisfactionCounts": _levels(1, 1, 1, 1),
        "satisfactionRate": 0.75,
    }


async def test_platform_figures_of_the_hand_counted_fixture(
    xieshang_system_client: GraphQLClient, fixture: dict[str, int]
) -> None:
    township = to_global_id("Platform", fixture["p1"])
    data = await xieshang_system_client.query(PLATFORM, {"id": township, "year": 2024})
    assert data["node"]["statistics"] == {
        "year": 2024,
        "topicsCollected": 3,  # T2, T3 proposed here; T2, T5 consulted here
        "keyTopics": 2,
        "topicsBySource": _sources(PUBLIC=(2, 1), MEMBER_PROPOSAL=(1, 1)),
        "consultationsHeld": 2,
        "outcomes": 2,  # O2, O5
        "tasks": 3,
        "tasksDone": 1,
        "tasksOpen": 2,
        "tasksOverdue": 1,
        "tasksDoneOnTime": 1,
        "onTimeRate": 1.0,
        "outcomesConverted": 0,
        "conversionRate": 0.0,
        "evaluations": 2,
        "satisfactionCounts": _levels(0, 1, 1, 0),
        "satisfactionRate": 1.0,
    }
    county_platform = to_global_id("Platform", fixture["p0"])
    data = await xieshang_system_client.query(PLATFORM, {"id": county_platform, "year": 2024})
    figures = data["node"]["statistics"]
    # T1 only: T4 was not consulted here (cancelled), T6 is archived.
    assert (figures["topicsCollected"], figures["consultationsHeld"], figures["outcomes"]) == (
        1,
        1,
        1,
    )
    assert (figures["tasks"], figures["tasksDone"], figures["tasksDoneOnTime"]) == (2, 2, 1)
    assert (figures["onTimeRate"], figures["conversionRate"], figures["satisfactionRate"]) == (
        0.5,
        1.0,
        0.5,
    )


async def test_a_year_without_anything_has_zeros_and_no_rates(
    xieshang_system_client: GraphQLClient, fixture: dict[str, int]
) -> None:
    data = await xieshang_system_client.query(COUNTY, {"code": "100001", "year": 2030})
    figures = data["county"]["statistics"]
    assert figures["topicsCollected"] == figures["tasks"] == figures["evaluations"] == 0
    assert figures["onTimeRate"] is figures["conversionRate"] is figures["satisfactionRate"] is None
    assert figures["topicsBySource"] == _sources()
    assert figures["satisfactionCounts"] == _levels(0, 0, 0, 0)
    # 2023: T7 alone.
    data = await xieshang_system_client.query(COUNTY, {"code": "100001", "year": 2023})
    figures = data["county"]["statistics"]
    assert (figures["topicsCollected"], figures["outcomes"], figures["tasksOverdue"]) == (1, 1, 1)
    assert figures["satisfactionCounts"] == _levels(0, 0, 0, 1)


# -- the demo county ---------------------------------------------------------------------------


def _plain(sql: str) -> sa.TextClause:
    return sa.text(sql)


async def _demo_expected(
    sessions: async_sessionmaker[AsyncSession], today: date, platform: int | None = None
) -> dict[str, Any]:
    """The demo county's 2024 figures, counted again with plain SQL joins (independently of
    xieshang/domain/statistics.py)."""
    where_platform = "AND c.platform_id = :platform" if platform else ""
    topics_where = (
        """AND (t.platform_id = :platform OR EXISTS (SELECT 1 FROM consultations h
             WHERE h.topic_id = t.id AND h.platform_id = :platform AND h.status = 'HELD'
             AND h.archived_at IS NULL))"""
        if platform
        else ""
    )
    cohort = f"""FROM topics t JOIN counties k ON k.id = t.county_id
        JOIN consultations c ON c.topic_id = t.id AND c.status = 'HELD' AND c.archived_at IS NULL
        WHERE k.code = '511323' AND t.year = 2024 AND t.archived_at IS NULL {where_platform}"""
    params: dict[str, Any] = {"today": today, "platform": platform}
    async with sessions() as session:
        if session.bind.dialect.name == "postgresql":
            # These joins are long; without statistics (a fresh copy) PostgreSQL plans them as
            # nested loops that take seconds each.
            await session.execute(_plain("ANALYZE"))

        async def one(sql: str) -> Any:
            return (await session.execute(_plain(sql), params)).one()

        by_source = {
            source: (int(n), int(key))
            for source, n, key in (
                await session.execute(
                    _plain(
                        f"""SELECT t.source, COUNT(*), SUM(CASE WHEN t.is_key THEN 1 ELSE 0 END)
                        FROM topics t JOIN counties k ON k.id = t.county_id
                        WHERE k.code = '511323' AND t.year = 2024 AND t.archived_at IS NULL
                        {topics_where} GROUP BY t.source"""
                    ),
                    params,
                )
            ).all()
        }
        (held,) = await one(f"SELECT COUNT(*) {cohort}")
        with_outcomes = cohort.replace(
            "WHERE",
            "JOIN outcomes o ON o.consultation_id = c.id AND o.archived_at IS NULL WHERE",
            1,
        )
        (outcomes,) = await one(f"SELECT COUNT(*) {with_outcomes}")
        with_tasks = with_outcomes.replace(
            "WHERE", "JOIN follow_ups f ON f.outcome_id = o.id AND f.archived_at IS NULL WHERE", 1
        )
        tasks, done, overdue, on_time = await one(
            f"""SELECT COUNT(*),
                SUM(CASE WHEN f.status = 'DONE' THEN 1 ELSE 0 END),
                SUM(CASE WHEN f.status <> 'DONE' AND f.due_on < :today THEN 1 ELSE 0 END),
                SUM(CASE WHEN f.status = 'DONE' AND f.completed_on <= f.due_on THEN 1 ELSE 0 END)
                {with_tasks}"""
        )
        (converted,) = await one(
            f"""SELECT COUNT(*) FROM (SELECT o.id {with_tasks} GROUP BY o.id
                HAVING MIN(CASE WHEN f.status = 'DONE' THEN 1 ELSE 0 END) = 1) AS x"""
        )
        with_evaluations = cohort.replace(
            "WHERE",
            "JOIN outcomes o ON o.consultation_id = c.id AND o.archived_at IS NULL "
            "JOIN evaluations e ON e.outcome_id = o.id AND e.archived_at IS NULL WHERE",
            1,
        )
        levels = dict(
            (
                await session.execute(
                    _plain(
                        f"SELECT e.satisfaction, COUNT(*) {with_evaluations} GROUP BY e.satisfaction"
                    ),
                    params,
                )
            ).all()
        )
    return {
        "by_source": by_source,
        "held": held,
        "outcomes": outcomes,
        "tasks": (tasks, done or 0, overdue or 0, on_time or 0),
        "converted": converted,
        "levels": {k: int(v) for k, v in levels.items()},
    }


def _check_against(figures: dict[str, Any], expected: dict[str, Any]) -> None:
    by_source = {row["source"]: (row["collected"], row["key"]) for row in figures["topicsBySource"]}
    assert {k: v for k, v in by_source.items() if v != (0, 0)} == expected["by_source"]
    assert figures["topicsCollected"] == sum(n for n, _ in expected["by_source"].values())
    assert figures["keyTopics"] == sum(k for _, k in expected["by_source"].values())
    assert figures["consultationsHeld"] == expected["held"]
    assert figures["outcomes"] == expected["outcomes"]
    tasks, done, overdue, on_time = expected["tasks"]
    assert (figures["tasks"], figures["tasksDone"], figures["tasksOpen"]) == (
        tasks,
        done,
        tasks - done,
    )
    assert (figures["tasksOverdue"], figures["tasksDoneOnTime"]) == (overdue, on_time)
    assert figures["onTimeRate"] == pytest.approx(on_time / done)
    assert figures["outcomesConverted"] == expected["converted"]
    assert figures["conversionRate"] == pytest.approx(expected["converted"] / expected["outcomes"])
    levels = {row["satisfaction"]: row["count"] for row in figures["satisfactionCounts"]}
    assert {k: v for k, v in levels.items() if v} == expected["levels"]
    assert figures["evaluations"] == sum(expected["levels"].values())
    satisfied = figures["evaluations"] - levels["DISSATISFIED"]
    assert figures["satisfactionRate"] == pytest.approx(satisfied / figures["evaluations"])


async def test_demo_county_figures_match_the_records(
    xieshang_demo_client: GraphQLClient, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    data = await xieshang_demo_client.query(COUNTY, {"code": "511323", "year": 2024})
    figures = data["county"]["statistics"]
    # The article's figures (xieshang/demo/county.py builds them).
    assert (figures["topicsCollected"], figures["keyTopics"]) == (356, 148)
    # Every key topic was consulted once; 126 outcomes closed, 16 in implementation, 6 reported.
    assert (figures["consultationsHeld"], figures["outcomes"], figures["outcomesConverted"]) == (
        148,
        148,
        126,
    )
    expected = await _demo_expected(xieshang_demo_sessions, local_today(ZONE))
    _check_against(figures, expected)
    assert figures["evaluations"] > 0 and figures["tasksOpen"] > 0


async def test_demo_platform_figures_match_the_records(
    xieshang_demo_client: GraphQLClient, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with xieshang_demo_sessions() as session:
        # The village platform of 芭茅村 (the water-supply consultation) and the busiest township.
        platforms = (
            await session.scalars(
                sa.select(m.Consultation.platform_id)
                .group_by(m.Consultation.platform_id)
                .order_by(sa.func.count().desc(), m.Consultation.platform_id)
                .limit(3)
            )
        ).all()
    for platform in platforms:
        data = await xieshang_demo_client.query(
            PLATFORM, {"id": to_global_id("Platform", platform), "year": 2024}
        )
        figures = data["node"]["statistics"]
        expected = await _demo_expected(xieshang_demo_sessions, local_today(ZONE), platform)
        _check_against(figures, expected)


async def test_a_constant_number_of_statements(
    xieshang_demo_engine: AsyncEngine,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
    xieshang_sessions: async_sessionmaker[AsyncSession],
    fixture: dict[str, int],
) -> None:
    """The demo county (356 topics) takes as many statements as the five-topic fixture."""
    counted: list[str] = []

    def count(*args: Any) -> None:
        counted.append(str(args[2]))

    async def statements(sessions: async_sessionmaker[AsyncSession], code: str) -> int:
        engine = sessions.kw["bind"]
        async with sessions() as session:
            county = await session.scalar(sa.select(m.County.id).where(m.County.code == code))
            assert county is not None
            counted.clear()
            sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
            try:
                await statistics.county_statistics(session, county, 2024, date(2025, 1, 1))
            finally:
                sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
            return len(counted)

    small = await statements(xieshang_sessions, "100001")
    large = await statements(xieshang_demo_sessions, "511323")
    assert small == large == 4


async def test_who_reads_statistics(xieshang_graphql: Any) -> None:
    """Public figures: anonymous callers and county readers; not units or auditors."""
    query = '{ county(code: "511323") { statistics(year: 2024) { topicsCollected tasksOverdue } } }'
    for user in (None, "admin", "staff", "member", "city"):
        client = xieshang_graphql(as_user=user, anonymous=user is None)
        data = await client.query(query)
        assert data["county"]["statistics"]["topicsCollected"] == 356, user
    for user in ("unit", "auditor"):
        client = xieshang_graphql(as_user=user)
        response = await client.post(query)
        assert "FORBIDDEN" in response.error_codes, user

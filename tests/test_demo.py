"""The demo county reproduces every figure of the source article."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.db import models as m
from xieshang.db.enums import (
    EvaluationChannel,
    FollowUpStatus,
    PlatformLevel,
    Satisfaction,
    TopicSource,
    TopicStatus,
)
from xieshang.demo import county as demo_county
from xieshang.demo import reference as ref

Sessions = async_sessionmaker[AsyncSession]


async def rows(sessions: Sessions, stmt: sa.Select) -> list:
    async with sessions() as session:
        return list((await session.execute(stmt)).all())


async def objects(sessions: Sessions, model: type) -> list:
    async with sessions() as session:
        return list((await session.scalars(sa.select(model))).all())


async def test_county_and_structure(xieshang_demo_sessions: Sessions) -> None:
    (county,) = await objects(xieshang_demo_sessions, m.County)
    assert (county.code, county.name, county.city, county.province) == (
        "511323",
        "蓬安县",
        "南充市",
        "四川省",
    )
    assert len(await objects(xieshang_demo_sessions, m.Sector)) == 23
    assert len(await objects(xieshang_demo_sessions, m.Office)) == 9


async def test_sixteen_pilot_studios_with_five_selection_rounds(
    xieshang_demo_sessions: Sessions,
) -> None:
    studios = await objects(xieshang_demo_sessions, m.Studio)
    assert len(studios) == 16
    assert {s.batch_year for s in studios} == {2022}
    rounds = await objects(xieshang_demo_sessions, m.SelectionRound)
    by_studio = defaultdict(list)
    for r in rounds:
        by_studio[r.studio_id].append(r.round_no)
    assert {s.id: sorted(by_studio[s.id]) for s in studios} == {
        s.id: [1, 2, 3, 4, 5] for s in studios
    }
    memberships = await objects(xieshang_demo_sessions, m.StudioMember)
    members_of = defaultdict(set)
    for sm in memberships:
        members_of[sm.studio_id].add(sm.member_id)
    for studio in studios:
        assert studio.lead_member_id in members_of[studio.id]
        assert len(members_of[studio.id]) >= 5
        assert studio.host_platform_id is not None
    assert len({s.lead_member_id for s in studios}) == 16  # one studio per lead


async def test_eighty_eight_platforms_on_three_levels(xieshang_demo_sessions: Sessions) -> None:
    platforms = await objects(xieshang_demo_sessions, m.Platform)
    assert len(platforms) == 88
    levels = Counter(p.level for p in platforms)
    assert levels == {
        PlatformLevel.COUNTY: 1,
        PlatformLevel.TOWNSHIP: 15,
        PlatformLevel.VILLAGE: 72,
    }
    by_id = {p.id: p for p in platforms}
    for p in platforms:
        assert p.host_venue_name, p.name  # every platform sits on a named venue
        if p.level is PlatformLevel.TOWNSHIP:
            assert by_id[p.parent_id].level is PlatformLevel.COUNTY
        if p.level is PlatformLevel.VILLAGE:
            assert by_id[p.parent_id].level is PlatformLevel.TOWNSHIP
    baomao = [p for p in platforms if p.area_name == "芭茅村"]
    assert len(baomao) == 1 and by_id[baomao[0].parent_id].area_name == "罗家镇"


async def test_250_members_each_placed_by_proximity(xieshang_demo_sessions: Sessions) -> None:
    members = await objects(xieshang_demo_sessions, m.Member)
    assert len(members) == 250
    platforms = {p.id: p for p in await objects(xieshang_demo_sessions, m.Platform)}
    grid = await objects(xieshang_demo_sessions, m.GridAssignment)
    current = {g.member_id: g for g in grid if g.ended_on is None}
    assert set(current) == {mem.id for mem in members}
    for member in members:
        platform = platforms[current[member.id].platform_id]
        township = (
            platform
            if platform.level is PlatformLevel.TOWNSHIP
            else platforms.get(platform.parent_id)
        )
        if platform.level is PlatformLevel.COUNTY:
            assert member.township == "相如街道"  # the county seat guides the county platform
        else:
            assert township is not None and township.area_name == member.township
    covered = {g.platform_id for g in current.values()}
    assert covered == set(platforms)  # every platform has at least one member in its grid


async def test_topics_of_2024(xieshang_demo_sessions: Sessions) -> None:
    topics = await objects(xieshang_demo_sessions, m.Topic)
    of_2024 = [t for t in topics if t.year == 2024]
    assert len(of_2024) >= 350
    assert sum(t.is_key for t in of_2024) == 148
    assert {t.source for t in of_2024} == set(TopicSource)
    titles = {t.title: t for t in of_2024}
    for title, *_ in ref.NAMED_CONSULTATIONS:
        assert titles[title].is_key
    consultations = await objects(xieshang_demo_sessions, m.Consultation)
    consulted = {c.topic_id for c in consultations}
    for title, *_ in ref.NAMED_CONSULTATIONS:
        assert titles[title].id in consulted
    for t in of_2024:
        if not t.is_key:
            assert t.status in {TopicStatus.MERGED, TopicStatus.RESERVED, TopicStatus.RETURNED}
            assert t.id not in consulted
        if t.source is TopicSource.MEMBER_PROPOSAL:
            assert t.proposal_id is not None


async def test_baomao_water_supply_convention_and_evaluation(
    xieshang_demo_sessions: Sessions,
) -> None:
    outcomes = [
        o for o in await objects(xieshang_demo_sessions, m.Outcome) if o.title == "集中供水管护公约"
    ]
    assert len(outcomes) == 1
    outcome = outcomes[0]
    tasks = [
        f for f in await objects(xieshang_demo_sessions, m.FollowUp) if f.outcome_id == outcome.id
    ]
    assert tasks and all(t.status is FollowUpStatus.DONE for t in tasks)
    (evaluation,) = [
        e
        for e in await objects(xieshang_demo_sessions, m.Evaluation)
        if e.resident_name == "漆玉民"
    ]
    assert evaluation.outcome_id == outcome.id
    assert evaluation.resident_role == "村党支部书记"
    assert evaluation.satisfaction is Satisfaction.VERY_SATISFIED
    assert evaluation.comment == "满意，非常满意"
    assert evaluation.suggestion == "希望工作人员定期巡逻"
    assert evaluation.channel is EvaluationChannel.RETURN_VISIT
    assert evaluation.visited_by_member_id is not None
    consultation = next(
        c
        for c in await objects(xieshang_demo_sessions, m.Consultation)
        if c.id == outcome.consultation_id
    )
    platform = next(
        p
        for p in await objects(xieshang_demo_sessions, m.Platform)
        if p.id == consultation.platform_id
    )
    assert platform.area_name == "芭茅村" and consultation.form == "院坝协商"


def _windows_met(dates: list[date], size: int) -> set[int]:
    """1-based windows of ``size`` months in 2024 that contain at least one date."""
    return {(d.month - 1) // size + 1 for d in dates if d.year == 2024}


async def test_most_studios_meet_three_ones_and_the_planned_few_miss(
    xieshang_demo_sessions: Sessions,
) -> None:
    studios = sorted(await objects(xieshang_demo_sessions, m.Studio), key=lambda s: s.id)
    reports = await objects(xieshang_demo_sessions, m.OpinionReport)
    activities = await objects(xieshang_demo_sessions, m.Activity)
    deeds = await objects(xieshang_demo_sessions, m.Deed)
    missing: dict[int, dict[str, set[int]]] = {}
    for index, studio in enumerate(studios):
        months = _windows_met([r.submitted_on for r in reports if r.studio_id == studio.id], 1)
        quarters = _windows_met([a.occurred_on for a in activities if a.studio_id == studio.id], 3)
        halves = _windows_met([d.done_on for d in deeds if d.studio_id == studio.id], 6)
        gaps = {
            "report_months": set(range(1, 13)) - months,
            "activity_quarters": set(range(1, 5)) - quarters,
            "deed_halves": {1, 2} - halves,
        }
        gaps = {k: v for k, v in gaps.items() if v}
        if gaps:
            missing[index] = gaps
    expected = {i: {k: set(v) for k, v in g.items()} for i, g in ref.STUDIO_GAPS.items()}
    assert missing == expected
    assert len(studios) - len(missing) >= 12


@pytest.mark.slow  # builds the demo county twice
async def test_same_seed_same_county_and_load_is_idempotent(
    xieshang_demo_sessions: Sessions,
) -> None:
    names_before = sorted(m_.name for m_ in await objects(xieshang_demo_sessions, m.Member))
    again = await demo_county.load(xieshang_demo_sessions)
    assert again.created is False
    assert again.counts["members"] == 250 and again.counts["topics"] == 356
    assert sorted(m_.name for m_ in await objects(xieshang_demo_sessions, m.Member)) == names_before

    replaced = await demo_county.load(xieshang_demo_sessions, replace=True)  # same seed
    assert replaced.created is True
    assert sorted(m_.name for m_ in await objects(xieshang_demo_sessions, m.Member)) == names_before
    assert replaced.counts == again.counts

    other = await demo_county.load(xieshang_demo_sessions, replace=True, seed=7)
    assert sorted(m_.name for m_ in await objects(xieshang_demo_sessions, m.Member)) != names_before
    assert other.counts["members"] == 250 and other.counts["platforms"] == 88
    (county,) = await objects(xieshang_demo_sessions, m.County)
    assert county.code == "511323"

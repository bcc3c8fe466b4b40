"""Constraints live in the database: every engine refuses what the domain forbids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from xieshang.db import models as m
from xieshang.db.enums import FollowUpStatus, HostVenue, PlatformLevel, ResultClass, TopicSource

Sessions = async_sessionmaker[AsyncSession]


async def make_county(session: AsyncSession, code: str) -> m.County:
    county = m.County(code=code, name=f"县{code}", city="南充市", province="四川省")
    session.add(county)
    await session.flush()
    return county


async def seed(sessions: Sessions) -> dict[str, int]:
    """Two counties, each with a sector, an office, a county platform and a member."""
    ids: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for tag, code in (("a", "511323"), ("b", "511381")):
            county = await make_county(session, code)
            sector = m.Sector(county_id=county.id, name="农业")
            platform = m.Platform(
                county_id=county.id,
                name="县级平台",
                level=PlatformLevel.COUNTY,
                area_name="县",
                host_venue=HostVenue.CIVILIZATION_CENTER,
            )
            session.add_all([sector, platform])
            await session.flush()
            member = m.Member(county_id=county.id, name="张三", term=11, sector_id=sector.id)
            unit = m.ResponsibleUnit(county_id=county.id, name="县水务局")
            session.add_all([member, unit])
            await session.flush()
            ids |= {
                f"county_{tag}": county.id,
                f"sector_{tag}": sector.id,
                f"platform_{tag}": platform.id,
                f"member_{tag}": member.id,
                f"unit_{tag}": unit.id,
            }
    return ids


async def refused(sessions: Sessions, *rows: object) -> None:
    """Adding ``rows`` in one transaction must fail with an integrity error, writing nothing."""
    with pytest.raises((IntegrityError, StatementError)):
        async with sessions() as session, session.begin():
            session.add_all(rows)
            await session.flush()


async def test_a_row_cannot_point_at_another_countys_row(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    # Member of county A in county B's sector: the composite foreign key refuses it.
    await refused(
        xieshang_sessions,
        m.Member(county_id=ids["county_a"], name="李四", term=11, sector_id=ids["sector_b"]),
    )
    await refused(
        xieshang_sessions,
        m.GridAssignment(
            county_id=ids["county_a"],
            member_id=ids["member_a"],
            platform_id=ids["platform_b"],
            assigned_on=date(2024, 1, 1),
        ),
    )
    async with xieshang_sessions() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(m.Member))
    assert count == 2  # nothing was half written


async def test_foreign_keys_are_enforced(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    await refused(
        xieshang_sessions,
        m.Member(county_id=ids["county_a"], name="李四", term=11, sector_id=999_999),
    )
    await refused(xieshang_sessions, m.Sector(county_id=999_999, name="教育"))


async def test_enum_checks_refuse_unknown_values(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    async with xieshang_sessions() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await session.execute(
                    sa.text(
                        "INSERT INTO platforms (county_id, name, level, parent_id, area_name, host_venue,"
                        " version, created_at, updated_at) VALUES (:c, 'x', 'PROVINCE', :p, 'x',"
                        " 'OTHER', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"c": ids["county_a"], "p": ids["platform_a"]},
                )


async def test_check_constraints(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    c = ids["county_a"]
    # blank names, bad county codes
    await refused(xieshang_sessions, m.Sector(county_id=c, name="   "))
    await refused(xieshang_sessions, m.County(code="51A323", name="x", city="x", province="x"))
    await refused(xieshang_sessions, m.County(code="5113", name="x", city="x", province="x"))
    # only the county level is a root, and it has no parent
    await refused(
        xieshang_sessions,
        m.Platform(
            county_id=c,
            name="乡镇平台",
            level=PlatformLevel.TOWNSHIP,
            area_name="罗家镇",
            host_venue=HostVenue.OTHER,
        ),
    )
    # a topic merged into nothing
    await refused(
        xieshang_sessions,
        m.Topic(county_id=c, title="t", source=TopicSource.PUBLIC, year=2024, status="MERGED"),
    )
    # ends before it starts
    await refused(
        xieshang_sessions,
        m.GridAssignment(
            county_id=c,
            member_id=ids["member_a"],
            platform_id=ids["platform_a"],
            assigned_on=date(2024, 5, 1),
            ended_on=date(2024, 4, 1),
        ),
    )


async def test_follow_up_done_needs_a_result_class(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    c = ids["county_a"]
    async with xieshang_sessions() as session, session.begin():
        topic = m.Topic(county_id=c, title="供水", source=TopicSource.PUBLIC, year=2024)
        session.add(topic)
        await session.flush()
        consultation = m.Consultation(
            county_id=c,
            topic_id=topic.id,
            platform_id=ids["platform_a"],
            title="院坝协商",
            form="院坝协商",
            starts_at=datetime(2024, 5, 1, 9, tzinfo=UTC),
        )
        session.add(consultation)
        await session.flush()
        outcome = m.Outcome(
            county_id=c, consultation_id=consultation.id, kind="公约/协议", title="公约"
        )
        session.add(outcome)
        await session.flush()
        outcome_id = outcome.id
    base = dict(
        county_id=c,
        outcome_id=outcome_id,
        unit_id=ids["unit_a"],
        task="巡检",
        assigned_on=date(2024, 5, 10),
        due_on=date(2024, 8, 10),
    )
    await refused(xieshang_sessions, m.FollowUp(**base, status=FollowUpStatus.DONE))
    await refused(
        xieshang_sessions,
        m.FollowUp(
            **base,
            status=FollowUpStatus.IN_PROGRESS,
            result_class=ResultClass.A,
            completed_on=date(2024, 6, 1),
        ),
    )
    await refused(xieshang_sessions, m.FollowUp(**{**base, "due_on": date(2024, 5, 1)}))
    async with xieshang_sessions() as session, session.begin():
        session.add(
            m.FollowUp(
                **base,
                status=FollowUpStatus.DONE,
                result_class=ResultClass.A,
                completed_on=date(2024, 7, 1),
            )
        )


async def test_one_current_grid_placement_per_member(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    c, member, platform = ids["county_a"], ids["member_a"], ids["platform_a"]
    async with xieshang_sessions() as session, session.begin():
        session.add(
            m.GridAssignment(
                county_id=c,
                member_id=member,
                platform_id=platform,
                assigned_on=date(2023, 1, 1),
                ended_on=date(2023, 12, 31),
            )
        )
        session.add(
            m.GridAssignment(
                county_id=c, member_id=member, platform_id=platform, assigned_on=date(2024, 1, 1)
            )
        )
    await refused(
        xieshang_sessions,
        m.GridAssignment(
            county_id=c, member_id=member, platform_id=platform, assigned_on=date(2024, 2, 1)
        ),
    )


async def test_times_are_stored_in_utc_and_naive_times_refused(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    beijing = timezone(timedelta(hours=8))
    async with xieshang_sessions() as session, session.begin():
        topic = m.Topic(
            county_id=ids["county_a"],
            title="t",
            source=TopicSource.PUBLIC,
            year=2024,
            submitted_at=datetime(2024, 7, 1, 8, 30, tzinfo=beijing),
        )
        session.add(topic)
    async with xieshang_sessions() as session:
        stored = await session.scalar(sa.select(m.Topic.submitted_at))
    assert stored == datetime(2024, 7, 1, 0, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive datetime"):
        async with xieshang_sessions() as session, session.begin():
            session.add(
                m.Topic(
                    county_id=ids["county_a"],
                    title="t",
                    source=TopicSource.PUBLIC,
                    year=2024,
                    submitted_at=datetime(2024, 7, 1, 8, 30),
                )
            )


async def test_optimistic_locking_refuses_a_stale_update(xieshang_sessions: Sessions) -> None:
    ids = await seed(xieshang_sessions)
    async with xieshang_sessions() as first, xieshang_sessions() as second:
        # Both editors load version 1 (e.g. two browser tabs), each in its own request.
        a = await first.get(m.Member, ids["member_a"])
        await first.commit()
        b = await second.get(m.Member, ids["member_a"])
        await second.commit()
        assert a is not None and b is not None and a.version == b.version == 1
        a.name = "张三丰"
        await first.commit()
        assert a.version == 2
        b.name = "张无忌"
        with pytest.raises(StaleDataError):
            await second.commit()
    async with xieshang_sessions() as session:
        assert (await session.get(m.Member, ids["member_a"])).name == "张三丰"

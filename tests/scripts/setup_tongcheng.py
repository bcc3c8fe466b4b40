"""A second county, 桐城市 (安庆市, 安徽省), switched to 桐城's standard, with a handful of members
and records written with xieshang's own operations. Run by tests/test_example_plugin.py inside
the example's virtual environment: ``python setup_tongcheng.py DATABASE_URL``."""

import asyncio
import sys
from datetime import UTC, date, datetime

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.engine import create_engine, write_session_factory
from xieshang.db.enums import (
    Attendance,
    ConsultationStatus,
    HostVenue,
    PlatformLevel,
    ProposalFiling,
    TopicSource,
)
from xieshang.domain import county_standards, crud
from xieshang.domain.members import MEMBER
from xieshang.domain.organisation import COUNTY
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Environment, write
from xieshang.engine.registry import RulePlugins


async def main(url):
    rules = RulePlugins.load()
    assert "tongcheng.member-duty" in rules.standards, rules.problems
    engine = create_engine(url)
    env = Environment(Settings(), rules)
    async with write(write_session_factory(engine), Viewer.trusted(), "setup", env) as work:
        s = work.session
        county = await crud.create(
            work,
            COUNTY,
            {"code": "340881", "name": "桐城市", "city": "安庆市", "province": "安徽省"},
        )
        await county_standards.set_standards(s, rules, county.id, [("tongcheng.member-duty", {})])
        people = [
            await crud.create(work, MEMBER, {"name": n, "term": 10}, county_id=county.id)
            for n in ("方苞", "姚鼐", "刘大櫆")
        ]
        platform = m.Platform(
            county_id=county.id,
            name="桐城市协商平台",
            level=PlatformLevel.COUNTY,
            area_name="桐城市",
            host_venue=HostVenue.OTHER,
        )
        s.add(platform)
        await s.flush()
        topic = m.Topic(
            county_id=county.id, title="六尺巷文化传承", source=TopicSource.GOVERNMENT, year=2024
        )
        s.add(topic)
        await s.flush()
        meeting = m.Consultation(
            county_id=county.id,
            topic_id=topic.id,
            platform_id=platform.id,
            title="专题协商会",
            form="专题协商",
            status=ConsultationStatus.HELD,
            starts_at=datetime(2024, 5, 6, 1, tzinfo=UTC),
        )
        s.add(meeting)
        await s.flush()
        attendances = (Attendance.PRESENT, Attendance.ON_LEAVE, Attendance.ABSENT)
        for person, attendance in zip(people, attendances, strict=True):
            s.add(
                m.ConsultationAttendance(
                    county_id=county.id,
                    consultation_id=meeting.id,
                    member_id=person.id,
                    attendance=attendance,
                )
            )
        s.add(
            m.Proposal(
                county_id=county.id,
                title="关于保护六尺巷的提案",
                year=2024,
                submitted_on=date(2024, 1, 8),
                lead_member_id=people[0].id,
                filing=ProposalFiling.FILED,
            )
        )
        s.add(
            m.OpinionReport(
                county_id=county.id,
                title="关于文庙修缮的建议",
                submitted_on=date(2024, 3, 2),
                member_id=people[0].id,
                adopted=True,
                adopted_on=date(2024, 3, 20),
            )
        )
    await engine.dispose()


asyncio.run(main(sys.argv[1]))

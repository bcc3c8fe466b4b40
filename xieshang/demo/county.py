"""The demo county 蓬安县: every figure of the source article, deterministic for a seed.

Structure (platforms, studios, named topics, the deliberate gaps in studio records) is fixed;
the seed decides people's names and phones, record dates and counts, and which topics are
chosen. docs/demo.md describes the result.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.enums import (
    BUILTIN_ACTIVITY_KINDS,
    Attendance,
    ConsultationStatus,
    EvaluationChannel,
    FollowUpStatus,
    Gender,
    HostVenue,
    PlatformLevel,
    ProposalFiling,
    ResultClass,
    Satisfaction,
    TopicSource,
    TopicStatus,
)
from xieshang.db.tenant import count_rows, delete_county
from xieshang.demo import reference as ref
from xieshang.demo.accounts import create_demo_accounts, delete_demo_accounts
from xieshang.domain import topic_history
from xieshang.domain.audit import Origin
from xieshang.domain.county_standards import apply_defaults
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Environment, Work, write
from xieshang.engine.registry import RulePlugins

ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_SEED = 2024

#: Topics collected in 2024 per source (350+ in all) and how many of each became key topics
#: (148 in all), the named consultations included.
TOPICS_PER_SOURCE = {
    TopicSource.PARTY_COMMITTEE: (40, 40),
    TopicSource.GOVERNMENT: (60, 46),
    TopicSource.MEMBER_PROPOSAL: (106, 36),
    TopicSource.PUBLIC: (150, 26),
}
PROPOSALS = 180

T = TypeVar("T")


@dataclass
class DemoResult:
    """What ``load`` did: whether it wrote anything, and the rows the county now owns."""

    created: bool
    county_id: int
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A local (county) wall-clock time on ``day`` as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def _month_days(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return start, end


class _Builder:
    """Writes the demo county into one session, stage by stage (flushing for IDs)."""

    def __init__(self, session: AsyncSession, seed: int) -> None:
        self.s = session
        self.rng = random.Random(seed)
        self.year = ref.YEAR

    # -- helpers -------------------------------------------------------------------------
    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def pick(self, items: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(items), min(k, len(items)))

    async def add(self, rows: Sequence[Any]) -> None:
        self.s.add_all(rows)
        await self.s.flush()

    # -- stages --------------------------------------------------------------------------
    async def run(self) -> int:
        county = m.County(timezone="Asia/Shanghai", **ref.COUNTY)
        await self.add([county])
        self.cid = county.id
        await self.structure()
        await self.platforms()
        await self.members()
        await self.grid()
        await self.studios()
        await self.studio_records()
        await self.member_records()
        await self.proposals()
        await self.topics()
        await self.consultations()
        return county.id

    async def structure(self) -> None:
        cid = self.cid
        self.sectors = {
            n: m.Sector(county_id=cid, name=n, sort_order=i) for i, n in enumerate(ref.SECTORS)
        }
        self.offices = {
            n: m.Office(county_id=cid, name=n, sort_order=i) for i, n in enumerate(ref.OFFICES)
        }
        self.units = {n: m.ResponsibleUnit(county_id=cid, name=n) for n in ref.RESPONSIBLE_UNITS}
        await self.add([*self.sectors.values(), *self.offices.values(), *self.units.values()])

    async def platforms(self) -> None:
        cid = self.cid
        self.county_platform = m.Platform(
            county_id=cid,
            name="蓬安县“有事来协商”县级平台",
            level=PlatformLevel.COUNTY,
            area_name="蓬安县",
            host_venue=HostVenue.CIVILIZATION_CENTER,
            host_venue_name="蓬安县新时代文明实践中心",
            established_on=date(2022, 3, 1),
        )
        await self.add([self.county_platform])
        self.township_platforms: dict[str, m.Platform] = {}
        for township, _ in ref.TOWNSHIPS:
            street = township.endswith("街道")
            self.township_platforms[township] = m.Platform(
                county_id=cid,
                name=f"{township}“有事来协商”平台",
                level=PlatformLevel.TOWNSHIP,
                parent_id=self.county_platform.id,
                area_name=township,
                host_venue=HostVenue.PARTY_SERVICE_COMPLEX
                if street
                else HostVenue.CIVILIZATION_INSTITUTE,
                host_venue_name=f"{township}党群服务综合体"
                if street
                else f"{township}新时代文明实践所",
                established_on=self.day_between(date(2022, 3, 1), date(2022, 9, 30)),
            )
        await self.add(list(self.township_platforms.values()))
        self.village_platforms: dict[str, list[m.Platform]] = defaultdict(list)
        villages = []
        for township, names in ref.TOWNSHIPS:
            for name in names:
                complex_ = name.endswith("社区") or self.rng.random() < 0.3
                p = m.Platform(
                    county_id=cid,
                    name=f"{township}{name}协商平台",
                    level=PlatformLevel.VILLAGE,
                    parent_id=self.township_platforms[township].id,
                    area_name=name,
                    host_venue=HostVenue.PARTY_SERVICE_COMPLEX
                    if complex_
                    else HostVenue.CIVILIZATION_STATION,
                    host_venue_name=f"{name}党群服务中心"
                    if complex_
                    else f"{name}新时代文明实践站",
                    established_on=self.day_between(date(2022, 6, 1), date(2023, 6, 30)),
                )
                self.village_platforms[township].append(p)
                villages.append(p)
        await self.add(villages)
        self.all_platforms = [self.county_platform, *self.township_platforms.values(), *villages]
        facts = []
        for p in self.all_platforms:
            missing = ref.SIX_HAS_GAPS.get(p.area_name, ())
            for item in ref.SIX_HAS_ITEMS:
                if item in missing:
                    continue
                facts.append(
                    m.PlatformChecklistFact(
                        county_id=cid,
                        platform_id=p.id,
                        item=item,
                        attested_on=self.day_between(date(2023, 1, 5), date(2023, 12, 20)),
                        evidence=f"{p.area_name}平台{item}核查记录（示例）",
                        attested_by="委员联络委",
                    )
                )
        await self.add(facts)

    def person_name(self, used: set[str]) -> str:
        while True:
            given = "".join(
                self.rng.choice(ref.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2)))
            )
            name = self.rng.choice(ref.SURNAMES) + given
            if name not in used:
                used.add(name)
                return name

    def phone(self) -> str:
        return (
            self.rng.choice(("138", "139", "158", "180", "136", "151"))
            + f"{self.rng.randrange(10**8):08d}"
        )

    async def members(self) -> None:
        used: set[str] = {ref.WATER_SUPPLY["resident"]}
        self.used_names = used
        sector_names = list(ref.SECTORS)
        office_names = [o for o in ref.OFFICES if o != "办公室"]
        self.member_list: list[m.Member] = []
        self.members_by_township: dict[str, list[m.Member]] = defaultdict(list)
        number = 0
        for (township, _), count in zip(ref.TOWNSHIPS, ref.MEMBERS_PER_TOWNSHIP, strict=True):
            for _ in range(count):
                number += 1
                member = m.Member(
                    county_id=self.cid,
                    code=f"{number:03d}",
                    name=self.person_name(used),
                    gender=Gender.FEMALE if self.rng.random() < 0.32 else Gender.MALE,
                    sector_id=self.sectors[self.rng.choice(sector_names)].id,
                    office_id=self.offices[self.rng.choice(office_names)].id
                    if self.rng.random() < 0.85
                    else None,
                    township=township,
                    phone=self.phone(),
                    is_standing_committee=self.rng.random() < 0.14,
                    term=ref.TERM,
                    joined_on=date(2021, 12, 28),
                )
                self.member_list.append(member)
                self.members_by_township[township].append(member)
        await self.add(self.member_list)

    async def grid(self) -> None:
        rows = []
        self.grid_of: dict[int, m.Platform] = {}
        self.members_on: dict[int, list[m.Member]] = defaultdict(list)
        for township, _ in ref.TOWNSHIPS:
            people = self.members_by_township[township]
            targets = [self.township_platforms[township], *self.village_platforms[township]]
            if township == ref.TOWNSHIPS[0][0]:
                # The county platform is guided by eight members of the county seat.
                for member in people[:8]:
                    self.grid_of[member.id] = self.county_platform
                people = people[8:]
            for i, member in enumerate(people):
                self.grid_of[member.id] = targets[i % len(targets)]
        for member in self.member_list:
            platform = self.grid_of[member.id]
            self.members_on[platform.id].append(member)
            rows.append(
                m.GridAssignment(
                    county_id=self.cid,
                    member_id=member.id,
                    platform_id=platform.id,
                    assigned_on=self.day_between(date(2022, 9, 1), date(2022, 12, 31)),
                    note="就地就近导入网格",
                )
            )
        await self.add(rows)

    async def studios(self) -> None:
        self.studio_list: list[m.Studio] = []
        self.studio_members: dict[int, list[m.Member]] = {}
        leads: set[int] = set()
        memberships = []
        for name, sector, office, township in ref.STUDIOS:
            candidates = [p for p in self.members_by_township[township] if p.id not in leads]
            lead = self.rng.choice(candidates)
            leads.add(lead.id)
            lead.sector_id = self.sectors[sector].id
            studio = m.Studio(
                county_id=self.cid,
                name=name,
                lead_member_id=lead.id,
                host_platform_id=self.township_platforms[township].id,
                office_id=self.offices[office].id,
                sector_id=self.sectors[sector].id,
                batch_year=2022,
                founded_on=self.day_between(date(2022, 5, 10), date(2022, 7, 31)),
                description=f"首批样板委员工作室（2022年试点），领衔委员经五轮选任产生，聚焦{name.removesuffix('委员工作室')}。",
            )
            self.studio_list.append(studio)
            pool = [p for p in self.members_by_township[township] if p.id != lead.id]
            others = self.pick(pool, self.rng.randint(4, 6))
            self.studio_members[id(studio)] = [lead, *others]
        await self.add(self.studio_list)
        rounds = []
        for studio in self.studio_list:
            people = self.studio_members.pop(id(studio))
            self.studio_members[studio.id] = people
            for member in people:
                memberships.append(
                    m.StudioMember(
                        county_id=self.cid,
                        studio_id=studio.id,
                        member_id=member.id,
                        joined_on=studio.founded_on,
                    )
                )
            held = date(2022, 3, 1)
            for no, (title, remaining) in enumerate(ref.SELECTION_ROUNDS, start=1):
                held = held + timedelta(days=self.rng.randint(7, 14))
                rounds.append(
                    m.SelectionRound(
                        county_id=self.cid,
                        studio_id=studio.id,
                        round_no=no,
                        title=title,
                        held_on=held,
                        candidates=remaining,
                    )
                )
        await self.add([*memberships, *rounds])

    def subject(self, theme: str | None = None) -> tuple[str, str]:
        theme = theme or self.rng.choice(ref.THEMES)
        return theme, self.rng.choice(ref.THEME_SUBJECTS[theme])

    async def studio_records(self) -> None:
        """Opinion reports monthly, activities quarterly, deeds half-yearly — with the gaps."""
        reports, activities, deeds = [], [], []
        participants: list[tuple[m.Activity | m.Deed, list[m.Member]]] = []
        kinds = ("READING", "DELIBERATION", "RESEARCH", "INSPECTION")
        for index, studio in enumerate(self.studio_list):
            gaps = ref.STUDIO_GAPS.get(index, {})
            people = self.studio_members[studio.id]
            theme = ref.STUDIOS[index][0].removesuffix("委员工作室")
            for month in range(1, 13):
                if month in gaps.get("report_months", ()):
                    continue
                start, end = _month_days(self.year, month)
                for _ in range(2 if self.rng.random() < 0.3 else 1):
                    _, subject = self.subject()
                    reports.append(
                        self.report(
                            self.day_between(start, end),
                            f"关于{subject}的建议（{theme}）",
                            self.rng.choice(people),
                            studio,
                        )
                    )
            for quarter in range(1, 5):
                if quarter in gaps.get("activity_quarters", ()):
                    continue
                start = date(self.year, quarter * 3 - 2, 1)
                end = _month_days(self.year, quarter * 3)[1]
                for _ in range(self.rng.randint(1, 2)):
                    kind = self.rng.choice(kinds)
                    who = self.pick(people, self.rng.randint(2, len(people)))
                    activity = m.Activity(
                        county_id=self.cid,
                        kind=kind,
                        title=f"{studio.name}{BUILTIN_ACTIVITY_KINDS[kind].split()[0]}活动",
                        occurred_on=self.day_between(start, end),
                        studio_id=studio.id,
                        platform_id=studio.host_platform_id,
                        participant_count=len(who) + self.rng.randint(5, 60),
                    )
                    activities.append(activity)
                    participants.append((activity, who))
            for half in (1, 2):
                if half in gaps.get("deed_halves", ()):
                    continue
                start, end = date(self.year, half * 6 - 5, 1), _month_days(self.year, half * 6)[1]
                for _ in range(self.rng.randint(1, 2)):
                    _, subject = self.subject()
                    who = self.pick(people, self.rng.randint(1, 3))
                    deed = m.Deed(
                        county_id=self.cid,
                        title=f"为群众办实事：{subject}",
                        done_on=self.day_between(start, end),
                        studio_id=studio.id,
                        platform_id=studio.host_platform_id,
                        beneficiaries=self.rng.randint(20, 500),
                    )
                    deeds.append(deed)
                    participants.append((deed, who))
        await self.add([*reports, *activities, *deeds])
        self.reports = reports
        await self.add(self.participant_rows(participants))

    def report(
        self, day: date, title: str, author: m.Member, studio: m.Studio | None
    ) -> m.OpinionReport:
        adopted = self.rng.random() < 0.25
        return m.OpinionReport(
            county_id=self.cid,
            title=title,
            submitted_on=day,
            member_id=author.id,
            studio_id=studio.id if studio is not None else None,
            adopted=adopted,
            adopted_on=day + timedelta(days=self.rng.randint(10, 40)) if adopted else None,
            adopted_by=self.rng.choice(("市政协", "县委办", "县政府办")) if adopted else None,
        )

    def participant_rows(
        self, pairs: Sequence[tuple[m.Activity | m.Deed, list[m.Member]]]
    ) -> list[Any]:
        rows: list[Any] = []
        for record, who in pairs:
            for member in who:
                if isinstance(record, m.Activity):
                    rows.append(
                        m.ActivityParticipant(
                            county_id=self.cid, activity_id=record.id, member_id=member.id
                        )
                    )
                else:
                    rows.append(
                        m.DeedParticipant(
                            county_id=self.cid, deed_id=record.id, member_id=member.id
                        )
                    )
        return rows

    async def member_records(self) -> None:
        """Members' own reports, the plenary and standing meetings, training, an inspection."""
        reports = [
            self.report(
                self.day_between(date(self.year, 1, 1), date(self.year, 12, 31)),
                f"关于{self.subject()[1]}的建议",
                self.rng.choice(self.member_list),
                None,
            )
            for _ in range(90)
        ]
        standing = [p for p in self.member_list if p.is_standing_committee]
        events: list[tuple[str, str, date, list[m.Member]]] = [
            (
                "MEETING",
                "政协蓬安县第十一届委员会第四次会议",
                date(self.year, 1, 8),
                self.member_list,
            ),
            ("MEETING", "县政协十一届常委会第十三次会议", date(self.year, 4, 18), standing),
            ("MEETING", "县政协十一届常委会第十五次会议", date(self.year, 9, 12), standing),
            (
                "TRAINING",
                "2024年政协委员履职能力培训班",
                date(self.year, 5, 22),
                self.pick(self.member_list, 120),
            ),
            (
                "INSPECTION",
                "高标准农田建设工作专题视察",
                date(self.year, 6, 13),
                self.pick(self.member_list, 24),
            ),
        ]
        activities, participants = [], []
        for kind, title, day, who in events:
            attending = [p for p in who if self.rng.random() < 0.93]
            activity = m.Activity(
                county_id=self.cid,
                kind=kind,
                title=title,
                occurred_on=day,
                platform_id=self.county_platform.id,
                participant_count=len(attending),
            )
            activities.append(activity)
            participants.append((activity, attending))
        await self.add([*reports, *activities])
        self.reports += reports
        await self.add(self.participant_rows(participants))
        instructions = [
            m.Instruction(
                county_id=self.cid,
                opinion_report_id=r.id,
                leader=self.rng.choice(("县委书记", "县长", "县委副书记", "常务副县长")),
                content="请相关部门认真研究，提出解决办法。",
                instructed_on=r.adopted_on + timedelta(days=self.rng.randint(1, 10)),
            )
            for r in self.pick([r for r in self.reports if r.adopted and r.adopted_on], 12)
            if r.adopted_on is not None
        ]
        await self.add(instructions)

    async def proposals(self) -> None:
        rows, joints = [], []
        self.proposal_list: list[m.Proposal] = []
        sector_ids = [s.id for s in self.sectors.values()]
        for number in range(1, PROPOSALS + 1):
            _, subject = self.subject()
            by_sector = number % 23 == 0
            filed = self.rng.random() < 0.88
            lead = None if by_sector else self.rng.choice(self.member_list)
            proposal = m.Proposal(
                county_id=self.cid,
                number=str(number),
                title=f"关于{subject}的提案",
                year=self.year,
                submitted_on=self.day_between(date(self.year, 1, 3), date(self.year, 1, 10))
                if number <= 150
                else self.day_between(date(self.year, 1, 11), date(self.year, 10, 31)),
                lead_member_id=lead.id if lead else None,
                sector_id=self.rng.choice(sector_ids) if by_sector else None,
                filing=ProposalFiling.FILED if filed else ProposalFiling.NOT_FILED,
                is_key=filed and self.rng.random() < 0.12,
            )
            if filed and self.rng.random() < 0.95:
                proposal.handled_on = self.day_between(
                    date(self.year, 6, 1), date(self.year, 11, 30)
                )
            rows.append(proposal)
            if lead is not None and self.rng.random() < 0.3:
                joints.append(
                    (
                        proposal,
                        self.pick(
                            [p for p in self.member_list if p.id != lead.id], self.rng.randint(1, 4)
                        ),
                    )
                )
        await self.add(rows)
        self.proposal_list = rows
        await self.add(
            [
                m.ProposalJointProposer(
                    county_id=self.cid, proposal_id=p.id, member_id=j.id, position=i
                )
                for p, js in joints
                for i, j in enumerate(js, start=1)
            ]
        )

    async def topics(self) -> None:
        """356 topics from the four sources; exactly 148 become key topics."""
        self.topic_list: list[m.Topic] = []
        named: list[m.Topic] = []
        for title, theme, _form, _township, source in ref.NAMED_CONSULTATIONS:
            named.append(self.topic(TopicSource(source), title, theme))
        water = self.topic(TopicSource.PUBLIC, ref.WATER_SUPPLY["topic"], ref.WATER_SUPPLY["theme"])
        water.platform_id = self.village("罗家镇", "芭茅村").id
        water.proposer_name = ref.WATER_SUPPLY["resident"]
        water.proposer_contact = self.phone()
        named.append(water)
        self.named_topics = named
        key_ids: set[int] = {id(t) for t in named}
        filed = [
            p for p in self.proposal_list if p.filing is ProposalFiling.FILED and p.lead_member_id
        ]
        promoted = iter(self.pick(filed, TOPICS_PER_SOURCE[TopicSource.MEMBER_PROPOSAL][0]))
        for topic in named:
            if topic.source is TopicSource.MEMBER_PROPOSAL:
                # A named topic that came from a proposal keeps the link to it.
                proposal = next(promoted)
                proposal.title = f"关于{topic.title}的提案"
                topic.proposal_id = proposal.id
                topic.proposer_member_id = proposal.lead_member_id
        for source, (total, keys) in TOPICS_PER_SOURCE.items():
            of_source = [t for t in named if t.source is source]
            while len(of_source) < total:
                if source is TopicSource.MEMBER_PROPOSAL:
                    proposal = next(promoted)
                    topic = self.topic(
                        source, proposal.title.removesuffix("的提案").removeprefix("关于"), None
                    )
                    topic.proposal_id = proposal.id
                    topic.proposer_member_id = proposal.lead_member_id
                else:
                    theme, subject = self.subject()
                    if source is TopicSource.PUBLIC:
                        township, names = self.rng.choice(ref.TOWNSHIPS)
                        village = self.rng.choice(names)
                        topic = self.topic(source, f"{village}{subject}", theme)
                        topic.platform_id = self.village(township, village).id
                        topic.proposer_name = self.person_name(self.used_names)
                        topic.proposer_contact = self.phone() if self.rng.random() < 0.7 else None
                    else:
                        topic = self.topic(source, subject, theme)
                        topic.assigning_body = (
                            self.rng.choice(("县委办公室", "县委改革办", "县委政研室"))
                            if source is TopicSource.PARTY_COMMITTEE
                            else self.rng.choice(("县政府办公室", "县发展和改革局", "县财政局"))
                        )
                of_source.append(topic)
            chosen = [t for t in of_source if id(t) in key_ids]
            rest = [t for t in of_source if id(t) not in key_ids]
            chosen += self.pick(rest, keys - len(chosen))
            key_ids.update(id(t) for t in chosen)
            self.topic_list += of_source
        for topic in named:
            if topic.source is TopicSource.PARTY_COMMITTEE:
                topic.assigning_body = "县委办公室"
            elif topic.source is TopicSource.GOVERNMENT:
                topic.assigning_body = "县政府办公室"
        self.key_topics = [t for t in self.topic_list if id(t) in key_ids]
        for topic in self.key_topics:
            topic.is_key = True
            topic.status = TopicStatus.SELECTED
        await self.add(self.topic_list)
        await self.settle_non_key([t for t in self.topic_list if id(t) not in key_ids])

    def topic(self, source: TopicSource, title: str, theme: str | None) -> m.Topic:
        day = self.day_between(date(self.year, 1, 2), date(self.year, 9, 30))
        return m.Topic(
            county_id=self.cid,
            title=title,
            source=source,
            year=self.year,
            theme=theme,
            status=TopicStatus.UNDER_REVIEW,
            submitted_at=_at(day, self.rng.randint(8, 17), self.rng.randint(0, 59)),
        )

    def village(self, township: str, name: str) -> m.Platform:
        return next(p for p in self.village_platforms[township] if p.area_name == name)

    async def settle_non_key(self, topics: list[m.Topic]) -> None:
        """Topics not selected were merged into a key topic, kept for reference or returned."""
        by_theme: dict[str | None, list[m.Topic]] = defaultdict(list)
        for key in self.key_topics:
            by_theme[key.theme].append(key)
        self.rng.shuffle(topics)
        for i, topic in enumerate(topics):
            targets = by_theme.get(topic.theme)
            if i < 40 and targets:
                topic.status = TopicStatus.MERGED
                topic.merged_into_id = self.rng.choice(targets).id
            elif i < 58:
                topic.status = TopicStatus.RETURNED
                topic.status_reason = "属个人诉求或已有明确政策，已转相关部门依法办理"
            else:
                topic.status = TopicStatus.RESERVED
                topic.status_reason = "本年度不列入重点议题，留作参考"
        await self.s.flush()

    async def consultations(self) -> None:
        """Every key topic was consulted in 2024; outcomes were assigned and followed up."""
        forms = {
            PlatformLevel.COUNTY: ("专题协商", "界别协商", "对口协商"),
            PlatformLevel.TOWNSHIP: ("广场协商", "社区协商", "园区协商"),
            PlatformLevel.VILLAGE: ("院坝协商", "帐篷协商", "围炉协商"),
        }
        named = {
            t.title: spec
            for t, spec in zip(self.named_topics, ref.NAMED_CONSULTATIONS, strict=False)
        }
        water = self.named_topics[-1]
        consultations: list[tuple[m.Topic, m.Consultation]] = []
        for topic in self.key_topics:
            start = topic.submitted_at.astimezone(ZONE).date() + timedelta(
                days=self.rng.randint(20, 80)
            )
            day = min(start, date(self.year, 12, 20))
            if topic is water:
                platform, form, title = (
                    self.village("罗家镇", "芭茅村"),
                    ref.WATER_SUPPLY["form"],
                    ref.WATER_SUPPLY["consultation"],
                )
            elif topic.title in named:
                _, _, form, township, _ = named[topic.title]
                platform = self.township_platforms[township] if township else self.county_platform
                title = f"{topic.title}{form}会"
            else:
                if topic.platform_id is not None:
                    platform = next(p for p in self.all_platforms if p.id == topic.platform_id)
                elif self.rng.random() < 0.5:
                    platform = self.county_platform
                else:
                    platform = self.rng.choice(list(self.township_platforms.values()))
                form = (
                    "提案办理协商"
                    if topic.source is TopicSource.MEMBER_PROPOSAL
                    and platform is self.county_platform
                    else self.rng.choice(forms[platform.level])
                )
                title = f"{topic.title}{form}"
            consultation = m.Consultation(
                county_id=self.cid,
                topic_id=topic.id,
                platform_id=platform.id,
                title=title,
                form=form,
                status=ConsultationStatus.HELD,
                starts_at=_at(day, self.rng.choice((9, 10, 14, 15))),
                agenda="通报情况；委员和群众代表发言；部门回应；形成协商意见",
                invited_officials="县级相关部门负责人"
                if platform.level is PlatformLevel.COUNTY
                else "乡镇党委、政府负责人",
                resident_count=self.rng.randint(0, 15)
                if platform.level is PlatformLevel.COUNTY
                else self.rng.randint(12, 80),
                minutes="会议记录（示例）",
                agreements="就主要问题达成共识，形成协商成果报送有关方面",
            )
            consultation.ends_at = consultation.starts_at + timedelta(hours=2)
            consultations.append((topic, consultation))
            topic.status = TopicStatus.CONSULTED
        await self.add([c for _, c in consultations])
        attendances = []
        for _topic, consultation in consultations:
            local = self.members_on.get(consultation.platform_id, [])
            who = {p.id: p for p in local[:4]}
            for p in self.pick(self.member_list, self.rng.randint(2, 5)):
                who.setdefault(p.id, p)
            for member_id in who:
                r = self.rng.random()
                attendance = (
                    Attendance.PRESENT
                    if r < 0.9
                    else Attendance.ON_LEAVE
                    if r < 0.97
                    else Attendance.ABSENT
                )
                attendances.append(
                    m.ConsultationAttendance(
                        county_id=self.cid,
                        consultation_id=consultation.id,
                        member_id=member_id,
                        attendance=attendance,
                    )
                )
        await self.add(attendances)
        await self.outcomes(consultations, water)

    async def outcomes(
        self, consultations: list[tuple[m.Topic, m.Consultation]], water: m.Topic
    ) -> None:
        outcomes: list[tuple[m.Topic, m.Consultation, m.Outcome]] = []
        for topic, consultation in consultations:
            held = consultation.starts_at.astimezone(ZONE).date()
            if topic is water:
                kind, title = ref.WATER_SUPPLY["outcome_kind"], ref.WATER_SUPPLY["outcome"]
            else:
                kind = (
                    "协商专报"
                    if consultation.platform_id == self.county_platform.id
                    else self.rng.choice(("建议案", "公约/协议", "社情民意"))
                )
                title = f"关于{topic.title}的{kind.replace('/', '')}"
            outcome = m.Outcome(
                county_id=self.cid,
                consultation_id=consultation.id,
                kind=kind,
                title=title,
                summary="协商意见摘要（示例）",
                sent_to="县委、县政府" if kind == "协商专报" else "乡镇党委、政府",
                reported_on=held + timedelta(days=self.rng.randint(3, 15)),
            )
            outcomes.append((topic, consultation, outcome))
            topic.status = TopicStatus.OUTCOME_REPORTED
        await self.add([o for _, _, o in outcomes])
        await self.add(
            [
                m.Instruction(
                    county_id=self.cid,
                    outcome_id=o.id,
                    leader=self.rng.choice(("县委书记", "县长", "县委副书记")),
                    content="成果很有价值，请牵头部门抓好落实并及时反馈。",
                    instructed_on=(o.reported_on or date(self.year, 12, 31))
                    + timedelta(days=self.rng.randint(2, 12)),
                )
                for _, _, o in self.pick(outcomes, 20)
            ]
        )
        await self.follow_ups(outcomes, water)

    async def follow_ups(
        self, outcomes: list[tuple[m.Topic, m.Consultation, m.Outcome]], water: m.Topic
    ) -> None:
        """126 topics closed, 16 still in implementation (some overdue), 6 reported only."""
        plan = ["closed"] * 126 + ["open"] * 16 + ["reported"] * 6
        self.rng.shuffle(plan)
        # The consultations the article names were implemented (芭茅村's convention is
        # reported working): their fates are "closed", swapped so the totals above stay exact.
        named = {id(t) for t in self.named_topics}
        named_at = [i for i, (t, _, _) in enumerate(outcomes) if id(t) in named]
        for i in named_at:
            if plan[i] != "closed":
                c = next(j for j, f in enumerate(plan) if f == "closed" and j not in named_at)
                plan[i], plan[c] = plan[c], plan[i]
        units = list(self.units.values())
        tasks, notes_for = [], []
        evaluations = []
        water_units = [self.units[ref.WATER_SUPPLY["unit"]]]
        for (topic, consultation, outcome), fate in zip(outcomes, plan, strict=True):
            if fate == "reported":
                continue
            assigned = (outcome.reported_on or date(self.year, 12, 31)) + timedelta(
                days=self.rng.randint(2, 10)
            )
            chosen = water_units if topic is water else self.pick(units, self.rng.randint(1, 2))
            for n, unit in enumerate(chosen):
                due = assigned + timedelta(days=self.rng.choice((60, 90, 120, 180)))
                task = m.FollowUp(
                    county_id=self.cid,
                    outcome_id=outcome.id,
                    unit_id=unit.id,
                    task=ref.WATER_SUPPLY["task"]
                    if topic is water
                    else f"落实“{outcome.title}”提出的意见建议",
                    assigned_on=assigned,
                    due_on=due,
                )
                if fate == "closed" or (fate == "open" and n > 0):
                    task.status = FollowUpStatus.DONE
                    task.completed_on = min(
                        due + timedelta(days=self.rng.randint(-40, 10)), date(2025, 12, 20)
                    )
                    task.completed_on = max(task.completed_on, assigned)
                    task.result_class = (
                        ResultClass.A
                        if topic is water
                        else self.rng.choices(list(ResultClass), (60, 25, 10, 5))[0]
                    )
                else:
                    task.status = FollowUpStatus.IN_PROGRESS
                tasks.append(task)
                notes_for.append(task)
            topic.status = TopicStatus.CLOSED if fate == "closed" else TopicStatus.IN_IMPLEMENTATION
            if id(topic) in named and topic is not water:
                # Residents and companies evaluated the named consultations' results too.
                evaluations.append(self.evaluation(outcome, consultation, visit=False))
                evaluations.append(self.evaluation(outcome, consultation, visit=True))
            if (
                fate == "closed"
                and topic is not water
                and consultation.platform_id != self.county_platform.id
                and self.rng.random() < 0.45
            ):
                for _ in range(self.rng.randint(1, 3)):
                    evaluations.append(self.evaluation(outcome, consultation))
        await self.add(tasks)
        notes = []
        for task in notes_for:
            for k in range(self.rng.randint(1, 3)):
                day = task.assigned_on + timedelta(days=15 * (k + 1))
                notes.append(
                    m.FollowUpNote(
                        county_id=self.cid,
                        follow_up_id=task.id,
                        content=(
                            "已制定落实方案，明确责任人" if k == 0 else "按计划推进，阶段任务已完成"
                        ),
                        author="承办单位联络员",
                        noted_at=_at(day, 16),
                    )
                )
        water_outcome = next(o for t, _, o in outcomes if t is water)
        water_consultation = next(c for t, c, _ in outcomes if t is water)
        visitor = self.members_on[water_consultation.platform_id][0]
        evaluations.append(
            m.Evaluation(
                county_id=self.cid,
                outcome_id=water_outcome.id,
                resident_name=ref.WATER_SUPPLY["resident"],
                resident_role=ref.WATER_SUPPLY["resident_role"],
                satisfaction=Satisfaction.VERY_SATISFIED,
                comment=ref.WATER_SUPPLY["comment"],
                suggestion=ref.WATER_SUPPLY["suggestion"],
                channel=EvaluationChannel.RETURN_VISIT,
                visited_by_member_id=visitor.id,
                submitted_at=_at(date(self.year, 10, 16), 10, 30),
            )
        )
        await self.add([*notes, *evaluations])

    def evaluation(
        self, outcome: m.Outcome, consultation: m.Consultation, *, visit: bool | None = None
    ) -> m.Evaluation:
        visit = self.rng.random() < 0.4 if visit is None else visit
        local = self.members_on.get(consultation.platform_id) or self.member_list
        satisfaction = self.rng.choices(list(Satisfaction), (45, 35, 15, 5))[0]
        return m.Evaluation(
            county_id=self.cid,
            outcome_id=outcome.id,
            resident_name=self.person_name(self.used_names),
            resident_role=self.rng.choice(("村民代表", "居民", "村民小组长", "商户")),
            resident_contact=self.phone() if self.rng.random() < 0.6 else None,
            satisfaction=satisfaction,
            suggestion=self.rng.choice(
                (None, "希望持续跟进", "建议扩大受益范围", "希望加强后续管护")
            ),
            channel=EvaluationChannel.RETURN_VISIT if visit else EvaluationChannel.FORM,
            visited_by_member_id=self.rng.choice(local).id if visit else None,
            submitted_at=_at(
                consultation.starts_at.astimezone(ZONE).date()
                + timedelta(days=self.rng.randint(150, 400)),
                10,
            ),
        )


#: The standards 蓬安县 uses: its own, shipped as the built-in plugin.
STANDARDS = ("pengan.three-ones", "pengan.six-haves", "pengan.member-duty", "pengan.county-rollup")


async def load(
    sessions: async_sessionmaker[AsyncSession],
    *,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    rules: RulePlugins | None = None,
    settings: Settings | None = None,
) -> DemoResult:
    """Load 蓬安县 as one unit of work of the system (audited as ``demo.load``); see :func:`build`."""
    env = Environment(settings or Settings(), rules or RulePlugins.load())
    async with write(
        sessions, Viewer.trusted(), "demo.load", env, origin=Origin(client_address="cli")
    ) as work:
        return await build(work, seed=seed, replace=replace)


async def build(work: Work, *, seed: int = DEFAULT_SEED, replace: bool = False) -> DemoResult:
    """Build 蓬安县 in ``work``. If it exists, change nothing unless ``replace``.

    Running it twice is harmless: the second run reports ``created=False``. The county's
    standards are 蓬安's own (those of them installed).
    """
    session = work.session
    existing = await session.scalar(sa.select(m.County).where(m.County.code == ref.COUNTY["code"]))
    if existing is not None and not replace:
        work.concerns(existing)
        work.nothing_changed()
        return DemoResult(False, existing.id, await count_rows(session, existing.id))
    if existing is not None:
        await delete_demo_accounts(session, existing.id)
        await delete_county(session, existing.id)
    builder = _Builder(session, seed)
    county_id = await builder.run()
    # The demo's topics were written with their final status: give each its timeline.
    await topic_history.backfill(session, county_id, ZONE)
    await apply_defaults(session, work.env.rule_plugins, county_id, STANDARDS)
    await create_demo_accounts(session, county_id, builder.units[ref.WATER_SUPPLY["unit"]].id)
    # Thousands of rows just arrived: refresh the planner's statistics, or a fresh PostgreSQL
    # database plans long joins (statistics, the supervision board) as if tables were empty.
    await session.execute(sa.text("ANALYZE"))
    county = await session.get(m.County, county_id)
    work.concerns(county)
    work.detail = f"seed={seed} replace={replace}"
    return DemoResult(True, county_id, await count_rows(session, county_id))

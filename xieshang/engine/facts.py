"""Loading the facts standards are evaluated on, in bulk.

For one kind of subject, a set of counties (or all) and a date range, a fixed handful of
statements loads every subject and every record that can count — never one query per subject.
The engine then evaluates in Python. Dates are the county's calendar: consultations, stored as
UTC instants, are turned into local dates here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import Attendance, ConsultationStatus, ProposalFiling
from xieshang.rules.results import Record, Subject
from xieshang.rules.standards import Flag, ProposerRole, RecordKind, SubjectKind


@dataclass
class SubjectFacts:
    """Everything known about one subject for an evaluation."""

    subject: Subject
    records: dict[RecordKind, list[Record]] = field(default_factory=lambda: defaultdict(list))
    #: Items attested for the subject (platforms): item code → date attested.
    attested: dict[str, date] = field(default_factory=dict)
    #: Studios a member belongs to (for compliance awards).
    studios: list[int] = field(default_factory=list)


@dataclass
class Facts:
    """The facts of every subject of one kind, and the counties' time zones."""

    kind: SubjectKind
    subjects: dict[int, SubjectFacts]
    zones: dict[int, ZoneInfo]


def _scope(column: Any, county_ids: Sequence[int] | None) -> list[Any]:
    return [] if county_ids is None else [column.in_(list(county_ids))]


def _in(column: Any, start: date, end: date) -> list[Any]:
    return [column >= start, column < end]


async def load(
    session: AsyncSession,
    kind: SubjectKind,
    county_ids: Sequence[int] | None,
    start: date,
    end: date,
) -> Facts:
    """Facts of every (non-archived) subject of ``kind`` in ``county_ids`` (None: all counties)
    with records dated in ``[start, end)``."""
    zones = {
        cid: ZoneInfo(tz)
        for cid, tz in (
            await session.execute(
                sa.select(m.County.id, m.County.timezone).where(*_scope(m.County.id, county_ids))
            )
        ).all()
    }
    loader = {
        SubjectKind.STUDIO: _studios,
        SubjectKind.MEMBER: _members,
        SubjectKind.PLATFORM: _platforms,
        SubjectKind.COUNTY: _counties,
    }[kind]
    subjects = await loader(session, county_ids, start, end, zones)
    return Facts(kind, subjects, zones)


async def _rows(session: AsyncSession, stmt: Any) -> Sequence[Any]:
    return (await session.execute(stmt)).all()


def _add(facts: dict[int, SubjectFacts], owner: int | None, record: Record) -> None:
    if owner is not None and owner in facts:
        facts[owner].records[record.kind].append(record)


async def _instructed_reports(session: AsyncSession, county_ids: Sequence[int] | None) -> set[int]:
    stmt = sa.select(m.Instruction.opinion_report_id).where(
        m.Instruction.opinion_report_id.is_not(None), *_scope(m.Instruction.county_id, county_ids)
    )
    return {r[0] for r in await _rows(session, stmt)}


_REPORT_FLAGS = {
    (adopted, instructed): frozenset(
        f for f, on in ((Flag.ADOPTED, adopted), (Flag.INSTRUCTED, instructed)) if on
    )
    for adopted in (False, True)
    for instructed in (False, True)
}


def _report(row: Any, instructed: set[int]) -> Record:
    flags = _REPORT_FLAGS[(bool(row.adopted), row.id in instructed)]
    return Record(RecordKind.OPINION_REPORT, row.id, row.submitted_on, flags=flags)


async def _joint_proposals(session: AsyncSession, county_ids: Sequence[int] | None) -> set[int]:
    jp = m.ProposalJointProposer
    stmt = sa.select(jp.proposal_id).distinct().where(*_scope(jp.county_id, county_ids))
    return {r[0] for r in await _rows(session, stmt)}


def _proposal(row: Any, role: ProposerRole | None, joint: set[int]) -> Record:
    flags = set()
    if row.id in joint:
        flags.add(Flag.JOINTLY)
    if row.filing == ProposalFiling.FILED:
        flags.add(Flag.FILED)
    if row.is_key:
        flags.add(Flag.KEY)
    if row.handled_on is not None:
        flags.add(Flag.HANDLED)
    return Record(RecordKind.PROPOSAL, row.id, row.submitted_on, flags=frozenset(flags), role=role)


_REPORT = (m.OpinionReport.id, m.OpinionReport.submitted_on, m.OpinionReport.adopted)
_PROPOSAL = (
    m.Proposal.id,
    m.Proposal.submitted_on,
    m.Proposal.filing,
    m.Proposal.is_key,
    m.Proposal.handled_on,
)
_LIVE = {
    "report": m.OpinionReport.archived_at.is_(None),
    "activity": m.Activity.archived_at.is_(None),
    "deed": m.Deed.archived_at.is_(None),
    "proposal": m.Proposal.archived_at.is_(None),
    # Only consultations that took place count (not scheduled or cancelled ones).
    "consultation": sa.and_(
        m.Consultation.archived_at.is_(None), m.Consultation.status == ConsultationStatus.HELD
    ),
}


async def _studios(
    session: AsyncSession,
    county_ids: Sequence[int] | None,
    start: date,
    end: date,
    zones: dict[int, ZoneInfo],
) -> dict[int, SubjectFacts]:
    s = m.Studio
    facts = {
        r.id: SubjectFacts(Subject(SubjectKind.STUDIO, r.id, r.county_id, r.name, r.founded_on))
        for r in await _rows(
            session,
            sa.select(s.id, s.county_id, s.name, s.founded_on).where(
                s.archived_at.is_(None), *_scope(s.county_id, county_ids)
            ),
        )
    }
    instructed = await _instructed_reports(session, county_ids)
    r = m.OpinionReport
    for row in await _rows(
        session,
        sa.select(*_REPORT, r.studio_id).where(
            r.studio_id.is_not(None),
            _LIVE["report"],
            *_in(r.submitted_on, start, end),
            *_scope(r.county_id, county_ids),
        ),
    ):
        _add(facts, row.studio_id, _report(row, instructed))
    a = m.Activity
    for row in await _rows(
        session,
        sa.select(a.id, a.studio_id, a.occurred_on, a.kind).where(
            a.studio_id.is_not(None),
            _LIVE["activity"],
            *_in(a.occurred_on, start, end),
            *_scope(a.county_id, county_ids),
        ),
    ):
        _add(
            facts,
            row.studio_id,
            Record(RecordKind.ACTIVITY, row.id, row.occurred_on, sub_kind=row.kind),
        )
    d = m.Deed
    for row in await _rows(
        session,
        sa.select(d.id, d.studio_id, d.done_on).where(
            d.studio_id.is_not(None),
            _LIVE["deed"],
            *_in(d.done_on, start, end),
            *_scope(d.county_id, county_ids),
        ),
    ):
        _add(facts, row.studio_id, Record(RecordKind.DEED, row.id, row.done_on))
    p = m.Proposal
    joint = await _joint_proposals(session, county_ids)
    for row in await _rows(
        session,
        sa.select(*_PROPOSAL, p.studio_id).where(
            p.studio_id.is_not(None),
            _LIVE["proposal"],
            *_in(p.submitted_on, start, end),
            *_scope(p.county_id, county_ids),
        ),
    ):
        _add(facts, row.studio_id, _proposal(row, None, joint))
    return facts


def _utc_bounds(start: date, end: date, zones: dict[int, ZoneInfo]) -> tuple[datetime, datetime]:
    """UTC instants that cover ``[start, end)`` in every county's zone (filtered exactly later)."""
    starts = [
        datetime.combine(start, time(), tzinfo=z).astimezone(UTC) for z in zones.values()
    ] or [datetime.combine(start, time(), tzinfo=UTC)]
    ends = [datetime.combine(end, time(), tzinfo=z).astimezone(UTC) for z in zones.values()] or [
        datetime.combine(end, time(), tzinfo=UTC)
    ]
    return min(starts), max(ends)


_ATTENDANCE_FLAG = {
    Attendance.PRESENT: Flag.PRESENT,
    Attendance.ON_LEAVE: Flag.ON_LEAVE,
    Attendance.ABSENT: Flag.ABSENT,
}


async def _members(
    session: AsyncSession,
    county_ids: Sequence[int] | None,
    start: date,
    end: date,
    zones: dict[int, ZoneInfo],
) -> dict[int, SubjectFacts]:
    mem = m.Member
    facts = {
        r.id: SubjectFacts(Subject(SubjectKind.MEMBER, r.id, r.county_id, r.name, r.joined_on))
        for r in await _rows(
            session,
            sa.select(mem.id, mem.county_id, mem.name, mem.joined_on).where(
                mem.archived_at.is_(None), *_scope(mem.county_id, county_ids)
            ),
        )
    }
    instructed = await _instructed_reports(session, county_ids)
    r = m.OpinionReport
    for row in await _rows(
        session,
        sa.select(*_REPORT, r.member_id).where(
            r.member_id.is_not(None),
            _LIVE["report"],
            *_in(r.submitted_on, start, end),
            *_scope(r.county_id, county_ids),
        ),
    ):
        _add(facts, row.member_id, _report(row, instructed))
    a, ap = m.Activity, m.ActivityParticipant
    for row in await _rows(
        session,
        sa.select(a.id, ap.member_id, a.occurred_on, a.kind)
        .join(ap, ap.activity_id == a.id)
        .where(
            _LIVE["activity"], *_in(a.occurred_on, start, end), *_scope(a.county_id, county_ids)
        ),
    ):
        _add(
            facts,
            row.member_id,
            Record(RecordKind.ACTIVITY, row.id, row.occurred_on, sub_kind=row.kind),
        )
    d, dp = m.Deed, m.DeedParticipant
    for row in await _rows(
        session,
        sa.select(d.id, dp.member_id, d.done_on)
        .join(dp, dp.deed_id == d.id)
        .where(_LIVE["deed"], *_in(d.done_on, start, end), *_scope(d.county_id, county_ids)),
    ):
        _add(facts, row.member_id, Record(RecordKind.DEED, row.id, row.done_on))
    p, jp = m.Proposal, m.ProposalJointProposer
    joint = await _joint_proposals(session, county_ids)
    for row in await _rows(
        session,
        sa.select(*_PROPOSAL, p.lead_member_id).where(
            p.lead_member_id.is_not(None),
            _LIVE["proposal"],
            *_in(p.submitted_on, start, end),
            *_scope(p.county_id, county_ids),
        ),
    ):
        _add(facts, row.lead_member_id, _proposal(row, ProposerRole.LEAD, joint))
    for row in await _rows(
        session,
        sa.select(*_PROPOSAL, jp.member_id)
        .join(jp, jp.proposal_id == p.id)
        .where(
            _LIVE["proposal"], *_in(p.submitted_on, start, end), *_scope(p.county_id, county_ids)
        ),
    ):
        _add(facts, row.member_id, _proposal(row, ProposerRole.JOINT, joint))
    c, ca = m.Consultation, m.ConsultationAttendance
    low, high = _utc_bounds(start, end, zones)
    for row in await _rows(
        session,
        sa.select(c.id, c.county_id, c.starts_at, ca.member_id, ca.attendance)
        .join(ca, ca.consultation_id == c.id)
        .where(
            _LIVE["consultation"],
            c.starts_at >= low,
            c.starts_at < high,
            *_scope(c.county_id, county_ids),
        ),
    ):
        day = row.starts_at.astimezone(zones[row.county_id]).date()
        if start <= day < end:
            flag = _ATTENDANCE_FLAG[row.attendance]
            _add(
                facts,
                row.member_id,
                Record(RecordKind.CONSULTATION, row.id, day, flags=frozenset({flag})),
            )
    sm = m.StudioMember
    for row in await _rows(
        session,
        sa.select(sm.member_id, sm.studio_id).where(*_scope(sm.county_id, county_ids)),
    ):
        if row.member_id in facts:
            facts[row.member_id].studios.append(row.studio_id)
    return facts


async def _platforms(
    session: AsyncSession,
    county_ids: Sequence[int] | None,
    start: date,
    end: date,
    zones: dict[int, ZoneInfo],
) -> dict[int, SubjectFacts]:
    pl = m.Platform
    facts = {
        r.id: SubjectFacts(
            Subject(SubjectKind.PLATFORM, r.id, r.county_id, r.name, r.established_on)
        )
        for r in await _rows(
            session,
            sa.select(pl.id, pl.county_id, pl.name, pl.established_on).where(
                pl.archived_at.is_(None), *_scope(pl.county_id, county_ids)
            ),
        )
    }
    f = m.PlatformChecklistFact
    for row in await _rows(
        session,
        sa.select(f.platform_id, f.item, f.attested_on).where(
            f.attested_on < end, *_scope(f.county_id, county_ids)
        ),
    ):
        if row.platform_id in facts:
            facts[row.platform_id].attested[row.item] = row.attested_on
    a = m.Activity
    for row in await _rows(
        session,
        sa.select(a.id, a.platform_id, a.occurred_on, a.kind).where(
            a.platform_id.is_not(None),
            _LIVE["activity"],
            *_in(a.occurred_on, start, end),
            *_scope(a.county_id, county_ids),
        ),
    ):
        _add(
            facts,
            row.platform_id,
            Record(RecordKind.ACTIVITY, row.id, row.occurred_on, sub_kind=row.kind),
        )
    d = m.Deed
    for row in await _rows(
        session,
        sa.select(d.id, d.platform_id, d.done_on).where(
            d.platform_id.is_not(None),
            _LIVE["deed"],
            *_in(d.done_on, start, end),
            *_scope(d.county_id, county_ids),
        ),
    ):
        _add(facts, row.platform_id, Record(RecordKind.DEED, row.id, row.done_on))
    c = m.Consultation
    low, high = _utc_bounds(start, end, zones)
    for row in await _rows(
        session,
        sa.select(c.id, c.county_id, c.platform_id, c.starts_at).where(
            _LIVE["consultation"],
            c.starts_at >= low,
            c.starts_at < high,
            *_scope(c.county_id, county_ids),
        ),
    ):
        day = row.starts_at.astimezone(zones[row.county_id]).date()
        if start <= day < end:
            _add(facts, row.platform_id, Record(RecordKind.CONSULTATION, row.id, day))
    return facts


async def _counties(
    session: AsyncSession,
    county_ids: Sequence[int] | None,
    start: date,
    end: date,
    zones: dict[int, ZoneInfo],
) -> dict[int, SubjectFacts]:
    rows = await _rows(
        session, sa.select(m.County.id, m.County.name).where(*_scope(m.County.id, county_ids))
    )
    return {r.id: SubjectFacts(Subject(SubjectKind.COUNTY, r.id, r.id, r.name)) for r in rows}

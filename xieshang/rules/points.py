"""Points scheme (积分方案): a base plus capped sections of awards, graded.

A member's duty assessment (履职积分) is one: points per report, proposal, activity …, each
section capped, the total graded 优秀 / 良好 / 称职 / 不称职. A section's awards are scoring
rules that implement :class:`~xieshang.rules.criteria.AwardRule`: :class:`Award` (points per
record), :class:`AttendanceScore` (consultation attendance) and :class:`ComplianceAward` (the
share of the member's studios meeting a studio standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from xieshang.rules.criteria import AwardRule, DataclassCriterion, matches_kinds
from xieshang.rules.results import CriterionInput, CriterionResult, Record, SectionResult
from xieshang.rules.standards import Flag, ProposerRole, RecordKind, Status, SubjectKind


@dataclass(frozen=True)
class Award:
    """``points`` for every record of ``record`` in the period that matches the conditions.

    ``joint_factor`` multiplies the points of a proposal made jointly (联名): 桐城 gives the
    first proposer of a joint proposal half, ``Award(..., role=ProposerRole.LEAD, joint_factor=0.5)``.
    """

    record: RecordKind
    points: float
    kinds: tuple[str, ...] = ()
    when: Flag | None = None
    role: ProposerRole | None = None
    joint_factor: float = 1.0
    title: str = ""

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """The record must be one the subject has."""
        return [] if self.record in records else [f"a {subject.value} has no {self.record} records"]

    def dependencies(self) -> tuple[str, ...]:
        """None."""
        return ()

    def score(self, given: CriterionInput) -> tuple[float, list[Record]]:
        """``points`` per matching record (× ``joint_factor`` for a joint proposal)."""
        period = given.period
        chosen = [
            r
            for r in given.records.get(self.record, ())
            if period.contains(r.day)
            and matches_kinds(r, self.kinds)
            and (self.when is None or self.when in r.flags)
            and (self.role is None or r.role is self.role)
        ]
        total = sum(
            self.points * (self.joint_factor if Flag.JOINTLY in r.flags else 1.0) for r in chosen
        )
        return total, chosen


def _members_only(rule: AwardRule, subject: SubjectKind) -> list[str]:
    if subject is SubjectKind.MEMBER:
        return []
    return [f"{type(rule).__name__} applies to members only"]


@dataclass(frozen=True)
class AttendanceScore:
    """Consultation attendance scored per invitation and averaged (present / on leave / absent).

    With no invitation in the period the member gets ``when_none`` (default: the full points).
    """

    present: float
    on_leave: float
    absent: float
    when_none: float | None = None
    title: str = ""

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """Members only (they are the ones invited)."""
        return _members_only(self, subject)

    def dependencies(self) -> tuple[str, ...]:
        """None."""
        return ()

    def score(self, given: CriterionInput) -> tuple[float, list[Record]]:
        """The average over the consultations the member was invited to in the period."""
        invited = [
            r
            for r in given.records.get(RecordKind.CONSULTATION, ())
            if given.period.contains(r.day)
        ]
        if not invited:
            return (self.present if self.when_none is None else self.when_none), []
        table = {Flag.PRESENT: self.present, Flag.ON_LEAVE: self.on_leave, Flag.ABSENT: self.absent}
        scores = [next((table[f] for f in r.flags if f in table), self.absent) for r in invited]
        return sum(scores) / len(scores), invited


@dataclass(frozen=True)
class ComplianceAward:
    """``points`` × the share of the member's studios that meet the studio standard ``standard``."""

    standard: str
    points: float
    title: str = ""

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """Members only (they belong to studios)."""
        return _members_only(self, subject)

    def dependencies(self) -> tuple[str, ...]:
        """The studio standard."""
        return (self.standard,)

    def score(self, given: CriterionInput) -> tuple[float, list[Record]]:
        """``points`` × met ÷ the member's studios (0 without a studio)."""
        results = given.dependencies.get(self.standard)
        if results is None:
            raise LookupError(f"依赖的考核标准 {self.standard} 未安装")
        mine = [results[s] for s in given.studios if s in results]
        if not mine:
            return 0.0, []
        met = sum(1 for a in mine if a.status is Status.MET)
        return self.points * met / len(mine), []


@dataclass(frozen=True)
class Section:
    """A part of a points scheme: its awards add up to at most ``cap`` (and at least ``floor``)."""

    code: str
    title: str
    awards: tuple[AwardRule, ...]
    cap: float | None = None
    floor: float | None = None


@dataclass(frozen=True)
class Grade:
    """A grade reached from ``minimum`` points; ``passing`` grades make the standard MET."""

    name: str
    minimum: float
    passing: bool = True


@dataclass(frozen=True)
class PointsScheme(DataclassCriterion):
    """``base`` plus the sections' points (clamped to ``0..maximum``), graded by ``grades``."""

    code: str
    title: str
    sections: tuple[Section, ...]
    base: float = 0
    maximum: float | None = 100
    grades: tuple[Grade, ...] = ()
    description: str = ""

    kind: ClassVar[str] = "POINTS_SCHEME"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """Sections of awards that fit the subject; grades from the highest minimum down."""
        found: list[str] = []
        if not self.sections:
            found.append("has no sections")
        for section in self.sections:
            for award in section.awards:
                if not isinstance(award, AwardRule):
                    found.append(f"section {section.code!r}: {award!r} is not an award")
                    continue
                found += [
                    f"section {section.code!r}: {p}" for p in award.problems(subject, records)
                ]
        minimums = [g.minimum for g in self.grades]
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
            found.append("grades must be listed from the highest minimum down, each different")
        return found

    def dependencies(self) -> tuple[str, ...]:
        """The standards the awards read (compliance awards)."""
        return tuple(
            dict.fromkeys(d for s in self.sections for a in s.awards for d in a.dependencies())
        )

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        """Base plus capped sections, clamped, graded; MET once the period is over with a
        passing grade (IN_PROGRESS before: the score still changes)."""
        sections: list[SectionResult] = []
        total = float(self.base)
        for section in self.sections:
            raw, evidence = 0.0, []
            for award in section.awards:
                value, found = award.score(given)
                raw += value
                evidence += found
            value = raw
            if section.cap is not None:
                value = min(value, section.cap)
            if section.floor is not None:
                value = max(value, section.floor)
            total += value
            sections.append(
                SectionResult(
                    section.code,
                    section.title,
                    round(value, 2),
                    round(raw, 2),
                    section.cap,
                    evidence,
                )
            )
        total = max(0.0, total)
        if self.maximum is not None:
            total = min(total, self.maximum)
        total = round(total, 2)
        grade = next((g for g in self.grades if total >= g.minimum), None)
        if not given.period.ended(given.today):
            status = Status.IN_PROGRESS
        elif grade is None:
            status = Status.MET if not self.grades else Status.NOT_MET
        else:
            status = Status.MET if grade.passing else Status.NOT_MET
        grade_name = grade.name if grade else None
        reason = f"{self.title}：{total:g} 分" + (f"，{grade_name}" if grade_name else "")
        if status is Status.IN_PROGRESS:
            reason += "（期间未结束，分数会变化）"
        return CriterionResult(
            self.code,
            self.title,
            self.kind,
            status,
            reason,
            sections=sections,
            score=total,
            grade=grade_name,
        )

"""Evaluating standards: facts loaded in bulk, criteria evaluated in Python.

``evaluate(session, rules, standard, county_ids, period)`` assesses every subject of the
standard's kind in the given counties (or all counties) with a constant number of statements,
whatever the number of subjects: the facts of a subject kind are loaded once per call, and
standards this one depends on (a roll-up, a compliance award) are evaluated from the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.engine import facts as facts_module
from xieshang.engine.facts import Facts, SubjectFacts
from xieshang.rules.periods import Period
from xieshang.rules.results import (
    Assessment,
    CriterionInput,
    CriterionResult,
    ItemResult,
    Record,
    SectionResult,
    WindowResult,
    combine,
)
from xieshang.rules.standards import (
    AttendanceScore,
    Award,
    Checklist,
    ComplianceAward,
    CustomCriterion,
    Flag,
    PeriodicQuota,
    PointsScheme,
    RecordKind,
    ShareMet,
    Standard,
    Status,
    SubjectKind,
)


class AssessmentRun:
    """One evaluation run: facts loaded once per subject kind, results memoised per standard."""

    def __init__(
        self,
        session: AsyncSession,
        standards: dict[str, Standard],
        county_ids: Sequence[int] | None,
        period: Period,
        now: datetime | None = None,
    ) -> None:
        self.session = session
        self.standards = standards
        self.county_ids = county_ids
        self.period = period
        self.now = now
        self._facts: dict[SubjectKind, Facts] = {}
        self._results: dict[str, list[Assessment]] = {}
        self._today: dict[int, date] = {}

    def _span(self, standard: Standard) -> tuple[date, date]:
        """The dates whose records can count: the period widened to whole windows."""
        start, end = self.period.start, self.period.end
        for criterion in standard.criteria:
            if isinstance(criterion, PeriodicQuota):
                windows = self.period.windows(criterion.window)
                start, end = min(start, windows[0].start), max(end, windows[-1].end)
        return start, end

    async def facts(self, kind: SubjectKind, span: tuple[date, date]) -> Facts:
        # One load per kind per run, covering the widest span any standard of the run needs.
        loaded = self._facts.get(kind)
        if loaded is None:
            start, end = self._widest(kind, span)
            loaded = await facts_module.load(self.session, kind, self.county_ids, start, end)
            self._facts[kind] = loaded
        return loaded

    def _widest(self, kind: SubjectKind, span: tuple[date, date]) -> tuple[date, date]:
        start, end = span
        for standard in self.standards.values():
            if standard.subject is kind:
                other = self._span(standard)
                start, end = min(start, other[0]), max(end, other[1])
        return start, end

    def today(self, facts: Facts, county_id: int) -> date:
        """Today in the county's calendar (once per county and run)."""
        today = self._today.get(county_id)
        if today is None:
            zone = facts.zones.get(county_id)
            now = self.now or datetime.now(zone)
            today = now.astimezone(zone).date() if zone is not None else now.date()
            self._today[county_id] = today
        return today

    async def assess(self, code: str) -> list[Assessment]:
        """Every subject assessed against standard ``code`` (memoised within the run)."""
        if code in self._results:
            return self._results[code]
        standard = self.standards[code]
        dependencies = {
            dep: await self.assess(dep) for dep in standard.dependencies if dep in self.standards
        }
        facts = await self.facts(standard.subject, self._span(standard))
        results = [
            self._assess_subject(standard, subject_facts, facts, dependencies)
            for subject_facts in facts.subjects.values()
        ]
        self._results[code] = results
        return results

    def _assess_subject(
        self,
        standard: Standard,
        subject_facts: SubjectFacts,
        facts: Facts,
        dependencies: dict[str, list[Assessment]],
    ) -> Assessment:
        subject = subject_facts.subject
        today = self.today(facts, subject.county_id)
        criteria: list[CriterionResult] = []
        for criterion in standard.criteria:
            try:
                criteria.append(
                    self._criterion(criterion, subject_facts, today, dependencies, standard)
                )
            except Exception as exc:  # a custom criterion's bug must not break the others
                criteria.append(
                    CriterionResult(
                        criterion.code,
                        criterion.title,
                        type(criterion).__name__,
                        Status.ERROR,
                        f"插件 {standard.plugin or '?'} 的规则出错：{exc}"
                        if isinstance(exc, LookupError)
                        else f"插件 {standard.plugin or '?'} 的规则出错：{type(exc).__name__}: {exc}",
                    )
                )
        scored = [c for c in criteria if c.score is not None]
        return Assessment(
            standard=standard.code,
            standard_title=standard.title,
            version=standard.version,
            plugin=standard.plugin,
            subject=subject,
            period=self.period.label,
            status=combine([c.status for c in criteria]),
            criteria=criteria,
            score=scored[0].score if len(scored) == 1 else None,
            grade=scored[0].grade if len(scored) == 1 else None,
        )

    def _criterion(
        self,
        criterion: Any,
        facts: SubjectFacts,
        today: date,
        dependencies: dict[str, list[Assessment]],
        standard: Standard,
    ) -> CriterionResult:
        if isinstance(criterion, PeriodicQuota):
            return quota(criterion, facts, self.period, today)
        if isinstance(criterion, Checklist):
            return checklist(criterion, facts, self.period, today)
        if isinstance(criterion, PointsScheme):
            return points(criterion, facts, self.period, today, dependencies)
        if isinstance(criterion, ShareMet):
            return share(criterion, facts, self.period, today, dependencies)
        if isinstance(criterion, CustomCriterion):
            result = criterion.evaluate(
                CriterionInput(
                    facts.subject, self.period, today, dict(facts.records), dict(facts.attested)
                )
            )
            if not isinstance(result, CriterionResult):
                raise TypeError(
                    f"{criterion.code} returned {type(result).__name__}, not CriterionResult"
                )
            return result
        raise TypeError(f"unknown criterion {criterion!r}")


def _matches(record: Record, kinds: tuple[str, ...]) -> bool:
    return not kinds or record.sub_kind in kinds


def _evidence(records: Sequence[Record]) -> list[Record]:
    # The records themselves are the evidence (kind and id name them): no copy per window.
    return records if isinstance(records, list) else list(records)


def quota(
    criterion: PeriodicQuota, facts: SubjectFacts, period: Period, today: date
) -> CriterionResult:
    """At least ``minimum`` matching records in each window overlapping ``period``."""
    label = criterion.record.label_zh
    windows_of_period = period.windows(criterion.window)
    first = windows_of_period[0].start
    months = criterion.window.months
    # Records binned by window once (not filtered again for every window).
    binned: dict[int, list[Record]] = {}
    for record in facts.records.get(criterion.record, ()):
        if _matches(record, criterion.kinds):
            index = ((record.day.year - first.year) * 12 + record.day.month - first.month) // months
            binned.setdefault(index, []).append(record)
    windows: list[WindowResult] = []
    for index, window in enumerate(windows_of_period):
        inside = binned.get(index, [])
        count = len(inside)
        since = facts.subject.since
        if since is not None and since >= window.end:
            status, reason = Status.NOT_APPLICABLE, f"{window.label}：尚未成立，不适用"
        elif count >= criterion.minimum:
            status, reason = (
                Status.MET,
                f"{window.label}：{label} {count} 条，达到要求（至少 {criterion.minimum} 条）",
            )
        elif not window.ended(today):
            status, reason = (
                Status.IN_PROGRESS,
                f"{window.label}：进行中，{label}已有 {count} 条，要求至少 {criterion.minimum} 条",
            )
        else:
            status, reason = (
                Status.NOT_MET,
                f"{window.label}：{label} {count} 条，要求至少 {criterion.minimum} 条",
            )
        windows.append(
            WindowResult(
                window.label,
                window.start,
                window.end,
                count,
                criterion.minimum,
                status,
                _evidence(inside),
                reason,
            )
        )
    status = combine([w.status for w in windows])
    missed = [w.label for w in windows if w.status is Status.NOT_MET]
    if missed:
        rule = f"{criterion.window.label_zh}至少 {criterion.minimum} 条{label}"
        reason = f"{criterion.title}：{'、'.join(missed)} 未达到（{rule}）"
    else:
        reason = f"{criterion.title}：{_status_words(status)}"
    return CriterionResult(
        criterion.code, criterion.title, "PERIODIC_QUOTA", status, reason, windows=windows
    )


def _status_words(status: Status) -> str:
    return {
        Status.MET: "达标",
        Status.NOT_MET: "未达标",
        Status.IN_PROGRESS: "进行中",
        Status.NOT_APPLICABLE: "不适用",
        Status.ERROR: "出错",
    }[status]


def checklist(
    criterion: Checklist, facts: SubjectFacts, period: Period, today: date
) -> CriterionResult:
    """Every item attested before the period ends, or derived from enough records in it."""
    items: list[ItemResult] = []
    ended = period.ended(today)
    for item in criterion.items:
        if item.derived_from is None:
            attested = facts.attested.get(item.code)
            holds = attested is not None and attested < period.end
            count, evidence = None, []
            detail = f"已于 {attested} 核实" if holds else "未核实"
        else:
            inside = [
                r
                for r in facts.records.get(item.derived_from, ())
                if period.contains(r.day) and _matches(r, item.kinds)
            ]
            attested, count, evidence = None, len(inside), _evidence(inside)
            holds = count >= item.minimum
            detail = f"{item.derived_from.label_zh} {count} 条（要求至少 {item.minimum} 条）"
        status = Status.MET if holds else (Status.NOT_MET if ended else Status.IN_PROGRESS)
        items.append(
            ItemResult(
                item.code, item.title, status, attested, count, evidence, f"{item.title}：{detail}"
            )
        )
    status = combine([i.status for i in items])
    missing = [i.title for i in items if i.status is not Status.MET]
    reason = (
        f"{criterion.title}：缺 {'、'.join(missing)}"
        if missing
        else f"{criterion.title}：{len(items)} 项齐全"
    )
    return CriterionResult(
        criterion.code, criterion.title, "CHECKLIST", status, reason, items=items
    )


def _award_points(
    award: Any, facts: SubjectFacts, period: Period, dependencies: dict[str, list[Assessment]]
) -> tuple[float, list[Record]]:
    if isinstance(award, Award):
        chosen = [
            r
            for r in facts.records.get(award.record, ())
            if period.contains(r.day)
            and _matches(r, award.kinds)
            and (award.when is None or award.when in r.flags)
            and (award.role is None or r.role is award.role)
        ]
        total = sum(
            award.points * (award.joint_factor if Flag.JOINTLY in r.flags else 1.0) for r in chosen
        )
        return total, _evidence(chosen)
    if isinstance(award, AttendanceScore):
        invited = [
            r for r in facts.records.get(RecordKind.CONSULTATION, ()) if period.contains(r.day)
        ]
        if not invited:
            return (award.present if award.when_none is None else award.when_none), []
        table = {
            Flag.PRESENT: award.present,
            Flag.ON_LEAVE: award.on_leave,
            Flag.ABSENT: award.absent,
        }
        scores = [next((table[f] for f in r.flags if f in table), award.absent) for r in invited]
        return sum(scores) / len(scores), _evidence(invited)
    if isinstance(award, ComplianceAward):
        if award.standard not in dependencies:
            raise LookupError(f"依赖的考核标准 {award.standard} 未安装")
        results = {a.subject.id: a for a in dependencies[award.standard]}
        mine = [results[s] for s in facts.studios if s in results]
        if not mine:
            return 0.0, []
        met = sum(1 for a in mine if a.status is Status.MET)
        return award.points * met / len(mine), []
    raise TypeError(f"unknown award {award!r}")


def points(
    criterion: PointsScheme,
    facts: SubjectFacts,
    period: Period,
    today: date,
    dependencies: dict[str, list[Assessment]],
) -> CriterionResult:
    """Base plus capped sections, clamped, graded; MET once the period is over with a passing grade."""
    sections: list[SectionResult] = []
    total = float(criterion.base)
    for section in criterion.sections:
        raw, evidence = 0.0, []
        for award in section.awards:
            value, found = _award_points(award, facts, period, dependencies)
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
                section.code, section.title, round(value, 2), round(raw, 2), section.cap, evidence
            )
        )
    total = max(0.0, total)
    if criterion.maximum is not None:
        total = min(total, criterion.maximum)
    total = round(total, 2)
    grade = next((g for g in criterion.grades if total >= g.minimum), None)
    if not period.ended(today):
        status = Status.IN_PROGRESS
    elif grade is None:
        status = Status.MET if not criterion.grades else Status.NOT_MET
    else:
        status = Status.MET if grade.passing else Status.NOT_MET
    grade_name = grade.name if grade else None
    reason = f"{criterion.title}：{total:g} 分" + (f"，{grade_name}" if grade_name else "")
    if status is Status.IN_PROGRESS:
        reason += "（期间未结束，分数会变化）"
    return CriterionResult(
        criterion.code,
        criterion.title,
        "POINTS_SCHEME",
        status,
        reason,
        sections=sections,
        score=total,
        grade=grade_name,
    )


def share(
    criterion: ShareMet,
    facts: SubjectFacts,
    period: Period,
    today: date,
    dependencies: dict[str, list[Assessment]],
) -> CriterionResult:
    """The share of the county's subjects meeting another standard."""
    results = [
        a
        for a in dependencies.get(criterion.standard, [])
        if a.subject.county_id == facts.subject.id
    ]
    counted = [a for a in results if a.status is not Status.NOT_APPLICABLE]
    met = sum(1 for a in counted if a.status is Status.MET)
    if not counted:
        return CriterionResult(
            criterion.code,
            criterion.title,
            "SHARE_MET",
            Status.NOT_APPLICABLE,
            f"{criterion.title}：没有可考核的对象",
        )
    ratio = met / len(counted)
    if ratio >= criterion.minimum_share:
        status = Status.MET
    elif not period.ended(today):
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_MET
    reason = (
        f"{criterion.title}：{criterion.subject.label_zh}达标 {met}/{len(counted)}（{ratio:.0%}），"
        f"要求不低于 {criterion.minimum_share:.0%}"
    )
    return CriterionResult(
        criterion.code, criterion.title, "SHARE_MET", status, reason, score=round(ratio * 100, 2)
    )


async def evaluate(
    session: AsyncSession,
    standards: dict[str, Standard],
    code: str,
    county_ids: Sequence[int] | None,
    period: Period,
    *,
    now: datetime | None = None,
) -> list[Assessment]:
    """Assess every subject of standard ``code`` in ``county_ids`` (None: every county)."""
    return await AssessmentRun(session, standards, county_ids, period, now).assess(code)


def rank(assessments: list[Assessment]) -> list[Assessment]:
    """Assessments by score, highest first, with ``rank`` set (equal scores share a rank)."""
    ordered = sorted(assessments, key=lambda a: (-(a.score or 0.0), a.subject.name, a.subject.id))
    previous, position = None, 0
    for index, assessment in enumerate(ordered, start=1):
        if assessment.score != previous:
            position, previous = index, assessment.score
        assessment.rank = position
    return ordered

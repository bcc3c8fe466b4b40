"""Evaluating standards: facts loaded in bulk, criteria evaluated in Python.

``evaluate(session, rules, standard, county_ids, period)`` assesses every subject of the
standard's kind in the given counties (or all counties) with a constant number of statements,
whatever the number of subjects: the facts of a subject kind are loaded once per call, and
standards this one depends on (a roll-up, a compliance award) are evaluated from the same facts.

The engine knows no criterion kind: it asks each criterion (the
:class:`~xieshang.rules.criteria.Criterion` protocol) which dates it needs, which standards it
depends on, and to evaluate a subject's facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.engine import facts as facts_module
from xieshang.engine.facts import Facts, SubjectFacts
from xieshang.rules.criteria import Criterion
from xieshang.rules.periods import Period
from xieshang.rules.results import Assessment, CriterionInput, CriterionResult, combine
from xieshang.rules.standards import Standard, Status, SubjectKind


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
        """The dates whose records can count: the period and whatever each criterion needs."""
        start, end = self.period.start, self.period.end
        for criterion in standard.criteria:
            first, last = criterion.span(self.period)
            start, end = min(start, first), max(end, last)
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
        # Results of the standards this one reads, by subject (a compliance award looks up
        # its member's studios, a roll-up its county's subjects).
        dependencies = {
            dep: {a.subject.id: a for a in await self.assess(dep)}
            for dep in standard.dependencies
            if dep in self.standards
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
        dependencies: dict[str, dict[int, Assessment]],
    ) -> Assessment:
        subject = subject_facts.subject
        given = CriterionInput(
            subject,
            self.period,
            self.today(facts, subject.county_id),
            # Plain copies: a criterion's lookups never add keys to the run's facts.
            dict(subject_facts.records),
            dict(subject_facts.attested),
            tuple(subject_facts.studios),
            dependencies,
        )
        criteria = [_evaluate(criterion, given, standard) for criterion in standard.criteria]
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


def _evaluate(criterion: Criterion, given: CriterionInput, standard: Standard) -> CriterionResult:
    """One criterion for one subject; a failure is an ERROR result naming the plugin."""
    try:
        result = criterion.evaluate(given)
        if not isinstance(result, CriterionResult):
            raise TypeError(
                f"{criterion.code} returned {type(result).__name__}, not CriterionResult"
            )
        return result
    except Exception as exc:  # a plugin's bug must not break the other criteria
        detail = str(exc) if isinstance(exc, LookupError) else f"{type(exc).__name__}: {exc}"
        return CriterionResult(
            criterion.code,
            criterion.title,
            criterion.kind,
            Status.ERROR,
            f"插件 {standard.plugin or '?'} 的规则出错：{detail}",
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

"""The criterion protocol: a kind defined here, outside xieshang, works like a built-in one
(validated at load, evaluated by the engine from the bulk-loaded facts, overridden by a county,
shown in GraphQL); the built-in kinds implement the protocol consistently; nothing outside the
contract names a kind."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import xieshang.rules
from xieshang.db import models as m
from xieshang.db import stats
from xieshang.engine.registry import RulePlugins
from xieshang.engine.run import AssessmentRun
from xieshang.plugins import pengan
from xieshang.rules import (
    AwardRule,
    Criterion,
    CriterionInput,
    CriterionResult,
    OverrideError,
    Period,
    RecordKind,
    Standard,
    Status,
    SubjectKind,
    hookimpl,
    parse_period,
)
from xieshang.rules.standards import problems, with_overrides
from xieshang.testing import GraphQLClient

ROOT = Path(__file__).resolve().parents[1]
Sessions = async_sessionmaker[AsyncSession]


# -- a kind of criterion xieshang does not know ------------------------------------------------


@dataclass(frozen=True)
class DistinctMonths:
    """Records of ``record`` in at least ``minimum`` different months of the period.

    Written against the protocol only: no base class, no helper of xieshang's.
    """

    code: str
    title: str
    record: RecordKind
    minimum: int
    description: str = ""

    kind: ClassVar[str] = "DISTINCT_MONTHS"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        found = [] if self.record in records else [f"a {subject.value} has no {self.record}"]
        if not 1 <= self.minimum <= 12:
            found.append("minimum must be 1 to 12 months")
        return found

    def span(self, period: Period) -> tuple[date, date]:
        return period.start, period.end

    def dependencies(self) -> tuple[str, ...]:
        return ()

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        months = sorted(
            {
                (r.day.year, r.day.month)
                for r in given.records.get(self.record, ())
                if given.period.contains(r.day)
            }
        )
        if len(months) >= self.minimum:
            status = Status.MET
        elif not given.period.ended(given.today):
            status = Status.IN_PROGRESS
        else:
            status = Status.NOT_MET
        reason = f"{self.title}：{len(months)} 个月有记录，要求至少 {self.minimum} 个月"
        return CriterionResult(
            self.code, self.title, self.kind, status, reason, score=float(len(months))
        )

    def numbers(self) -> dict[str, int | float | None]:
        return {"minimum": self.minimum}

    def with_number(self, path: str, value: int | float) -> DistinctMonths:
        if path != "minimum":
            raise OverrideError(f"no number called {path!r} there")
        if not isinstance(value, int):
            raise OverrideError("'minimum' must be a whole number")
        return replace(self, minimum=value)

    def parameters(self) -> dict[str, Any]:
        return {"record": self.record.value, "minimum": self.minimum}


EVERY_MONTH = Standard(
    "test.every-month",
    "每月都有社情民意信息",
    SubjectKind.STUDIO,
    "1",
    (DistinctMonths("months", "至少 11 个月报送社情民意信息", RecordKind.OPINION_REPORT, 11),),
)


class MonthsPlugin:
    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        return [EVERY_MONTH]


async def _months_with_reports(sessions: Sessions, county: str = "511323") -> dict[int, int]:
    """Per studio of the county, the number of 2024 months with a live opinion report (SQL)."""
    r = m.OpinionReport
    async with sessions() as session:
        rows = (
            await session.execute(
                sa.select(r.studio_id, r.submitted_on)
                .join(m.County, m.County.id == r.county_id)
                .where(
                    m.County.code == county,
                    r.studio_id.is_not(None),
                    r.archived_at.is_(None),
                    r.submitted_on >= date(2024, 1, 1),
                    r.submitted_on < date(2025, 1, 1),
                )
            )
        ).all()
        studios = (
            await session.scalars(
                sa.select(m.Studio.id)
                .join(m.County, m.County.id == m.Studio.county_id)
                .where(m.County.code == county, m.Studio.archived_at.is_(None))
            )
        ).all()
    months: dict[int, set[int]] = defaultdict(set)
    for studio_id, day in rows:
        months[studio_id].add(day.month)
    return {s: len(months[s]) for s in studios}


def test_a_kind_defined_outside_xieshang_implements_the_protocol() -> None:
    assert isinstance(EVERY_MONTH.criteria[0], Criterion)
    assert problems(EVERY_MONTH) == []
    rules = RulePlugins.load(extra=(("months", MonthsPlugin()),))
    assert rules.problems == [] and "test.every-month" in rules.standards


async def test_a_new_kind_is_evaluated_by_the_engine(
    xieshang_assess: Any, xieshang_plugin_rules: Any, xieshang_demo_sessions: Sessions
) -> None:
    rules = xieshang_plugin_rules(("months", MonthsPlugin()))
    expected = await _months_with_reports(xieshang_demo_sessions)
    results = await xieshang_assess("test.every-month", "2024", rules=rules)
    assert {a.subject.id for a in results} == set(expected)
    for assessment in results:
        (criterion,) = assessment.criteria
        months = expected[assessment.subject.id]
        assert (criterion.kind, criterion.score) == ("DISTINCT_MONTHS", float(months))
        assert assessment.status is (Status.MET if months >= 11 else Status.NOT_MET)
    # The demo county has studios on both sides of the line.
    assert {a.status for a in results} == {Status.MET, Status.NOT_MET}
    # A county's override goes through the kind's own with_number.
    lenient = await xieshang_assess(
        "test.every-month", "2024", rules=rules, overrides={"months.minimum": 1}
    )
    assert sum(a.status is Status.MET for a in lenient) == sum(1 for n in expected.values() if n)


async def test_a_new_kind_keeps_the_statement_count(
    xieshang_demo_sessions: Sessions, xieshang_demo_engine: Any
) -> None:
    """The engine loads the new kind's facts with the same bulk statements as 三个一's."""
    rules = RulePlugins.load(extra=(("months", MonthsPlugin()),))
    stats.install(xieshang_demo_engine)

    async def statements(code: str) -> int:
        async with xieshang_demo_sessions() as session:
            with stats.track() as tally:
                await AssessmentRun(session, rules.standards, None, parse_period("2024")).assess(
                    code
                )
        return tally.statements

    assert await statements("test.every-month") == await statements("pengan.three-ones")


async def test_a_new_kind_in_graphql(xieshang_graphql: Any, xieshang_plugin_rules: Any) -> None:
    rules = xieshang_plugin_rules(("months", MonthsPlugin()))
    client: GraphQLClient = xieshang_graphql(as_user="admin", rules=rules)  # county settings
    county = (await client.query('{ county(code: "511323") { id } }'))["county"]["id"]
    enabled = await client.query(
        """mutation($input: EnableCountyStandardInput!) { enableCountyStandard(input: $input) {
            userErrors { code message } } }""",
        {"input": {"countyId": county, "code": "test.every-month"}},
    )
    assert enabled["enableCountyStandard"]["userErrors"] == []
    data = await client.query(
        """{ standards { code criteria { code kind parameters } }
             studios(first: 100) { edges { node { compliance(period: "2024") {
               standard status criteria { kind status score reason } } } } } }"""
    )
    standards = {s["code"]: s for s in data["standards"]}
    assert standards["test.every-month"]["criteria"] == [
        {
            "code": "months",
            "kind": "DISTINCT_MONTHS",
            "parameters": {"record": "OPINION_REPORT", "minimum": 11},
        }
    ]
    results = [
        c
        for e in data["studios"]["edges"]
        for c in e["node"]["compliance"]
        if c["standard"] == "test.every-month"
    ]
    assert len(results) == 16
    for result in results:
        (criterion,) = result["criteria"]
        assert criterion["kind"] == "DISTINCT_MONTHS"
        assert criterion["status"] == ("MET" if criterion["score"] >= 11 else "NOT_MET")
        assert f"{int(criterion['score'])} 个月有记录" in criterion["reason"]
    refused = await client.query(
        """mutation($input: EnableCountyStandardInput!) { enableCountyStandard(input: $input) {
            userErrors { code message } } }""",
        {
            "input": {
                "countyId": county,
                "code": "test.every-month",
                "overrides": {"months.minimum": 1.5},
            }
        },
    )
    (error,) = refused["enableCountyStandard"]["userErrors"]
    assert error["code"] == "INVALID_OVERRIDE" and "whole number" in error["message"]


# -- broken kinds are caught when the plugin is loaded -----------------------------------------


@dataclass(frozen=True)
class Unfinished:
    """Looks like a criterion but lacks most of the protocol."""

    code: str
    title: str


class _BadParameters(DistinctMonths):
    def parameters(self) -> dict[str, Any]:
        raise RuntimeError("parameters not written yet")


class _BadKindName(DistinctMonths):
    kind: ClassVar[str] = "distinct months"


class _NotJSON(DistinctMonths):
    def parameters(self) -> dict[str, Any]:
        return {"since": date(2024, 1, 1)}


@pytest.mark.parametrize(
    ("criterion", "fragment"),
    [
        (Unfinished("x", "x"), "lacks description, kind, problems"),
        (_BadParameters("x", "x", RecordKind.DEED, 3), "parameters not written yet"),
        (_BadKindName("x", "x", RecordKind.DEED, 3), "must be upper-case"),
        (_NotJSON("x", "x", RecordKind.DEED, 3), "not JSON serializable"),
        (DistinctMonths("x", "x", RecordKind.CONSULTATION, 3), "has no CONSULTATION"),
        (DistinctMonths("x", "x", RecordKind.DEED, 13), "1 to 12 months"),
    ],
)
def test_a_broken_kind_is_reported_at_load_and_never_reaches_a_query(
    criterion: object, fragment: str
) -> None:
    standard = Standard("broken.kind", "坏的", SubjectKind.STUDIO, "1", (criterion,))  # type: ignore[arg-type]

    class Plugin:
        @hookimpl
        def xieshang_standards(self) -> list[Standard]:
            return [standard]

    rules = RulePlugins.load(extra=(("broken", Plugin()),))
    (problem,) = rules.problems
    assert problem.plugin == "broken" and fragment in problem.message, problem.message
    # Not offered to counties or the API; a county that had it sees ERROR results.
    assert "broken.kind" not in rules.standards and "broken.kind" in rules.broken


# -- the built-in kinds ------------------------------------------------------------------------

BUILT_IN = (pengan.THREE_ONES, pengan.SIX_HAVES, pengan.MEMBER_DUTY, pengan.COUNTY_ROLLUP)


def test_the_built_in_kinds_implement_the_protocol() -> None:
    kinds = {type(c).__name__: c.kind for s in BUILT_IN for c in s.criteria}
    assert kinds == {
        "PeriodicQuota": "PERIODIC_QUOTA",
        "Checklist": "CHECKLIST",
        "PointsScheme": "POINTS_SCHEME",
        "ShareMet": "SHARE_MET",
    }
    assert all(isinstance(c, Criterion) for s in BUILT_IN for c in s.criteria)
    awards = [a for s in pengan.MEMBER_DUTY.criteria[0].sections for a in s.awards]  # type: ignore[attr-defined]
    assert {type(a).__name__ for a in awards} == {"Award", "AttendanceScore", "ComplianceAward"}
    assert all(isinstance(a, AwardRule) for a in awards)


@pytest.mark.parametrize(
    ("standard", "path"),
    [(s, f"{c.code}.{p}") for s in BUILT_IN for c in s.criteria for p in c.numbers()],
)
def test_every_listed_number_can_be_overridden_and_only_it_changes(
    standard: Standard, path: str
) -> None:
    code, _, rest = path.partition(".")
    before = standard.criterion(code)
    assert before is not None
    current = before.numbers()[rest]
    new = 7 if isinstance(current, int) else 7.5
    after = with_overrides(standard, {path: new}).criterion(code)
    assert after is not None
    changed = {p: v for p, v in after.numbers().items() if before.numbers()[p] != v}
    assert changed == {rest: new}


def test_numbers_are_typed_by_their_declaration() -> None:
    duty = pengan.MEMBER_DUTY.criteria[0]
    numbers = duty.numbers()
    # Whole numbers stay whole; points declared as float accept fractions even if written 4.
    assert isinstance(pengan.THREE_ONES.criteria[0].numbers()["minimum"], int)
    assert numbers["reports.0.points"] == 4.0 and isinstance(numbers["reports.0.points"], float)
    assert numbers["proposals.floor"] is None  # unset, may be set
    halved = with_overrides(pengan.MEMBER_DUTY, {"duty.reports.0.points": 4.5})
    assert halved.criteria[0].numbers()["reports.0.points"] == 4.5
    # Fields that are not numbers are not overridable, even when unset (None).
    assert "venue.derived_from" not in pengan.SIX_HAVES.criteria[0].numbers()
    with pytest.raises(OverrideError, match="is not a number"):
        with_overrides(pengan.SIX_HAVES, {"six-haves.venue.derived_from": 1})


def test_dependencies_come_from_the_criteria() -> None:
    assert pengan.MEMBER_DUTY.criteria[0].dependencies() == ("pengan.three-ones",)
    assert EVERY_MONTH.dependencies == ()


# -- nothing outside the contract names a kind -------------------------------------------------


def _is_kind(value: object) -> bool:
    """A criterion kind (a class with an API kind name) or an award rule (one that scores)."""
    if not isinstance(value, type) or value in (Criterion, AwardRule):
        return False
    return callable(getattr(value, "problems", None)) and (
        isinstance(getattr(value, "kind", None), str) or callable(getattr(value, "score", None))
    )


KIND_CLASSES = sorted(n for n in xieshang.rules.__all__ if _is_kind(getattr(xieshang.rules, n)))


def test_the_kinds_are_found() -> None:
    assert KIND_CLASSES == [
        "AttendanceScore",
        "Award",
        "Checklist",
        "ComplianceAward",
        "CustomCriterion",
        "PeriodicQuota",
        "PointsScheme",
        "ShareMet",
    ]


@pytest.mark.parametrize("layer", ["engine", "domain", "schema", "web", "cli", "db"])
def test_no_layer_but_the_contract_names_a_criterion_kind(layer: str) -> None:
    """The engine, the domain and the API call the protocol; adding a kind touches none of them."""
    word = re.compile(r"\b(" + "|".join(KIND_CLASSES) + r")\b")
    found = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in sorted((ROOT / "xieshang" / layer).rglob("*.py"))
        for match in word.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []

"""Assessing counties by the standards each has switched on, and summing the results up.

A standard is evaluated for every county that uses it, counties with the same overrides
together (one bulk evaluation per group). A county whose configured standard is no longer
installed, or whose plugin declared it wrongly, gets an ERROR result per subject that names the
problem — the rest of the request goes on. :func:`summarise` counts a standard's results in a
county (per status, and per office for studio standards).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.domain.county_standards import active
from xieshang.engine import facts as facts_module
from xieshang.engine.registry import RulePlugins
from xieshang.engine.run import AssessmentRun
from xieshang.rules.periods import Period
from xieshang.rules.results import Assessment
from xieshang.rules.standards import OverrideError, Standard, Status, SubjectKind, with_overrides

#: Told the run time of every assessment (standard code, seconds): the web layer points it at
#: the application's metrics for each request, so the domain needs no metrics of its own.
run_times: ContextVar[Callable[[str, float], None] | None] = ContextVar(
    "xieshang_assessment_run_times", default=None
)


async def assess(
    session: AsyncSession,
    rules: RulePlugins,
    code: str,
    period: Period,
    county_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> list[Assessment]:
    """Standard ``code`` for every subject of every county (of ``county_ids``) that uses it."""
    started = time.perf_counter()
    try:
        return await _assess(session, rules, code, period, county_ids, now=now)
    finally:
        observe = run_times.get()
        if observe is not None:
            observe(code, time.perf_counter() - started)


async def _assess(
    session: AsyncSession,
    rules: RulePlugins,
    code: str,
    period: Period,
    county_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> list[Assessment]:
    rows = await active(session, county_ids)
    by_county: dict[int, dict[str, m.CountyStandard]] = defaultdict(dict)
    for row in rows:
        by_county[row.county_id][row.standard_code] = row
    users = [cid for cid, configured in by_county.items() if code in configured]
    if not users:
        return []
    groups: dict[str, list[int]] = defaultdict(list)
    for cid in users:
        groups[_group_key(rules, code, by_county[cid])].append(cid)
    results: list[Assessment] = []
    for counties in groups.values():
        configured = by_county[counties[0]]
        standard = rules.standards.get(code)
        if standard is None or code in rules.broken:
            why = (
                rules.broken.get(code) or f"考核标准 {code} 未安装（提供它的插件已卸载或无法加载）"
            )
            results += await _errors(
                session, code, configured[code].subject_kind, counties, period, why
            )
            continue
        try:
            standards = _effective(rules, code, configured)
        except OverrideError as exc:
            # Overrides stored before the plugin changed its standard (a criterion renamed or
            # gone): these counties see ERROR, the others their results.
            why = f"本县对考核标准的参数覆盖已不适用：{exc}（请重新设置参数覆盖）"
            results += await _errors(
                session, code, configured[code].subject_kind, counties, period, why
            )
            continue
        results += await AssessmentRun(session, standards, counties, period, now).assess(code)
    return results


def _needed(rules: RulePlugins, code: str) -> list[str]:
    """``code`` and, recursively, the standards it depends on."""
    seen: list[str] = []
    pending = [code]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        standard = rules.standards.get(current)
        if standard is not None:
            pending += list(standard.dependencies)
    return seen


def _group_key(rules: RulePlugins, code: str, configured: dict[str, m.CountyStandard]) -> str:
    overrides = {c: configured[c].overrides for c in _needed(rules, code) if c in configured}
    return json.dumps(overrides, sort_keys=True)


def _effective(
    rules: RulePlugins, code: str, configured: dict[str, m.CountyStandard]
) -> dict[str, Standard]:
    standards: dict[str, Standard] = {}
    for needed in _needed(rules, code):
        installed = rules.standards.get(needed)
        if installed is None:
            continue
        row = configured.get(needed)
        standards[needed] = (
            with_overrides(installed, row.overrides) if row and row.overrides else installed
        )
    return standards


async def _errors(
    session: AsyncSession, code: str, kind: str, counties: list[int], period: Period, why: str
) -> list[Assessment]:
    facts = await facts_module.load(
        session, SubjectKind(kind), counties, period.start, period.start
    )
    return [
        Assessment(
            standard=code,
            standard_title=code,
            version="",
            plugin="",
            subject=f.subject,
            period=period.label,
            status=Status.ERROR,
            criteria=[],
            error=why,
        )
        for f in facts.subjects.values()
    ]


# -- summaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeShare:
    """How many of an office's studios meet a standard (office None: studios without one)."""

    office_id: int | None
    total: int
    met: int


@dataclass(frozen=True)
class StandardSummary:
    """One standard's results in one county: counts per status, the share met, by office."""

    standard: str
    title: str
    subject_kind: SubjectKind
    total: int
    met: int
    not_met: int
    in_progress: int
    not_applicable: int
    error: int
    #: Met ÷ the subjects that could be assessed (NOT_APPLICABLE ones do not count); None when
    #: there are none.
    met_share: float | None
    #: For studio standards: per office the studios are linked to (offices in id order, the
    #: studios without an office last).
    by_office: list[OfficeShare]


def summarise(
    rules: RulePlugins,
    code: str,
    subject_kind: SubjectKind,
    results: Sequence[Assessment],
    studio_offices: Mapping[int, int | None] | None = None,
) -> StandardSummary:
    """The summary of standard ``code``'s ``results`` in one county.

    ``studio_offices`` (studio id → office id) is needed for a studio standard's ``by_office``;
    without it, or for other standards, ``by_office`` is empty.
    """
    counts = Counter(a.status for a in results)
    counted = len(results) - counts[Status.NOT_APPLICABLE]
    by_office: list[OfficeShare] = []
    if subject_kind is SubjectKind.STUDIO and studio_offices is not None:
        per_office: dict[int | None, list[Assessment]] = defaultdict(list)
        for result in results:
            per_office[studio_offices.get(result.subject.id)].append(result)
        by_office = [
            OfficeShare(office, len(items), sum(1 for a in items if a.status is Status.MET))
            for office, items in sorted(
                per_office.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
            )
        ]
    standard = rules.standards.get(code)
    return StandardSummary(
        standard=code,
        title=standard.title if standard else code,
        subject_kind=subject_kind,
        total=len(results),
        met=counts[Status.MET],
        not_met=counts[Status.NOT_MET],
        in_progress=counts[Status.IN_PROGRESS],
        not_applicable=counts[Status.NOT_APPLICABLE],
        error=counts[Status.ERROR],
        met_share=round(counts[Status.MET] / counted, 4) if counted else None,
        by_office=by_office,
    )

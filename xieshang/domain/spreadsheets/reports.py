"""Reports and exports: assessment results and a year's statistics as sheets, and the one
export function the CLI and ``GET /exports/…`` share (rosters included)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.domain.assessments import assess
from xieshang.domain.spreadsheets.cells import short_label
from xieshang.domain.spreadsheets.rosters import KINDS, roster_rows
from xieshang.domain.statistics import county_statistics
from xieshang.engine.registry import RulePlugins
from xieshang.engine.run import rank
from xieshang.errors import UserError, ValidationFailed, XieshangError
from xieshang.rules.periods import parse_period


async def county_by_code(session: AsyncSession, code: str) -> m.County:
    """The county with administrative code ``code``; NOT_FOUND otherwise."""
    county = await session.scalar(sa.select(m.County).where(m.County.code == code))
    if county is None:
        raise ValidationFailed(
            [UserError("county", "NOT_FOUND", f"没有行政区划代码为 {code} 的县级政协")]
        )
    return county


# -- reports --------------------------------------------------------------------------------

_SUBJECT_KINDS = {
    "STUDIO": "工作室",
    "PLATFORM": "协商平台",
    "MEMBER": "委员",
    "COUNTY": "县级政协",
}
_STATUSES = {
    "MET": "达标",
    "NOT_MET": "未达标",
    "IN_PROGRESS": "进行中",
    "NOT_APPLICABLE": "不适用",
    "ERROR": "出错",
}

ASSESSMENT_HEADER = ["名次", "对象类型", "对象", "状态", "得分", "等次", "说明"]


def assessment_rows(results: Sequence[Any]) -> list[list[Any]]:
    """Rows of assessment results (:class:`xieshang.rules.results.Assessment`), as ranked."""
    return [
        [
            a.rank,
            _SUBJECT_KINDS.get(str(a.subject.kind), str(a.subject.kind)),
            a.subject.name,
            _STATUSES.get(str(a.status), str(a.status)),
            a.score,
            a.grade,
            a.error or "；".join(c.reason for c in a.criteria if c.status.value != "MET") or None,
        ]
        for a in results
    ]


STATISTICS_HEADER = ["指标", "数值"]


def statistics_rows(figures: Any) -> list[list[Any]]:
    """Rows of one year's :class:`~xieshang.domain.statistics.ConsultationStatistics`."""

    def pct(ratio: float | None) -> str | None:
        return None if ratio is None else f"{ratio * 100:.1f}%"

    rows: list[list[Any]] = [
        ["年度", figures.year],
        ["收集议题", figures.topics_collected],
        ["重点议题", figures.key_topics],
    ]
    for source in figures.topics_by_source:
        label = short_label(source.source)
        rows.append([f"收集议题：{label}", source.collected])
        rows.append([f"重点议题：{label}", source.key])
    rows += [
        ["开展协商", figures.consultations_held],
        ["协商成果", figures.outcomes],
        ["成果转化", figures.outcomes_converted],
        ["转化率", pct(figures.conversion_rate)],
        ["办理任务", figures.tasks],
        ["已办结", figures.tasks_done],
        ["未办结", figures.tasks_open],
        ["逾期", figures.tasks_overdue],
        ["按期办结", figures.tasks_done_on_time],
        ["按期办结率", pct(figures.on_time_rate)],
        ["群众评价", figures.evaluations],
    ]
    for level, count in figures.satisfaction_counts.items():
        rows.append([f"评价：{short_label(level)}", count])
    rows.append(["满意率", pct(figures.satisfaction_rate)])
    return rows


# -- one export, for the CLI and for HTTP ----------------------------------------------------

EXPORT_KINDS = ("members", "platforms", "studios", "assessments", "statistics")


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the kind, the county and the kind's own parameters."""

    kind: str
    county_code: str
    year: int | None = None
    standard: str | None = None
    period: str | None = None


async def export_table(
    session: AsyncSession,
    request: ExportRequest,
    *,
    rules: RulePlugins | None,
    today: date,
    phone: Callable[[str | None], str | None] = lambda p: p,
) -> tuple[str, list[str], list[list[Any]]]:
    """``(sheet title, header, rows)`` of an export; :class:`ValidationFailed` for bad parameters."""
    county = await county_by_code(session, request.county_code)
    if request.kind in KINDS:
        roster = KINDS[request.kind]
        return (
            roster.label + "名册",
            roster.header(),
            await roster_rows(session, roster, county.id, personal=phone),
        )
    if request.kind == "statistics":
        year = request.year if request.year is not None else today.year
        figures = await county_statistics(session, county.id, year, today)
        return f"{year}年统计", STATISTICS_HEADER, statistics_rows(figures)
    if request.kind == "assessments":
        if not request.standard or not request.period:
            raise ValidationFailed(
                [UserError("standard", "REQUIRED", "导出考核结果须指定考核标准和考核期间")]
            )
        if rules is None:
            raise ValueError("exporting assessments needs the installed rule plugins")
        if request.standard not in rules.standards and request.standard not in rules.broken:
            raise ValidationFailed(
                [UserError("standard", "NOT_FOUND", f"未安装考核标准 {request.standard}")]
            )
        try:
            period = parse_period(request.period)
        except (ValueError, XieshangError) as exc:
            raise ValidationFailed([UserError("period", "INVALID_VALUE", str(exc))]) from exc
        found = await assess(session, rules, request.standard, period, [county.id])
        if not found:
            raise ValidationFailed(
                [
                    UserError(
                        "standard",
                        "NOT_FOUND",
                        f"{request.county_code} 未启用考核标准 {request.standard}",
                    )
                ]
            )
        scored = all(a.score is not None for a in found)
        ordered = rank(found) if scored else sorted(found, key=lambda a: a.subject.id)
        return "考核结果", ASSESSMENT_HEADER, assessment_rows(ordered)
    raise ValidationFailed(
        [
            UserError(
                "kind",
                "INVALID_VALUE",
                f"未知的导出类型 {request.kind}；可用：{'、'.join(EXPORT_KINDS)}",
            )
        ]
    )

"""Assessment results in GraphQL, and the fields that show a subject's results.

Assessments are computed, not stored: a request that asks for the compliance of sixteen studios
evaluates the county once (a DataLoader keyed by standard and period batches the counties of a
response), so the statement count does not grow with the number of subjects. Evidence (the
records that counted) is resolved to real objects through loaders.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import assessments as assessments_domain
from xieshang.rules.periods import Period, PeriodError, parse_period
from xieshang.rules.results import Assessment, ItemResult, Record, SectionResult, WindowResult
from xieshang.rules.standards import RecordKind, Status, SubjectKind
from xieshang.schema.context import Context
from xieshang.schema.errors import from_xieshang_error
from xieshang.schema.loaders import field_scope
from xieshang.schema.relay import Node, lazy_node

CountyRef = lazy_node("County")

_EVIDENCE_MODELS = {
    RecordKind.OPINION_REPORT: models.OpinionReport,
    RecordKind.ACTIVITY: models.Activity,
    RecordKind.DEED: models.Deed,
    RecordKind.PROPOSAL: models.Proposal,
    RecordKind.CONSULTATION: models.Consultation,
}
_SUBJECT_MODELS = {
    SubjectKind.STUDIO: models.Studio,
    SubjectKind.PLATFORM: models.Platform,
    SubjectKind.MEMBER: models.Member,
    SubjectKind.COUNTY: models.County,
}


async def _evidence_nodes(info: Info[Context, Any], evidence: list[Record]) -> list[Node]:
    loaders, scope = info.context.loaders, field_scope(info)
    rows = [
        await loaders.one(_EVIDENCE_MODELS[r.kind], scope=(scope, r.kind)).load(r.id)
        for r in evidence
    ]
    return [row for row in rows if row is not None]


@strawberry.type(
    name="WindowResult", description="一个计数窗口的结果 window result（某月、某季度、某半年）"
)
class WindowResultType:
    label: str = strawberry.field(description="窗口 label，如 2024-03、2024-Q3")
    start: date = strawberry.field(description="开始日期 first day")
    count: int = strawberry.field(description="计入的记录数 records counted")
    minimum: int = strawberry.field(description="要求的最低数量 minimum required")
    status: Status = strawberry.field(description="状态 status")
    reason: str = strawberry.field(
        description="说明 reason，如 2024-03：社情民意信息 0 条，要求至少 1 条"
    )

    @strawberry.field(description="最后一天 last day")
    def last_day(self, root: strawberry.Parent[WindowResult]) -> date:
        return root.end - timedelta(days=1)

    @strawberry.field(description="计入的记录 evidence（社情民意信息、活动、实事…）")
    async def evidence(
        self, root: strawberry.Parent[WindowResult], info: Info[Context, Any]
    ) -> list[Node]:
        return await _evidence_nodes(info, root.evidence)


@strawberry.type(name="ItemResult", description="清单中的一项的结果 checklist item result")
class ItemResultType:
    code: str = strawberry.field(description="代码 code")
    title: str = strawberry.field(description="名称 title，如 有场所")
    status: Status = strawberry.field(description="状态 status")
    attested_on: date | None = strawberry.field(description="核实日期 date attested")
    count: int | None = strawberry.field(description="由记录判定时的记录数 records counted")
    reason: str = strawberry.field(description="说明 reason")

    @strawberry.field(description="计入的记录 evidence")
    async def evidence(
        self, root: strawberry.Parent[ItemResult], info: Info[Context, Any]
    ) -> list[Node]:
        return await _evidence_nodes(info, root.evidence)


@strawberry.type(name="SectionResult", description="积分方案中一部分的得分 section score")
class SectionResultType:
    code: str = strawberry.field(description="代码 code")
    title: str = strawberry.field(description="名称 title，如 提案")
    points: float = strawberry.field(description="得分（封顶后） points after the cap")
    raw_points: float = strawberry.field(description="封顶前得分 points before the cap")
    cap: float | None = strawberry.field(description="封顶分 cap")

    @strawberry.field(description="计分的记录 evidence")
    async def evidence(
        self, root: strawberry.Parent[SectionResult], info: Info[Context, Any]
    ) -> list[Node]:
        return await _evidence_nodes(info, root.evidence)


@strawberry.type(name="CriterionResult", description="一条要求的结果 criterion result")
class CriterionResultType:
    code: str = strawberry.field(description="代码 code")
    title: str = strawberry.field(description="名称 title")
    kind: str = strawberry.field(description="类型 kind")
    status: Status = strawberry.field(description="状态 status")
    reason: str = strawberry.field(description="说明 reason（列出未达到的窗口或缺少的项）")
    score: float | None = strawberry.field(description="得分 score（积分方案；达标率方案为百分比）")
    grade: str | None = strawberry.field(description="等次 grade，如 优秀")
    windows: list[WindowResultType] = strawberry.field(description="各窗口 windows（定期数量要求）")
    items: list[ItemResultType] = strawberry.field(description="各项 items（清单）")
    sections: list[SectionResultType] = strawberry.field(
        description="各部分得分 sections（积分方案）"
    )


@strawberry.type(
    name="Assessment",
    description="考核结果 Assessment：一个对象在一个期间按一项标准的考核结果（实时计算）",
)
class AssessmentType:
    standard: str = strawberry.field(description="考核标准代码 standard code")
    standard_title: str = strawberry.field(description="考核标准名称 standard title")
    version: str = strawberry.field(description="考核标准版本 version")
    plugin: str = strawberry.field(description="提供标准的插件 plugin")
    period: str = strawberry.field(description="考核期间 period，如 2024、2024-Q3")
    status: Status = strawberry.field(description="状态 status")
    score: float | None = strawberry.field(description="得分 score（积分方案）")
    grade: str | None = strawberry.field(description="等次 grade（积分方案）")
    rank: int | None = strawberry.field(description="名次 rank（仅排名列表中）")
    error: str | None = strawberry.field(
        description="无法评估的原因 why it could not be evaluated（ERROR 时）"
    )
    criteria: list[CriterionResultType] = strawberry.field(description="各条要求的结果 criteria")

    @strawberry.field(description="考核对象类型 subject kind")
    def subject_kind(self, root: strawberry.Parent[Assessment]) -> SubjectKind:
        return root.subject.kind

    @strawberry.field(description="考核对象名称 subject name")
    def subject_name(self, root: strawberry.Parent[Assessment]) -> str:
        return root.subject.name

    @strawberry.field(description="考核对象 subject（工作室、平台、委员或县级政协）")
    async def subject(
        self, root: strawberry.Parent[Assessment], info: Info[Context, Any]
    ) -> Node | None:
        model = _SUBJECT_MODELS[root.subject.kind]
        return await info.context.loaders.one(model, scope=field_scope(info)).load(root.subject.id)

    @strawberry.field(description="所属县级政协 county")
    async def county(
        self, root: strawberry.Parent[Assessment], info: Info[Context, Any]
    ) -> CountyRef:  # type: ignore[valid-type]
        return await info.context.loaders.one(models.County, scope=field_scope(info)).load(
            root.subject.county_id
        )


# -- evaluation through loaders ------------------------------------------------------------------


def period_argument(label: str) -> Period:
    """A ``period`` argument as a Period; an INVALID_PERIOD query error when malformed."""
    try:
        return parse_period(label)
    except PeriodError as exc:
        raise from_xieshang_error(exc) from exc


def assessment_loader(
    info: Info[Context, Any], code: str, period: Period
) -> DataLoader[int, list[Assessment]]:
    """County id → every assessment of standard ``code`` in that county; one evaluation per batch."""
    context = info.context

    async def load(county_ids: list[int]) -> list[list[Assessment]]:
        async with context.sessions() as session:
            results = await assessments_domain.assess(
                session, context.rule_plugins, code, period, county_ids
            )
        grouped: dict[int, list[Assessment]] = defaultdict(list)
        for result in results:
            grouped[result.subject.county_id].append(result)
        return [grouped.get(cid, []) for cid in county_ids]

    return context.loaders.get(("assessments", code, period.label), lambda: DataLoader(load))


async def active_standard_rows(
    info: Info[Context, Any], county_id: int
) -> list[models.CountyStandard]:
    """The county's switched-on standards, in its order (one loader for every field asking)."""
    rows: list[models.CountyStandard] = await info.context.loaders.many(
        models.CountyStandard, "county_id", order_by=("position",), scope="active-standards"
    ).load(county_id)
    return rows


async def subject_assessments(
    info: Info[Context, Any],
    kind: SubjectKind,
    county_id: int,
    subject_id: int,
    period_label: str,
    only: str | None = None,
) -> list[Assessment]:
    """The assessments of one subject by every standard of its kind its county uses."""
    period = period_argument(period_label)
    codes = [
        r.standard_code
        for r in await active_standard_rows(info, county_id)
        if r.subject_kind == kind.value
    ]
    if only is not None:
        codes = [c for c in codes if c == only]
    found = []
    for code in codes:
        for assessment in await assessment_loader(info, code, period).load(county_id):
            if assessment.subject.id == subject_id:
                found.append(assessment)
    return found


PeriodArgument = Annotated[
    str, strawberry.argument(description="考核期间 period：2024、2024-H1、2024-Q3 或 2024-07")
]


def compliance_field(kind: SubjectKind, description: str) -> Any:
    """``compliance(period:)`` for studios and platforms."""

    async def resolve(
        root: Any, info: Info[Context, Any], period: PeriodArgument
    ) -> list[AssessmentType]:
        return await subject_assessments(info, kind, root.county_id, root.id, period)  # type: ignore[return-value]

    return strawberry.field(resolver=resolve, description=description)


async def member_duty(
    root: Any, info: Info[Context, Any], period: str, standard: str | None
) -> Assessment | None:
    """``Member.dutyAssessment``: the first of the county's member standards (or ``standard``)."""
    found = await subject_assessments(
        info, SubjectKind.MEMBER, root.county_id, root.id, period, standard
    )
    return found[0] if found else None

"""Standards, assessments and rankings in GraphQL.

Assessments are computed, not stored: a request that asks for the compliance of sixteen studios
evaluates the county once (a DataLoader keyed by standard and period batches the counties of a
response), so the statement count does not grow with the number of subjects.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Annotated, Any, NewType

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import assessments as assessments_domain
from xieshang.domain import county_standards
from xieshang.domain.ids import from_global_id
from xieshang.domain.unit_of_work import Work
from xieshang.engine import run as engine_run
from xieshang.rules.periods import Period, PeriodError, parse_period
from xieshang.rules.results import (
    Assessment,
    ItemResult,
    Record,
    SectionResult,
    WindowResult,
)
from xieshang.rules.standards import (
    Checklist,
    CustomCriterion,
    PeriodicQuota,
    PointsScheme,
    RecordKind,
    ShareMet,
    Standard,
    Status,
    SubjectKind,
)
from xieshang.schema.context import Context
from xieshang.schema.errors import from_xieshang_error, query_error
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import InputField, mutation_field
from xieshang.schema.relay import Node, lazy_node

#: Any JSON value (overrides of a standard's numbers, a criterion's parameters).
JSONValue = NewType("JSONValue", object)

JSON_SCALAR = strawberry.scalar(
    name="JSON",
    description="任意 JSON 值 JSON value：如考核标准的参数、各县对参数的覆盖",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

strawberry.enum(Status, name="AssessmentStatus", description="考核结果状态 assessment status")
strawberry.enum(SubjectKind, description="考核对象类型 subject kind")
strawberry.enum(RecordKind, description="考核所计的记录类型 record kind")
for _enum, _labels in (
    (
        Status,
        {
            "MET": "达标 met",
            "NOT_MET": "未达标 not met",
            "IN_PROGRESS": "进行中（期间未结束，不判未达标） in progress",
            "NOT_APPLICABLE": "不适用（如尚未成立） not applicable",
            "ERROR": "无法评估（插件缺失或出错，见 error） error",
        },
    ),
    (SubjectKind, {k.value: f"{k.label_zh} {k.value.lower()}" for k in SubjectKind}),
    (
        RecordKind,
        {k.value: f"{k.label_zh} {k.value.lower().replace('_', ' ')}" for k in RecordKind},
    ),
):
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[union-attr]
        _value.description = _labels[_value.value]

CountyRef = lazy_node("County")
OfficeRef = lazy_node("Office")

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


# -- standards ---------------------------------------------------------------------------------


def _kind(criterion: Any) -> str:
    return {
        PeriodicQuota: "PERIODIC_QUOTA",
        Checklist: "CHECKLIST",
        PointsScheme: "POINTS_SCHEME",
        ShareMet: "SHARE_MET",
        CustomCriterion: "CUSTOM",
    }[type(criterion)]


def _parameters(criterion: Any) -> Any:
    if isinstance(criterion, CustomCriterion):
        return {}
    data = dataclasses.asdict(criterion)
    for key in ("code", "title", "description"):
        data.pop(key, None)
    return json.loads(json.dumps(data, default=str))


@strawberry.type(description="考核标准中的一条要求 criterion of a standard")
class StandardCriterion:
    code: str = strawberry.field(description="代码 code，如 monthly-report")
    title: str = strawberry.field(description="名称 title")
    description: str = strawberry.field(description="说明 description")
    kind: str = strawberry.field(
        description="类型 kind：PERIODIC_QUOTA、CHECKLIST、POINTS_SCHEME、SHARE_MET、CUSTOM"
    )
    parameters: JSONValue = strawberry.field(
        description="全部参数 parameters（周期、最低数量、分值、封顶、等次…），各县可覆盖其中的数字"
    )


@strawberry.type(description="考核标准 Standard：由规则插件提供，各县选择启用")
class StandardType:
    code: str = strawberry.field(description="代码 code（带命名空间），如 pengan.three-ones")
    title: str = strawberry.field(description="名称 title")
    description: str = strawberry.field(description="说明 description")
    subject_kind: SubjectKind = strawberry.field(description="考核对象 subject kind")
    version: str = strawberry.field(description="版本 version")
    plugin: str = strawberry.field(description="提供它的插件 providing plugin")
    distribution: str = strawberry.field(description="插件所在的安装包 distribution")
    criteria: list[StandardCriterion] = strawberry.field(description="要求 criteria")

    @classmethod
    def of(cls, standard: Standard) -> StandardType:
        return cls(
            code=standard.code,
            title=standard.title,
            description=standard.description,
            subject_kind=standard.subject,
            version=standard.version,
            plugin=standard.plugin,
            distribution=standard.distribution,
            criteria=[
                StandardCriterion(
                    code=c.code,
                    title=c.title,
                    description=getattr(c, "description", ""),
                    kind=_kind(c),
                    parameters=JSONValue(_parameters(c)),
                )
                for c in standard.criteria
            ],
        )


StandardType.__strawberry_definition__.name = "Standard"  # type: ignore[attr-defined]


@strawberry.type(description="已安装的规则插件 installed rule plugin")
class RulePlugin:
    name: str = strawberry.field(description="插件名（入口点名） plugin name")
    distribution: str = strawberry.field(description="安装包 distribution")
    version: str = strawberry.field(description="安装包版本 version")


@strawberry.type(description="规则插件的问题 plugin problem：插件名、安装包、问题和处理办法")
class PluginProblem:
    plugin: str = strawberry.field(description="插件名 plugin")
    distribution: str = strawberry.field(description="安装包 distribution")
    message: str = strawberry.field(description="问题 problem")
    fix: str = strawberry.field(description="处理办法 how to fix")


@strawberry.type(description="活动类型 activity kind：内置类型和插件增加的类型")
class ActivityKindType:
    code: str = strawberry.field(description="代码 code，如 READING")
    label: str = strawberry.field(description="名称 label")


ActivityKindType.__strawberry_definition__.name = "ActivityKind"  # type: ignore[attr-defined]


@strawberry.type(description="县启用的考核标准 a standard a county has switched on")
class CountyStandard:
    code: str = strawberry.field(description="考核标准代码 standard code")
    position: int = strawberry.field(description="顺序 position（从 0 开始）")
    overrides: JSONValue = strawberry.field(description="本县对参数的覆盖 the county's own numbers")
    standard: StandardType | None = strawberry.field(
        description="考核标准 standard（插件已卸载时为空，此时该标准的考核结果为 ERROR）"
    )


# -- results -----------------------------------------------------------------------------------


@strawberry.type(description="一个计数窗口的结果 window result（某月、某季度、某半年）")
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


@strawberry.type(description="清单中的一项的结果 checklist item result")
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


@strawberry.type(description="积分方案中一部分的得分 section score")
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


@strawberry.type(description="一条要求的结果 criterion result")
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
    description="考核结果 Assessment：一个对象在一个期间按一项标准的考核结果（实时计算）"
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


AssessmentType.__strawberry_definition__.name = "Assessment"  # type: ignore[attr-defined]
for _type, _name in (
    (WindowResultType, "WindowResult"),
    (ItemResultType, "ItemResult"),
    (SectionResultType, "SectionResult"),
    (CriterionResultType, "CriterionResult"),
):
    _type.__strawberry_definition__.name = _name  # type: ignore[union-attr]


@strawberry.type(description="委室的工作室达标情况 an office's studios meeting a standard")
class OfficeShare:
    office_id: strawberry.Private[int | None]
    total: int = strawberry.field(description="工作室数 studios")
    met: int = strawberry.field(description="达标数 meeting the standard")

    @strawberry.field(description="委室 office（未指定联系委室的为空）")
    async def office(self, info: Info[Context, Any]) -> OfficeRef | None:  # type: ignore[valid-type]
        if self.office_id is None:
            return None
        return await info.context.loaders.one(models.Office, scope=field_scope(info)).load(
            self.office_id
        )


@strawberry.type(description="一项标准在全县的汇总 summary of one standard in a county")
class StandardSummary:
    standard: str = strawberry.field(description="考核标准代码 standard code")
    title: str = strawberry.field(description="考核标准名称 title")
    subject_kind: SubjectKind = strawberry.field(description="考核对象 subject kind")
    total: int = strawberry.field(description="对象总数 subjects")
    met: int = strawberry.field(description="达标 met")
    not_met: int = strawberry.field(description="未达标 not met")
    in_progress: int = strawberry.field(description="进行中 in progress")
    not_applicable: int = strawberry.field(description="不适用 not applicable")
    error: int = strawberry.field(description="无法评估 error")
    met_share: float | None = strawberry.field(
        description="达标率 share met（达标 ÷ 可考核的对象，不适用的不计；无对象时为空）"
    )
    by_office: list[OfficeShare] = strawberry.field(
        description="按联系委室汇总 by office（仅工作室标准，供委室考核）"
    )


# -- evaluation through loaders ------------------------------------------------------------------


def _period(label: str) -> Period:
    try:
        return parse_period(label)
    except PeriodError as exc:
        raise from_xieshang_error(exc) from exc


def _assessment_loader(
    info: Info[Context, Any], code: str, period: Period
) -> DataLoader[int, list[Assessment]]:
    """County id → every assessment of standard ``code`` in that county; one evaluation per batch."""
    context = info.context

    async def load(county_ids: list[int]) -> list[list[Assessment]]:
        async with context.sessions() as session:
            results = await assessments_domain.assess(
                session, context.rules, code, period, county_ids
            )
        grouped: dict[int, list[Assessment]] = defaultdict(list)
        for result in results:
            grouped[result.subject.county_id].append(result)
        return [grouped.get(cid, []) for cid in county_ids]

    return context.loaders.get(("assessments", code, period.label), lambda: DataLoader(load))


async def _active_codes(
    info: Info[Context, Any], county_id: int, kind: SubjectKind | None = None
) -> list[str]:
    rows = await info.context.loaders.many(
        models.CountyStandard, "county_id", order_by=("position",), scope="active-standards"
    ).load(county_id)
    return [r.standard_code for r in rows if kind is None or r.subject_kind == kind.value]


async def subject_assessments(
    info: Info[Context, Any],
    kind: SubjectKind,
    county_id: int,
    subject_id: int,
    period_label: str,
    only: str | None = None,
) -> list[Assessment]:
    """The assessments of one subject by every standard of its kind its county uses."""
    period = _period(period_label)
    codes = await _active_codes(info, county_id, kind)
    if only is not None:
        codes = [c for c in codes if c == only]
    found = []
    for code in codes:
        for assessment in await _assessment_loader(info, code, period).load(county_id):
            if assessment.subject.id == subject_id:
                found.append(assessment)
    return found


_PERIOD = Annotated[
    str, strawberry.argument(description="考核期间 period：2024、2024-H1、2024-Q3 或 2024-07")
]


def compliance_field(kind: SubjectKind, description: str) -> Any:
    """``compliance(period:)`` for studios and platforms."""

    async def resolve(root: Any, info: Info[Context, Any], period: _PERIOD) -> list[AssessmentType]:
        return await subject_assessments(info, kind, root.county_id, root.id, period)  # type: ignore[return-value]

    return strawberry.field(resolver=resolve, description=description)


async def member_duty(
    root: Any, info: Info[Context, Any], period: str, standard: str | None
) -> Assessment | None:
    found = await subject_assessments(
        info, SubjectKind.MEMBER, root.county_id, root.id, period, standard
    )
    return found[0] if found else None


async def county_standard_list(info: Info[Context, Any], county_id: int) -> list[CountyStandard]:
    rows = await info.context.loaders.many(
        models.CountyStandard, "county_id", order_by=("position",), scope="active-standards"
    ).load(county_id)
    rules = info.context.rules
    return [
        CountyStandard(
            code=r.standard_code,
            position=r.position,
            overrides=JSONValue(r.overrides or {}),
            standard=StandardType.of(rules.standards[r.standard_code])
            if r.standard_code in rules.standards
            else None,
        )
        for r in rows
    ]


async def county_summary(
    info: Info[Context, Any], county_id: int, period_label: str
) -> list[StandardSummary]:
    period = _period(period_label)
    rules = info.context.rules
    summaries = []
    rows = await info.context.loaders.many(
        models.CountyStandard, "county_id", order_by=("position",), scope="active-standards"
    ).load(county_id)
    studio_offices: dict[int, int | None] = {}
    for row in rows:
        results = await _assessment_loader(info, row.standard_code, period).load(county_id)
        counts = Counter(a.status for a in results)
        counted = len(results) - counts[Status.NOT_APPLICABLE]
        by_office: list[OfficeShare] = []
        if row.subject_kind == SubjectKind.STUDIO.value and results:
            if not studio_offices:
                studios = await info.context.loaders.many(
                    models.Studio, "county_id", scope="summary-studios"
                ).load(county_id)
                studio_offices = {s.id: s.office_id for s in studios}
            per_office: dict[int | None, list[Assessment]] = defaultdict(list)
            for result in results:
                per_office[studio_offices.get(result.subject.id)].append(result)
            by_office = [
                OfficeShare(
                    office_id=office,
                    total=len(items),
                    met=sum(1 for a in items if a.status is Status.MET),
                )
                for office, items in sorted(
                    per_office.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
                )
            ]
        standard = rules.standards.get(row.standard_code)
        summaries.append(
            StandardSummary(
                standard=row.standard_code,
                title=standard.title if standard else row.standard_code,
                subject_kind=SubjectKind(row.subject_kind),
                total=len(results),
                met=counts[Status.MET],
                not_met=counts[Status.NOT_MET],
                in_progress=counts[Status.IN_PROGRESS],
                not_applicable=counts[Status.NOT_APPLICABLE],
                error=counts[Status.ERROR],
                met_share=round(counts[Status.MET] / counted, 4) if counted else None,
                by_office=by_office,
            )
        )
    return summaries


# -- root fields -------------------------------------------------------------------------------


@strawberry.input(description="考核结果筛选 assessment filter")
class AssessmentFilter:
    standard: str = strawberry.field(description="考核标准代码 standard code，如 pengan.three-ones")
    period: str = strawberry.field(description="考核期间 period：2024、2024-H1、2024-Q3 或 2024-07")
    county_id: strawberry.ID | None = strawberry.field(
        default=None, description="只看此县 county（默认：所有启用该标准的县）"
    )
    status: Status | None = strawberry.field(default=None, description="状态 status")


@strawberry.type(description="考核结果的一条边 assessment edge")
class AssessmentEdge:
    cursor: str = strawberry.field(description="游标 cursor")
    node: AssessmentType = strawberry.field(description="考核结果 assessment")


@strawberry.type(description="考核结果分页列表 assessment connection（按县、对象排序）")
class AssessmentConnection:
    edges: list[AssessmentEdge] = strawberry.field(description="本页的边 edges")
    total_count: int = strawberry.field(description="总数 total count")
    has_next_page: bool = strawberry.field(description="是否还有下一页 whether a next page exists")
    end_cursor: str | None = strawberry.field(description="本页最后一条的游标 end cursor")


def _cursor(assessment: Assessment) -> str:
    raw = f"assessment:{assessment.subject.county_id}:{assessment.subject.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        tag, county, subject = raw.split(":")
        if tag != "assessment":
            raise ValueError(raw)
        return int(county), int(subject)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise query_error("INVALID_CURSOR", f"游标无效：{cursor[:40]!r}") from exc


def _county_pk(county_id: str | None) -> int | None:
    if county_id is None:
        return None
    try:
        return from_global_id(county_id, expect="County", field="countyId")[1]
    except Exception as exc:
        raise query_error("INVALID_ID", f"ID 无效：{county_id[:40]!r} 不是县级政协的 ID") from exc


def _counties(info: Info[Context, Any], county: int | None) -> list[int] | None:
    """The counties to assess: the one asked for, if the viewer may read it, else all it may."""
    readable = info.context.viewer.readable_counties()
    if county is not None:
        return [county] if readable is None or county in readable else []
    return None if readable is None else sorted(readable)


def _known(info: Info[Context, Any], code: str) -> None:
    rules = info.context.rules
    if code not in rules.standards and code not in rules.broken:
        raise query_error(
            "UNKNOWN_STANDARD",
            f"未安装考核标准 {code!r}；已安装：{'、'.join(sorted(rules.standards))}",
        )


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="已安装的考核标准 installed standards")
    def standards(self, info: Info[Context, Any]) -> list[StandardType]:
        return [StandardType.of(s) for s in info.context.rules.standards.values()]

    @strawberry.field(description="已安装的规则插件 installed rule plugins")
    def rule_plugins(self, info: Info[Context, Any]) -> list[RulePlugin]:
        return [
            RulePlugin(name=p.name, distribution=p.distribution, version=p.version)
            for p in info.context.rules.plugins.values()
        ]

    @strawberry.field(
        description="规则插件的问题 problems of the installed plugins（空表示一切正常）"
    )
    def rule_problems(self, info: Info[Context, Any]) -> list[PluginProblem]:
        return [
            PluginProblem(
                plugin=p.plugin, distribution=p.distribution, message=p.message, fix=p.fix
            )
            for p in info.context.rules.problems
        ]

    @strawberry.field(description="可用的活动类型 activity kinds（内置和插件增加的）")
    def activity_kinds(self, info: Info[Context, Any]) -> list[ActivityKindType]:
        return [
            ActivityKindType(code=c, label=label)
            for c, label in info.context.rules.activity_kinds.items()
        ]

    @strawberry.field(description="考核结果 assessments（实时计算；按县、对象排序）")
    async def assessments(
        self,
        info: Info[Context, Any],
        filter: Annotated[
            AssessmentFilter, strawberry.argument(description="筛选条件 filter（标准和期间必填）")
        ],
        first: Annotated[
            int, strawberry.argument(description="条数，最大 100 number of edges")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="从此游标之后 after this cursor")
        ] = None,
    ) -> AssessmentConnection:
        if not 0 <= first <= info.context.settings.max_page_size:
            raise query_error(
                "PAGE_SIZE_EXCEEDED",
                f"first 应在 0 到 {info.context.settings.max_page_size} 之间（收到 {first}）",
            )
        _known(info, filter.standard)
        period = _period(filter.period)
        counties = _counties(info, _county_pk(filter.county_id))
        async with info.context.sessions() as session:
            results = await assessments_domain.assess(
                session, info.context.rules, filter.standard, period, counties
            )
        if filter.status is not None:
            results = [a for a in results if a.status is filter.status]
        results.sort(key=lambda a: (a.subject.county_id, a.subject.id))
        start = 0
        if after is not None:
            key = _after(after)
            start = next(
                (i for i, a in enumerate(results) if (a.subject.county_id, a.subject.id) > key),
                len(results),
            )
        page = results[start : start + first]
        edges = [AssessmentEdge(cursor=_cursor(a), node=a) for a in page]  # type: ignore[arg-type]
        return AssessmentConnection(
            edges=edges,
            total_count=len(results),
            has_next_page=start + first < len(results),
            end_cursor=edges[-1].cursor if edges else None,
        )

    @strawberry.field(description="排名 ranking（评先评优）：按得分从高到低")
    async def ranking(
        self,
        info: Info[Context, Any],
        standard: Annotated[
            str,
            strawberry.argument(
                description="积分类考核标准代码 standard code，如 pengan.member-duty"
            ),
        ],
        period: _PERIOD,
        county_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="只看此县 county")
        ] = None,
        first: Annotated[int, strawberry.argument(description="前多少名，最大 100 top N")] = 20,
    ) -> list[AssessmentType]:
        if not 0 <= first <= info.context.settings.max_page_size:
            raise query_error(
                "PAGE_SIZE_EXCEEDED",
                f"first 应在 0 到 {info.context.settings.max_page_size} 之间（收到 {first}）",
            )
        _known(info, standard)
        counties = _counties(info, _county_pk(county_id))
        async with info.context.sessions() as session:
            results = await assessments_domain.assess(
                session, info.context.rules, standard, _period(period), counties
            )
        return engine_run.rank([a for a in results if a.score is not None])[:first]  # type: ignore[return-value]


# -- mutations -------------------------------------------------------------------------------------


@strawberry.input(description="县启用的一项考核标准 one standard of a county's list")
class CountyStandardInput:
    code: str = strawberry.field(description="考核标准代码 standard code")
    overrides: JSONValue | None = strawberry.field(
        default=None, description='本县参数覆盖 overrides，如 {"monthly-report.minimum": 2}'
    )


async def _set(work: Work, values: dict[str, Any]) -> Any:
    entries = [(entry.code, entry.overrides or {}) for entry in values["standards"]]
    return await county_standards.replace(work, values["county_id"], entries)


async def _enable(work: Work, values: dict[str, Any]) -> Any:
    return await county_standards.switch_on(
        work, values["county_id"], values["code"], values.get("overrides")
    )


async def _disable(work: Work, values: dict[str, Any]) -> Any:
    return await county_standards.switch_off(work, values["county_id"], values["code"])


_COUNTY = {"county_id": InputField(strawberry.ID, "县级政协 county")}


@strawberry.type
class AssessmentMutation:
    set_county_standards = mutation_field(
        "SetCountyStandards",
        fields={
            **_COUNTY,
            "standards": InputField(
                list[CountyStandardInput],
                "按顺序列出本县启用的考核标准 the county's standards, in order",
            ),
        },
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_set,
        description="设置本县启用的考核标准 set the county's standards（整体替换）",
        input_description="设置考核标准的输入 input of setCountyStandards",
    )
    enable_county_standard = mutation_field(
        "EnableCountyStandard",
        fields={
            **_COUNTY,
            "code": InputField(str, "考核标准代码 standard code"),
            "overrides": InputField(JSONValue | None, "本县参数覆盖 overrides"),
        },
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_enable,
        description="启用一项考核标准（已启用则更新参数覆盖） enable a standard for a county",
        input_description="启用考核标准的输入 input of enableCountyStandard",
    )
    disable_county_standard = mutation_field(
        "DisableCountyStandard",
        fields={**_COUNTY, "code": InputField(str, "考核标准代码 standard code")},
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_disable,
        description="停用一项考核标准 disable a standard for a county",
        input_description="停用考核标准的输入 input of disableCountyStandard",
    )

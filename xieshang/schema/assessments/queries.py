"""Root fields of assessments: installed standards, plugins and their problems, activity kinds,
``assessments`` (a connection) and ``ranking``.

``assessments`` is the shared connection (:class:`~xieshang.schema.relay.Connection`: ``edges``,
``pageInfo``, ``totalCount``) with the shared page-size checks; its rows are computed, not
stored, so it pages the sorted results in memory, with cursors of (county, subject).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.domain import assessments as assessments_domain
from xieshang.domain.ids import from_global_id
from xieshang.engine import run as engine_run
from xieshang.rules.results import Assessment
from xieshang.rules.standards import Status
from xieshang.schema.assessments.results import AssessmentType, PeriodArgument, period_argument
from xieshang.schema.assessments.standards import (
    ActivityKindType,
    PluginProblem,
    RulePlugin,
    StandardType,
)
from xieshang.schema.context import Context
from xieshang.schema.errors import query_error
from xieshang.schema.pagination import page_size
from xieshang.schema.relay import Connection, Edge, PageInfo


@strawberry.input(description="考核结果筛选 assessment filter")
class AssessmentFilter:
    standard: str = strawberry.field(description="考核标准代码 standard code，如 pengan.three-ones")
    period: str = strawberry.field(description="考核期间 period：2024、2024-H1、2024-Q3 或 2024-07")
    county_id: strawberry.ID | None = strawberry.field(
        default=None, description="只看此县 county（默认：所有启用该标准的县）"
    )
    status: Status | None = strawberry.field(default=None, description="状态 status")


def assessment_cursor(assessment: Assessment) -> str:
    """The opaque cursor of an assessment: base64url of ``assessment:<county>:<subject>``."""
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


@strawberry.type(name="AssessmentEdge", description="考核结果的一条边 assessment edge")
class AssessmentEdge(Edge[AssessmentType]):
    node: AssessmentType = strawberry.field(description="考核结果 assessment")

    @strawberry.field(description="游标 cursor")
    def cursor(self) -> str:
        # The node is an Assessment at run time (resolvers return the engine's results).
        return assessment_cursor(self.node)  # type: ignore[arg-type]


@strawberry.type(
    name="AssessmentConnection",
    description="考核结果分页列表 assessment connection（按县、对象排序）",
)
class AssessmentConnection(Connection[AssessmentType]):
    edges: list[AssessmentEdge] = strawberry.field(description="本页的边 edges")  # type: ignore[assignment]

    @strawberry.field(description="总数 total count")
    async def total_count(self) -> int:
        return await self.count_total()

    # Kept from before pageInfo, for the clients that read them here.
    @strawberry.field(description="是否还有下一页 whether a next page exists")
    def has_next_page(self) -> bool:
        return self.page_info.has_next_page

    @strawberry.field(description="本页最后一条的游标 end cursor")
    def end_cursor(self) -> str | None:
        return self.page_info.end_cursor


def _connection(results: list[Assessment], first: int, after: str | None) -> AssessmentConnection:
    """One page of ``results`` (sorted by county, subject) after the cursor ``after``."""
    start = 0
    if after is not None:
        key = _after(after)
        start = next(
            (i for i, a in enumerate(results) if (a.subject.county_id, a.subject.id) > key),
            len(results),
        )
    page = results[start : start + first]
    edges = [AssessmentEdge(node=a, ordering=None) for a in page]  # type: ignore[arg-type]
    total = len(results)

    async def count_total() -> int:
        return total

    return AssessmentConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < total,
            has_previous_page=start > 0,
            start_cursor=assessment_cursor(page[0]) if page else None,
            end_cursor=assessment_cursor(page[-1]) if page else None,
        ),
        count_total=count_total,
    )


def _county_pk(county_id: str | None) -> int | None:
    if county_id is None:
        return None
    try:
        return from_global_id(county_id, expect="County", field="countyId")[1]
    except Exception as exc:
        raise query_error("INVALID_ID", f"ID 无效：{county_id[:40]!r} 不是县级政协的 ID") from exc


def _counties(info: Info[Context, Any], county: int | None) -> list[int] | None:
    """The counties to assess: the one asked for, if the viewer may read it, else all it may."""
    viewer = info.context.viewer
    if county is not None:
        return [county] if viewer.reads_county(county) else []
    readable = viewer.readable_counties()
    return None if readable is None else sorted(readable)


def _known(info: Info[Context, Any], code: str) -> None:
    rules = info.context.rule_plugins
    if code not in rules.standards and code not in rules.broken:
        raise query_error(
            "UNKNOWN_STANDARD",
            f"未安装考核标准 {code!r}；已安装：{'、'.join(sorted(rules.standards))}",
        )


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="已安装的考核标准 installed standards")
    def standards(self, info: Info[Context, Any]) -> list[StandardType]:
        return [StandardType.of(s) for s in info.context.rule_plugins.standards.values()]

    @strawberry.field(description="已安装的规则插件 installed rule plugins")
    def rule_plugins(self, info: Info[Context, Any]) -> list[RulePlugin]:
        return [
            RulePlugin(name=p.name, distribution=p.distribution, version=p.version)
            for p in info.context.rule_plugins.plugins.values()
        ]

    @strawberry.field(
        description="规则插件的问题 problems of the installed plugins（空表示一切正常）"
    )
    def rule_problems(self, info: Info[Context, Any]) -> list[PluginProblem]:
        return [
            PluginProblem(
                plugin=p.plugin, distribution=p.distribution, message=p.message, fix=p.fix
            )
            for p in info.context.rule_plugins.problems
        ]

    @strawberry.field(description="可用的活动类型 activity kinds（内置和插件增加的）")
    def activity_kinds(self, info: Info[Context, Any]) -> list[ActivityKindType]:
        return [
            ActivityKindType(code=c, label=label)
            for c, label in info.context.rule_plugins.activity_kinds.items()
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
        page_size(first, None, info.context.settings.max_page_size)
        _known(info, filter.standard)
        period = period_argument(filter.period)
        counties = _counties(info, _county_pk(filter.county_id))
        async with info.context.sessions() as session:
            results = await assessments_domain.assess(
                session, info.context.rule_plugins, filter.standard, period, counties
            )
        if filter.status is not None:
            results = [a for a in results if a.status is filter.status]
        results.sort(key=lambda a: (a.subject.county_id, a.subject.id))
        return _connection(results, first, after)

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
        period: PeriodArgument,
        county_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="只看此县 county")
        ] = None,
        first: Annotated[int, strawberry.argument(description="前多少名，最大 100 top N")] = 20,
    ) -> list[AssessmentType]:
        page_size(first, None, info.context.settings.max_page_size)
        _known(info, standard)
        counties = _counties(info, _county_pk(county_id))
        async with info.context.sessions() as session:
            results = await assessments_domain.assess(
                session, info.context.rule_plugins, standard, period_argument(period), counties
            )
        return engine_run.rank([a for a in results if a.score is not None])[:first]  # type: ignore[return-value]

"""A county's assessment summary in GraphQL (``County.assessmentSummary``).

The counting is the domain's (:func:`xieshang.domain.assessments.summarise`); this module loads
the results through the shared assessment loader and presents the summary.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import assessments as assessments_domain
from xieshang.rules.standards import SubjectKind
from xieshang.schema.assessments.results import (
    active_standard_rows,
    assessment_loader,
    period_argument,
)
from xieshang.schema.context import Context
from xieshang.schema.loaders import field_scope
from xieshang.schema.relay import lazy_node

OfficeRef = lazy_node("Office")


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

    @classmethod
    def of(cls, summary: assessments_domain.StandardSummary) -> StandardSummary:
        return cls(
            standard=summary.standard,
            title=summary.title,
            subject_kind=summary.subject_kind,
            total=summary.total,
            met=summary.met,
            not_met=summary.not_met,
            in_progress=summary.in_progress,
            not_applicable=summary.not_applicable,
            error=summary.error,
            met_share=summary.met_share,
            by_office=[
                OfficeShare(office_id=o.office_id, total=o.total, met=o.met)
                for o in summary.by_office
            ],
        )


async def county_summary(
    info: Info[Context, Any], county_id: int, period_label: str
) -> list[StandardSummary]:
    """``County.assessmentSummary``: each switched-on standard's summary, in the county's order."""
    period = period_argument(period_label)
    summaries = []
    studio_offices: dict[int, int | None] | None = None
    for row in await active_standard_rows(info, county_id):
        kind = SubjectKind(row.subject_kind)
        results = await assessment_loader(info, row.standard_code, period).load(county_id)
        if kind is SubjectKind.STUDIO and results and studio_offices is None:
            # Studios' offices, loaded once and only when a studio standard has results.
            studios = await info.context.loaders.many(
                models.Studio, "county_id", scope="summary-studios"
            ).load(county_id)
            studio_offices = {s.id: s.office_id for s in studios}
        summary = assessments_domain.summarise(
            info.context.rule_plugins, row.standard_code, kind, results, studio_offices
        )
        summaries.append(StandardSummary.of(summary))
    return summaries

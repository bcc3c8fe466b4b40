"""GraphQL type and list of model member studios (样板委员工作室)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.schema.context import Context
from xieshang.schema.lists import (
    ListSpec,
    ScopedFilter,
    SortKey,
    common_conditions,
    connection_field,
    id_condition,
)
from xieshang.schema.member import Member
from xieshang.schema.organisation import County, Office
from xieshang.schema.platform import Platform
from xieshang.schema.relay import RowType


@strawberry.type(description="领衔委员选任轮次 SelectionRound：五轮选任程序中的一轮")
class SelectionRound(RowType):
    model = models.SelectionRound
    round_no: int = strawberry.field(description="轮次 round number（从 1 开始）")
    title: str = strawberry.field(description="环节名称 title of the round")
    held_on: date | None = strawberry.field(description="举行日期 date held")
    candidates: int | None = strawberry.field(description="本轮人选数 candidates in this round")
    note: str | None = strawberry.field(description="说明 note")


@strawberry.type(
    description="样板委员工作室 Studio：一名领衔委员 lead member 加若干委员，依托协商平台开展工作"
)
class Studio(RowType):
    model = models.Studio
    county_id: strawberry.Private[int]
    lead_member_id: strawberry.Private[int]
    host_platform_id: strawberry.Private[int | None]
    office_id: strawberry.Private[int | None]
    name: str = strawberry.field(description="名称 name")
    batch_year: int = strawberry.field(description="创建批次年份 batch year，如 2022 首批试点")
    founded_on: date | None = strawberry.field(description="成立日期 date founded")
    description: str | None = strawberry.field(description="简介 description")
    version: int = strawberry.field(description="版本号 version，用于乐观锁 optimistic locking")
    created_at: datetime = strawberry.field(description="创建时间 created at")
    updated_at: datetime = strawberry.field(description="更新时间 updated at")
    archived_at: datetime | None = strawberry.field(
        description="归档时间 archived at（未归档为空）"
    )

    @strawberry.field(description="所属县级政协 county")
    async def county(self, info: Info[Context, Any]) -> County:
        row = await info.context.loaders.one(models.County).load(self.county_id)
        return County.from_row(row)

    @strawberry.field(description="领衔委员 lead member")
    async def lead_member(self, info: Info[Context, Any]) -> Member:
        row = await info.context.loaders.one(models.Member).load(self.lead_member_id)
        return Member.from_row(row)

    @strawberry.field(description="依托的协商平台 host platform")
    async def host_platform(self, info: Info[Context, Any]) -> Platform | None:
        if self.host_platform_id is None:
            return None
        row = await info.context.loaders.one(models.Platform).load(self.host_platform_id)
        return Platform.from_row(row) if row is not None else None

    @strawberry.field(description="联系委室 responsible office")
    async def office(self, info: Info[Context, Any]) -> Office | None:
        if self.office_id is None:
            return None
        row = await info.context.loaders.one(models.Office).load(self.office_id)
        return Office.from_row(row) if row is not None else None

    @strawberry.field(description="领衔委员的选任轮次 rounds that chose the lead member（按轮次）")
    async def selection_rounds(self, info: Info[Context, Any]) -> list[SelectionRound]:
        rows = await info.context.loaders.many(
            models.SelectionRound, "studio_id", order_by=("round_no",)
        ).load(self.pk)
        return [SelectionRound.from_row(r) for r in rows]


@strawberry.input(description="工作室列表筛选 studio filter")
class StudioFilter(ScopedFilter):
    batch_year: int | None = strawberry.field(default=None, description="创建批次年份 batch year")
    office_id: strawberry.ID | None = strawberry.field(default=None, description="联系委室 office")
    host_platform_id: strawberry.ID | None = strawberry.field(
        default=None, description="依托平台 host platform"
    )
    name_contains: str | None = strawberry.field(default=None, description="名称包含 name contains")


def studio_conditions(f: StudioFilter | None) -> list[Any]:
    s = models.Studio
    conditions = common_conditions(s, f)
    if f is None:
        return conditions
    if f.batch_year is not None:
        conditions.append(s.batch_year == f.batch_year)
    conditions += id_condition(s.office_id, f.office_id, "Office", "officeId")
    conditions += id_condition(s.host_platform_id, f.host_platform_id, "Platform", "hostPlatformId")
    if f.name_contains:
        conditions.append(s.name.contains(f.name_contains, autoescape=True))
    return conditions


STUDIOS = ListSpec(
    node=Studio,
    filter_input=StudioFilter,
    conditions=studio_conditions,
    sort_keys=[
        SortKey("NAME", models.Studio.name, "名称 name"),
        SortKey("BATCH_YEAR", models.Studio.batch_year, "创建批次年份 batch year"),
        SortKey("ID", models.Studio.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)


@strawberry.type
class StudioQuery:
    studios = connection_field(STUDIOS, description="样板委员工作室列表 studios（默认按录入顺序）")

"""GraphQL type and list of model member studios (样板委员工作室)."""

from __future__ import annotations

from datetime import date

import strawberry

from xieshang.db import models
from xieshang.schema.filters import ScopedFilter, contains, equals, global_id
from xieshang.schema.lists import ListSpec, SortKey, connection_field
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType


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
class Studio(RowType, Archivable):
    model = models.Studio
    county_id: strawberry.Private[int]
    lead_member_id: strawberry.Private[int]
    host_platform_id: strawberry.Private[int | None]
    office_id: strawberry.Private[int | None]
    name: str = strawberry.field(description="名称 name")
    batch_year: int = strawberry.field(description="创建批次年份 batch year，如 2022 首批试点")
    founded_on: date | None = strawberry.field(description="成立日期 date founded")
    description: str | None = strawberry.field(description="简介 description")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    lead_member = to_one(
        "Member",
        "lead_member_id",
        model=models.Member,
        description="领衔委员 lead member",
        required=True,
    )
    host_platform = to_one(
        "Platform",
        "host_platform_id",
        model=models.Platform,
        description="依托的协商平台 host platform",
    )
    office = to_one(
        "Office", "office_id", model=models.Office, description="联系委室 responsible office"
    )
    selection_rounds = to_many(
        "SelectionRound",
        "studio_id",
        model=models.SelectionRound,
        order_by=("round_no",),
        description="领衔委员的选任轮次 rounds that chose the lead member（按轮次）",
    )


@strawberry.input(description="工作室列表筛选 studio filter")
class StudioFilter(ScopedFilter):
    batch_year: int | None = strawberry.field(default=None, description="创建批次年份 batch year")
    office_id: strawberry.ID | None = strawberry.field(default=None, description="联系委室 office")
    host_platform_id: strawberry.ID | None = strawberry.field(
        default=None, description="依托平台 host platform"
    )
    name_contains: str | None = strawberry.field(default=None, description="名称包含 name contains")


STUDIO_FILTERS = {
    "batch_year": equals(models.Studio.batch_year),
    "office_id": global_id(models.Studio.office_id, "Office"),
    "host_platform_id": global_id(models.Studio.host_platform_id, "Platform"),
    "name_contains": contains(models.Studio.name),
}


STUDIOS = ListSpec(
    model=models.Studio,
    type_name="Studio",
    filter_input=StudioFilter,
    filters=STUDIO_FILTERS,
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

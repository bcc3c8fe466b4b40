"""GraphQL type and list of consultation platforms (协商平台) on three levels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import HostVenue, PlatformLevel
from xieshang.schema.context import Context
from xieshang.schema.lists import (
    ListSpec,
    ScopedFilter,
    SortKey,
    common_conditions,
    connection_field,
    id_condition,
)
from xieshang.schema.organisation import County
from xieshang.schema.relay import RowType


@strawberry.type(
    description="协商平台 Platform：县、乡镇（街道）、村（社区）三级协商阵地，构成一棵树"
)
class Platform(RowType):
    model = models.Platform
    county_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    name: str = strawberry.field(description="名称 name")
    level: PlatformLevel = strawberry.field(description="层级 level")
    area_name: str = strawberry.field(
        description="所在区域 area served（县、乡镇/街道或村/社区名）"
    )
    host_venue: HostVenue = strawberry.field(description="依托阵地类型 host venue type")
    host_venue_name: str | None = strawberry.field(description="依托阵地名称 host venue name")
    address: str | None = strawberry.field(description="地址 address")
    established_on: date | None = strawberry.field(description="建成日期 date established")
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

    @strawberry.field(description="上级平台 parent platform（县级平台为空）")
    async def parent(self, info: Info[Context, Any]) -> Platform | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.one(models.Platform).load(self.parent_id)
        return Platform.from_row(row) if row is not None else None


@strawberry.input(description="协商平台列表筛选 platform filter")
class PlatformFilter(ScopedFilter):
    level: PlatformLevel | None = strawberry.field(default=None, description="层级 level")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="上级平台 direct children of this platform"
    )
    host_venue: HostVenue | None = strawberry.field(
        default=None, description="依托阵地类型 host venue type"
    )
    name_contains: str | None = strawberry.field(default=None, description="名称包含 name contains")


def platform_conditions(f: PlatformFilter | None) -> list[Any]:
    p = models.Platform
    conditions = common_conditions(p, f)
    if f is None:
        return conditions
    if f.level is not None:
        conditions.append(p.level == f.level)
    conditions += id_condition(p.parent_id, f.parent_id, "Platform", "parentId")
    if f.host_venue is not None:
        conditions.append(p.host_venue == f.host_venue)
    if f.name_contains:
        conditions.append(p.name.contains(f.name_contains, autoescape=True))
    return conditions


PLATFORMS = ListSpec(
    node=Platform,
    filter_input=PlatformFilter,
    conditions=platform_conditions,
    sort_keys=[
        SortKey("NAME", models.Platform.name, "名称 name"),
        SortKey("ID", models.Platform.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)


@strawberry.type
class PlatformQuery:
    platforms = connection_field(PLATFORMS, description="协商平台列表 platforms（默认按录入顺序）")

"""GraphQL type and list of consultation platforms (协商平台) on three levels."""

from __future__ import annotations

from datetime import date

import strawberry

from xieshang.db import models
from xieshang.db.enums import HostVenue, PlatformLevel
from xieshang.schema.filters import ScopedFilter, contains, equals, global_id
from xieshang.schema.lists import ListSpec, SortKey, connection_field
from xieshang.schema.relations import to_one
from xieshang.schema.relay import Archivable, RowType


@strawberry.type(
    description="协商平台 Platform：县、乡镇（街道）、村（社区）三级协商阵地，构成一棵树"
)
class Platform(RowType, Archivable):
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

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    parent = to_one(
        "Platform",
        "parent_id",
        model=models.Platform,
        description="上级平台 parent platform（县级平台为空）",
    )


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


PLATFORM_FILTERS = {
    "level": equals(models.Platform.level),
    "parent_id": global_id(models.Platform.parent_id, "Platform"),
    "host_venue": equals(models.Platform.host_venue),
    "name_contains": contains(models.Platform.name),
}


PLATFORMS = ListSpec(
    model=models.Platform,
    type_name="Platform",
    filter_input=PlatformFilter,
    filters=PLATFORM_FILTERS,
    sort_keys=[
        SortKey("NAME", models.Platform.name, "名称 name"),
        SortKey("ID", models.Platform.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)


@strawberry.type
class PlatformQuery:
    platforms = connection_field(PLATFORMS, description="协商平台列表 platforms（默认按录入顺序）")

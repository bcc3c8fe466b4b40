"""GraphQL types and lists of the tenant and its structure: County, Sector, Office."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.schema.context import Context
from xieshang.schema.filters import ScopedFilter, equals
from xieshang.schema.lists import ListSpec, SortKey, connection_field
from xieshang.schema.relay import Archivable, RowType, Tracked


@strawberry.type(description="县级政协 County：一个县（区、市）的政协委员会，数据归属的租户 tenant")
class County(RowType, Tracked):
    model = models.County
    code: str = strawberry.field(description="行政区划代码 administrative code，如 蓬安县 511323")
    name: str = strawberry.field(description="名称 name，如 蓬安县")
    city: str = strawberry.field(description="所属市 city，如 南充市")
    province: str = strawberry.field(description="所属省 province，如 四川省")
    timezone: str = strawberry.field(description="时区 time zone（IANA），如 Asia/Shanghai")


@strawberry.type(description="界别 Sector：委员所代表的界别")
class Sector(RowType, Archivable):
    model = models.Sector
    county_id: strawberry.Private[int]
    name: str = strawberry.field(description="名称 name，如 农业界")
    sort_order: int = strawberry.field(description="排序号 sort order")


@strawberry.type(description="委室（专委会） Office：政协的工作委员会")
class Office(RowType, Archivable):
    model = models.Office
    county_id: strawberry.Private[int]
    name: str = strawberry.field(description="名称 name，如 提案委")
    sort_order: int = strawberry.field(description="排序号 sort order")


@strawberry.input(description="县级政协列表筛选 county filter")
class CountyFilter:
    province: str | None = strawberry.field(default=None, description="所属省 province")
    city: str | None = strawberry.field(default=None, description="所属市 city")


COUNTY_FILTERS = {
    "province": equals(models.County.province),
    "city": equals(models.County.city),
}


COUNTIES = ListSpec(
    model=models.County,
    type_name="County",
    filter_input=CountyFilter,
    filters=COUNTY_FILTERS,
    sort_keys=[
        SortKey("CODE", models.County.code, "行政区划代码 administrative code"),
        SortKey("NAME", models.County.name, "名称 name"),
    ],
    default_sort="CODE",
)

SECTORS = ListSpec(
    model=models.Sector,
    type_name="Sector",
    filter_input=ScopedFilter,
    filters={},
    sort_keys=[
        SortKey("SORT_ORDER", models.Sector.sort_order, "排序号 sort order"),
        SortKey("NAME", models.Sector.name, "名称 name"),
    ],
    default_sort="SORT_ORDER",
)

OFFICES = ListSpec(
    model=models.Office,
    type_name="Office",
    filter_input=ScopedFilter,
    filters={},
    sort_keys=[
        SortKey("SORT_ORDER", models.Office.sort_order, "排序号 sort order"),
        SortKey("NAME", models.Office.name, "名称 name"),
    ],
    default_sort="SORT_ORDER",
)


@strawberry.type
class OrganisationQuery:
    counties = connection_field(
        COUNTIES, description="县级政协列表 counties（默认按行政区划代码排序）"
    )
    sectors = connection_field(SECTORS, description="界别列表 sectors（默认按排序号）")
    offices = connection_field(OFFICES, description="委室列表 offices（默认按排序号）")

    @strawberry.field(description="按行政区划代码取县级政协 a county by its administrative code")
    async def county(
        self,
        info: Info[Context, Any],
        code: Annotated[
            str, strawberry.argument(description="行政区划代码 administrative code，6 位数字")
        ],
    ) -> County | None:
        async with info.context.sessions() as session:
            row = await session.scalar(sa.select(models.County).where(models.County.code == code))
        return County.from_row(row) if row is not None else None

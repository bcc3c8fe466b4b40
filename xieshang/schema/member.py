"""GraphQL type and list of committee members (政协委员)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import Gender, MemberStatus
from xieshang.domain.privacy import mask_phone
from xieshang.schema.context import Context
from xieshang.schema.lists import (
    ListSpec,
    ScopedFilter,
    SortKey,
    common_conditions,
    connection_field,
    id_condition,
)
from xieshang.schema.organisation import County, Office, Sector
from xieshang.schema.relay import RowType


@strawberry.type(
    description="政协委员 Member：县政协的一名委员，可能是常委 standing-committee member"
)
class Member(RowType):
    model = models.Member
    renames: ClassVar[dict[str, str]] = {"phone_number": "phone"}
    county_id: strawberry.Private[int]
    sector_id: strawberry.Private[int | None]
    office_id: strawberry.Private[int | None]
    phone_number: strawberry.Private[str | None]
    code: str | None = strawberry.field(description="委员编号 roster number（县内唯一）")
    name: str = strawberry.field(description="姓名 name")
    gender: Gender | None = strawberry.field(description="性别 gender")
    township: str | None = strawberry.field(
        description="所在乡镇（街道） township where the member lives or works"
    )
    employer: str | None = strawberry.field(description="工作单位 employer")
    position: str | None = strawberry.field(description="职务 position")
    is_standing_committee: bool = strawberry.field(description="是否常委 on the standing committee")
    term: int = strawberry.field(description="届次 term，如 11 表示第十一届")
    status: MemberStatus = strawberry.field(description="委员状态 status")
    joined_on: date | None = strawberry.field(description="任职日期 date joined")
    version: int = strawberry.field(description="版本号 version，用于乐观锁 optimistic locking")
    created_at: datetime = strawberry.field(description="创建时间 created at")
    updated_at: datetime = strawberry.field(description="更新时间 updated at")
    archived_at: datetime | None = strawberry.field(
        description="归档时间 archived at（未归档为空）"
    )

    @strawberry.field(description="联系电话 phone（已脱敏 masked，如 138****0001）")
    def phone(self) -> str | None:
        return mask_phone(self.phone_number)

    @strawberry.field(description="所属县级政协 county")
    async def county(self, info: Info[Context, Any]) -> County:
        row = await info.context.loaders.one(models.County).load(self.county_id)
        return County.from_row(row)

    @strawberry.field(description="界别 sector")
    async def sector(self, info: Info[Context, Any]) -> Sector | None:
        if self.sector_id is None:
            return None
        row = await info.context.loaders.one(models.Sector).load(self.sector_id)
        return Sector.from_row(row) if row is not None else None

    @strawberry.field(description="所属委室 office")
    async def office(self, info: Info[Context, Any]) -> Office | None:
        if self.office_id is None:
            return None
        row = await info.context.loaders.one(models.Office).load(self.office_id)
        return Office.from_row(row) if row is not None else None


@strawberry.input(description="委员列表筛选 member filter")
class MemberFilter(ScopedFilter):
    sector_id: strawberry.ID | None = strawberry.field(default=None, description="界别 sector")
    office_id: strawberry.ID | None = strawberry.field(default=None, description="委室 office")
    township: str | None = strawberry.field(default=None, description="所在乡镇（街道） township")
    name_contains: str | None = strawberry.field(default=None, description="姓名包含 name contains")
    is_standing_committee: bool | None = strawberry.field(
        default=None, description="是否常委 standing-committee members only / excluded"
    )
    status: MemberStatus | None = strawberry.field(default=None, description="委员状态 status")


def member_conditions(f: MemberFilter | None) -> list[Any]:
    m = models.Member
    conditions = common_conditions(m, f)
    if f is None:
        return conditions
    conditions += id_condition(m.sector_id, f.sector_id, "Sector", "sectorId")
    conditions += id_condition(m.office_id, f.office_id, "Office", "officeId")
    if f.township is not None:
        conditions.append(m.township == f.township)
    if f.name_contains:
        conditions.append(m.name.contains(f.name_contains, autoescape=True))
    if f.is_standing_committee is not None:
        conditions.append(m.is_standing_committee.is_(f.is_standing_committee))
    if f.status is not None:
        conditions.append(m.status == f.status)
    return conditions


MEMBERS = ListSpec(
    node=Member,
    filter_input=MemberFilter,
    conditions=member_conditions,
    sort_keys=[
        SortKey("NAME", models.Member.name, "姓名 name"),
        SortKey("CREATED_AT", models.Member.created_at, "创建时间 created at"),
        SortKey("ID", models.Member.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)


@strawberry.type
class MemberQuery:
    members = connection_field(MEMBERS, description="委员列表 members（默认按录入顺序）")

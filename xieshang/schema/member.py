"""GraphQL type and list of committee members (政协委员)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import strawberry

from xieshang.db import models
from xieshang.db.enums import Gender, MemberStatus
from xieshang.domain.privacy import mask_phone
from xieshang.schema.filters import ScopedFilter, contains, equals, global_id
from xieshang.schema.lists import ListSpec, SortKey, connection_field
from xieshang.schema.relations import to_one
from xieshang.schema.relay import Archivable, RowType


@strawberry.type(
    description="政协委员 Member：县政协的一名委员，可能是常委 standing-committee member"
)
class Member(RowType, Archivable):
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

    @strawberry.field(description="联系电话 phone（已脱敏 masked，如 138****0001）")
    def phone(self) -> str | None:
        return mask_phone(self.phone_number)

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    sector = to_one("Sector", "sector_id", model=models.Sector, description="界别 sector")
    office = to_one("Office", "office_id", model=models.Office, description="所属委室 office")


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


MEMBER_FILTERS = {
    "sector_id": global_id(models.Member.sector_id, "Sector"),
    "office_id": global_id(models.Member.office_id, "Office"),
    "township": equals(models.Member.township),
    "name_contains": contains(models.Member.name),
    "is_standing_committee": equals(models.Member.is_standing_committee),
    "status": equals(models.Member.status),
}


MEMBERS = ListSpec(
    model=models.Member,
    type_name="Member",
    filter_input=MemberFilter,
    filters=MEMBER_FILTERS,
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

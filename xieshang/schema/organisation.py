"""The tenant and its structure: County, Sector, Office, ResponsibleUnit."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import organisation, policy, supervision
from xieshang.domain.calendar import local_today
from xieshang.domain.privacy import mask_phone, shown
from xieshang.schema.assessments import (
    CountyStandard,
    StandardSummary,
    county_standard_list,
    county_summary,
)
from xieshang.schema.context import Context
from xieshang.schema.derive import described, row_type
from xieshang.schema.errors import query_error
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import crud_mutations
from xieshang.schema.relay import Archivable, RowType, Tracked, lazy_node
from xieshang.schema.specs import (
    COUNTIES,
    FOLLOW_UPS,
    MEMBERS,
    OFFICES,
    RESPONSIBLE_UNITS,
    SECTORS,
    STUDIOS,
)
from xieshang.schema.statistics import statistics_field


@row_type(
    models.County,
    description="县级政协 County：一个县（区、市）的政协委员会，数据归属的租户 tenant",
)
class County(RowType, Tracked):
    @strawberry.field(description="本县启用的考核标准 the county's standards（按顺序）")
    async def standards(
        self, root: strawberry.Parent[models.County], info: Info[Context, Any]
    ) -> list[CountyStandard]:
        return await county_standard_list(info, root.id)

    @strawberry.field(
        description="考核汇总 assessment summary：本县各项标准的达标情况（含工作室按委室汇总，供委室考核）"
    )
    async def assessment_summary(
        self,
        root: strawberry.Parent[models.County],
        info: Info[Context, Any],
        period: Annotated[str, strawberry.argument(description="考核期间 period，如 2024")],
    ) -> list[StandardSummary]:
        return await county_summary(info, root.id, period)

    statistics = statistics_field("county")


@row_type(models.Sector, description="界别 Sector：委员所代表的界别", county=False)
class Sector(RowType, Archivable):
    members = connection_field(
        MEMBERS,
        link=Link(models.Member.sector_id),
        description="本界别的委员 members of the sector",
    )


@row_type(models.Office, description="委室（专委会） Office：政协的工作委员会", county=False)
class Office(RowType, Archivable):
    members = connection_field(
        MEMBERS,
        link=Link(models.Member.office_id),
        description="本委室的委员 members of the office",
    )
    studios = connection_field(
        STUDIOS,
        link=Link(models.Studio.office_id),
        description="本委室联系的工作室 studios the office is responsible for",
    )


@row_type(
    models.ResponsibleUnit,
    description="承办单位 ResponsibleUnit：承担成果转化任务的部门、乡镇或企业",
    county=False,
)
class ResponsibleUnit(RowType, Archivable):
    follow_ups = connection_field(
        FOLLOW_UPS,
        link=Link(models.FollowUp.unit_id),
        description="交办给本单位的督办任务 follow-up tasks assigned to the unit（默认按期限）",
    )

    @strawberry.field(
        graphql_type=list[lazy_node("FollowUp")],  # type: ignore[misc]
        description=(
            "催办提醒 reminders：本单位未办结、已逾期或将在若干天内到期的任务，期限近的在前"
        ),
    )
    async def reminders(
        self,
        root: strawberry.Parent[models.ResponsibleUnit],
        info: Info[Context, Any],
        within_days: Annotated[
            int, strawberry.argument(description="提前提醒的天数 days ahead (0–90)")
        ] = 7,
    ) -> list[Any]:

        if not 0 <= within_days <= 90:
            raise query_error("OUT_OF_RANGE", "提前提醒的天数应在 0 到 90 之间")
        context = info.context
        today = local_today(context.settings.zone)

        async def load(unit_ids: list[int]) -> list[list[models.FollowUp]]:
            async with context.sessions() as session:
                found = await supervision.reminders(session, unit_ids, today, within_days)
            return [found[pk] for pk in unit_ids]

        loader = context.loaders.get(
            ("reminders", within_days, field_scope(info)), lambda: DataLoader(load)
        )
        rows: list[Any] = await loader.load(root.id)
        viewer = context.viewer
        return [r for r in rows if policy.row_visible(viewer, r)]

    @strawberry.field(
        description=described(models.ResponsibleUnit, "phone")
        + "：本县机关人员可见完整号码，其他人看到脱敏号码或看不到"
    )
    def phone(
        self, root: strawberry.Parent[models.ResponsibleUnit], info: Info[Context, Any]
    ) -> str | None:
        return shown(
            root.phone, policy.personal_data(info.context.viewer, root.county_id), mask_phone
        )


@strawberry.type
class OrganisationQuery:
    counties = connection_field(
        COUNTIES, description="县级政协列表 counties（默认按行政区划代码排序）"
    )
    sectors = connection_field(SECTORS, description="界别列表 sectors（默认按排序号）")
    offices = connection_field(OFFICES, description="委室列表 offices（默认按排序号）")
    responsible_units = connection_field(
        RESPONSIBLE_UNITS, description="承办单位列表 responsible units（默认按录入顺序）"
    )

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
        if row is None or not policy.row_visible(info.context.viewer, row):
            return None
        return row  # type: ignore[return-value]


CountyMutation = crud_mutations(
    organisation.COUNTY, node_field="county", noun="县级政协", archive=False
)
SectorMutation = crud_mutations(organisation.SECTOR, node_field="sector", noun="界别")
OfficeMutation = crud_mutations(organisation.OFFICE, node_field="office", noun="委室")
ResponsibleUnitMutation = crud_mutations(
    organisation.RESPONSIBLE_UNIT, node_field="responsible_unit", noun="承办单位"
)

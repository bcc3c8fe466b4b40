"""Consultation platforms (协商平台) on three levels, the member grid and 六有-style checklist facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from xieshang.db import models
from xieshang.db.enums import HostVenue, PlatformLevel
from xieshang.domain import members as members_domain
from xieshang.domain import platforms
from xieshang.domain.unit_of_work import Work
from xieshang.rules.standards import SubjectKind
from xieshang.schema.assessments import compliance_field
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import InputField, crud_mutations, delete_handler, mutation_field
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import (
    CONSULTATIONS,
    GRID_ASSIGNMENTS,
    MEMBERS,
    PLATFORMS,
    STUDIOS,
    TOPICS,
)
from xieshang.schema.statistics import statistics_field


@strawberry.type(
    description="平台核查项 PlatformChecklistFact：平台已具备的一项标准条件（如“六有”之“有场所”）"
)
class PlatformChecklistFact(RowType, Tracked):
    model = models.PlatformChecklistFact
    item: str = strawberry.field(
        description="核查项代码 item code，由考核标准定义，如 venue（有场所）"
    )
    attested_on: date = strawberry.field(description="核实日期 date attested")
    evidence: str | None = strawberry.field(description="佐证材料说明 evidence")
    attested_by: str | None = strawberry.field(description="核实人或部门 attested by")
    platform = to_one(
        "Platform", "platform_id", model=models.Platform, description="平台 platform", required=True
    )


@strawberry.type(description="网格安排 GridAssignment：委员按就地就近原则导入某个协商平台")
class GridAssignment(RowType, Tracked):
    model = models.GridAssignment
    assigned_on: date = strawberry.field(description="安排日期 date assigned")
    ended_on: date | None = strawberry.field(description="结束日期 date ended（当前安排为空）")
    note: str | None = strawberry.field(description="备注 note")
    member = to_one(
        "Member", "member_id", model=models.Member, description="委员 member", required=True
    )
    platform = to_one(
        "Platform", "platform_id", model=models.Platform, description="平台 platform", required=True
    )


@strawberry.type(
    description="协商平台 Platform：县、乡镇（街道）、村（社区）三级协商阵地，构成一棵树"
)
class Platform(RowType, Archivable):
    model = models.Platform
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
    children = connection_field(
        PLATFORMS, link=Link(models.Platform.parent_id), description="下级平台 child platforms"
    )
    members = connection_field(
        MEMBERS,
        link=Link(
            models.GridAssignment.platform_id,
            through=models.GridAssignment,
            target=models.GridAssignment.member_id,
            where=models.GridAssignment.ended_on.is_(None),
        ),
        description="当前导入本平台网格的委员 members currently placed on the platform",
    )
    grid_assignments = connection_field(
        GRID_ASSIGNMENTS,
        link=Link(models.GridAssignment.platform_id),
        description="网格安排（含已结束的） grid placements, ended ones included",
    )
    studios = connection_field(
        STUDIOS,
        link=Link(models.Studio.host_platform_id),
        description="依托本平台的工作室 studios hosted here",
    )
    topics = connection_field(
        TOPICS,
        link=Link(models.Topic.platform_id),
        description="提交到本平台的议题 topics proposed for this platform",
    )
    consultations = connection_field(
        CONSULTATIONS,
        link=Link(models.Consultation.platform_id),
        description="在本平台开展的协商活动 consultations held here",
    )
    statistics = statistics_field("platform")
    checklist = to_many(
        "PlatformChecklistFact",
        "platform_id",
        model=models.PlatformChecklistFact,
        order_by=("item",),
        description="已核实的标准条件 attested checklist items（如“六有”）",
    )
    compliance = compliance_field(
        SubjectKind.PLATFORM,
        "建设标准落实情况 compliance：本县启用的各项平台考核标准（如“六有”）在该期间的结果",
    )


@strawberry.type
class PlatformQuery:
    platforms = connection_field(PLATFORMS, description="协商平台列表 platforms（默认按录入顺序）")
    grid_assignments = connection_field(
        GRID_ASSIGNMENTS, description="网格安排列表 grid assignments（默认按录入顺序）"
    )


PLATFORM_FIELDS = {
    "name": InputField(str, "名称 name"),
    "level": InputField(PlatformLevel, "层级 level"),
    "parent_id": InputField(strawberry.ID | None, "上级平台 parent platform（县级平台不填）"),
    "area_name": InputField(str, "所在区域 area served"),
    "host_venue": InputField(HostVenue, "依托阵地类型 host venue type"),
    "host_venue_name": InputField(str | None, "依托阵地名称 host venue name"),
    "address": InputField(str | None, "地址 address"),
    "established_on": InputField(date | None, "建成日期 date established"),
}

_PlatformCrud = crud_mutations(
    "Platform", platforms.PLATFORM, PLATFORM_FIELDS, node_field="platform", noun="协商平台"
)


async def _assign(work: Work, values: dict[str, Any]) -> Any:
    return await members_domain.assign_to_platform(work, values)


async def _end(work: Work, values: dict[str, Any]) -> Any:
    return await members_domain.end_placement(
        work, values["id"], values["expected_version"], values["ended_on"]
    )


async def _attest(work: Work, values: dict[str, Any]) -> Any:
    return await platforms.attest_item(work, values)


_IDS = {"member_id": "Member", "platform_id": "Platform", "id": "GridAssignment"}


@strawberry.type
class PlatformMutation(_PlatformCrud):  # type: ignore[misc,valid-type]
    assign_member_to_platform = mutation_field(
        "AssignMemberToPlatform",
        fields={
            "member_id": InputField(strawberry.ID, "委员 member"),
            "platform_id": InputField(strawberry.ID, "平台 platform"),
            "assigned_on": InputField(date, "安排日期 date assigned"),
            "note": InputField(str | None, "备注 note，如 就地就近导入网格"),
        },
        id_types=_IDS,
        node_field="grid_assignment",
        node_type="GridAssignment",
        handler=_assign,
        description="把委员导入平台网格 place a member on a platform（当前安排自动在该日结束）",
        input_description="导入网格的输入 input of assignMemberToPlatform",
    )
    end_grid_assignment = mutation_field(
        "EndGridAssignment",
        fields={
            "id": InputField(strawberry.ID, "网格安排 grid assignment"),
            "expected_version": InputField(int, "读取时的版本号 version last read"),
            "ended_on": InputField(date, "结束日期 date ended"),
        },
        id_types=_IDS,
        node_field="grid_assignment",
        node_type="GridAssignment",
        handler=_end,
        description="结束网格安排 end a grid placement",
        input_description="结束网格安排的输入 input of endGridAssignment",
    )
    attest_platform_checklist_item = mutation_field(
        "AttestPlatformChecklistItem",
        fields={
            "platform_id": InputField(strawberry.ID, "平台 platform"),
            "item": InputField(str, "核查项代码 item code，如 venue"),
            "attested_on": InputField(date, "核实日期 date attested"),
            "evidence": InputField(str | None, "佐证材料说明 evidence"),
            "attested_by": InputField(str | None, "核实人或部门 attested by"),
        },
        id_types={"platform_id": "Platform"},
        node_field="fact",
        node_type="PlatformChecklistFact",
        handler=_attest,
        description="核实平台的一项标准条件 attest a checklist item（已有则更新）",
        input_description="核实核查项的输入 input of attestPlatformChecklistItem",
    )
    withdraw_platform_checklist_item = mutation_field(
        "WithdrawPlatformChecklistItem",
        fields={
            "id": InputField(strawberry.ID, "核查项 checklist fact"),
            "expected_version": InputField(int, "读取时的版本号 version last read"),
        },
        id_types={"id": "PlatformChecklistFact"},
        node_field="fact",
        node_type="PlatformChecklistFact",
        handler=delete_handler(platforms.CHECKLIST_FACT),
        description="撤销一项核实 withdraw an attested checklist item",
        input_description="撤销核查项的输入 input of withdrawPlatformChecklistItem",
    )

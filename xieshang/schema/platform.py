"""Consultation platforms (协商平台) on three levels, the member grid and 六有-style checklist facts."""

from __future__ import annotations

from typing import Any

import strawberry

from xieshang.db import models
from xieshang.domain import members as members_domain
from xieshang.domain import platforms
from xieshang.domain.unit_of_work import Work
from xieshang.rules.standards import SubjectKind
from xieshang.schema.assessments import compliance_field
from xieshang.schema.derive import row_type
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import (
    column_inputs,
    crud_mutations,
    delete_handler,
    mutation_field,
    target_fields,
)
from xieshang.schema.relations import to_many
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


@row_type(
    models.PlatformChecklistFact,
    description="平台核查项 PlatformChecklistFact：平台已具备的一项标准条件（如“六有”之“有场所”）",
    county=False,
)
class PlatformChecklistFact(RowType, Tracked):
    pass


@row_type(
    models.GridAssignment,
    description="网格安排 GridAssignment：委员按就地就近原则导入某个协商平台",
    county=False,
)
class GridAssignment(RowType, Tracked):
    pass


@row_type(
    models.Platform,
    description="协商平台 Platform：县、乡镇（街道）、村（社区）三级协商阵地，构成一棵树",
)
class Platform(RowType, Archivable):
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


_PlatformCrud = crud_mutations(platforms.PLATFORM, node_field="platform", noun="协商平台")


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
        # A placement starts open; endGridAssignment ends it.
        fields=column_inputs(
            models.GridAssignment,
            creating=True,
            only=("member_id", "platform_id", "assigned_on", "note"),
        ),
        id_types=_IDS,
        node_field="grid_assignment",
        node_type="GridAssignment",
        handler=_assign,
        description="把委员导入平台网格 place a member on a platform（当前安排自动在该日结束）",
        input_description="导入网格的输入 input of assignMemberToPlatform",
        record_keeping=True,
    )
    end_grid_assignment = mutation_field(
        "EndGridAssignment",
        fields={
            **target_fields("网格安排", "GridAssignment"),
            **column_inputs(
                models.GridAssignment, creating=False, only=("ended_on",), required=("ended_on",)
            ),
        },
        id_types=_IDS,
        node_field="grid_assignment",
        node_type="GridAssignment",
        handler=_end,
        description="结束网格安排 end a grid placement",
        input_description="结束网格安排的输入 input of endGridAssignment",
        record_keeping=True,
    )
    attest_platform_checklist_item = mutation_field(
        "AttestPlatformChecklistItem",
        fields=column_inputs(models.PlatformChecklistFact, creating=True),
        id_types={"platform_id": "Platform"},
        node_field="fact",
        node_type="PlatformChecklistFact",
        handler=_attest,
        description="核实平台的一项标准条件 attest a checklist item（已有则更新）",
        input_description="核实核查项的输入 input of attestPlatformChecklistItem",
        record_keeping=True,
    )
    withdraw_platform_checklist_item = mutation_field(
        "WithdrawPlatformChecklistItem",
        fields=target_fields("核查项", "PlatformChecklistFact"),
        id_types={"id": "PlatformChecklistFact"},
        node_field="fact",
        node_type="PlatformChecklistFact",
        handler=delete_handler(platforms.CHECKLIST_FACT),
        description="撤销一项核实 withdraw an attested checklist item",
        input_description="撤销核查项的输入 input of withdrawPlatformChecklistItem",
        record_keeping=True,
    )

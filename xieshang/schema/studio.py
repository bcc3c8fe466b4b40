"""Model member studios (样板委员工作室) and the rounds that chose their lead members."""

from __future__ import annotations

from datetime import date

import strawberry

from xieshang.db import models
from xieshang.domain import studios
from xieshang.rules.standards import SubjectKind
from xieshang.schema.assessments import compliance_field
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import (
    InputField,
    crud_mutations,
    delete_handler,
    link_mutations,
    mutation_field,
)
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import ACTIVITIES, DEEDS, MEMBERS, OPINION_REPORTS, PROPOSALS, STUDIOS


@strawberry.type(description="领衔委员选任轮次 SelectionRound：五轮选任程序中的一轮")
class SelectionRound(RowType, Tracked):
    model = models.SelectionRound
    round_no: int = strawberry.field(description="轮次 round number（从 1 开始）")
    title: str = strawberry.field(description="环节名称 title of the round")
    held_on: date | None = strawberry.field(description="举行日期 date held")
    candidates: int | None = strawberry.field(description="本轮人选数 candidates in this round")
    note: str | None = strawberry.field(description="说明 note")
    studio = to_one(
        "Studio", "studio_id", model=models.Studio, description="工作室 studio", required=True
    )


@strawberry.type(
    description="样板委员工作室 Studio：一名领衔委员 lead member 加若干委员，依托协商平台开展工作"
)
class Studio(RowType, Archivable):
    model = models.Studio
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
    sector = to_one("Sector", "sector_id", model=models.Sector, description="所属界别 sector")
    members = connection_field(
        MEMBERS,
        link=Link(
            models.StudioMember.studio_id,
            through=models.StudioMember,
            target=models.StudioMember.member_id,
        ),
        description="工作室成员（含领衔委员） members, the lead member included",
    )
    selection_rounds = to_many(
        "SelectionRound",
        "studio_id",
        model=models.SelectionRound,
        order_by=("round_no",),
        description="领衔委员的选任轮次 rounds that chose the lead member（按轮次）",
    )
    opinion_reports = connection_field(
        OPINION_REPORTS,
        link=Link(models.OpinionReport.studio_id),
        description="报送的社情民意信息 opinion reports",
    )
    activities = connection_field(
        ACTIVITIES, link=Link(models.Activity.studio_id), description="开展的履职活动 activities"
    )
    deeds = connection_field(
        DEEDS, link=Link(models.Deed.studio_id), description="办理的实事 deeds"
    )
    proposals = connection_field(
        PROPOSALS, link=Link(models.Proposal.studio_id), description="形成的提案 proposals"
    )
    compliance = compliance_field(
        SubjectKind.STUDIO,
        "履职标准落实情况 compliance：本县启用的各项工作室考核标准（如“三个一”）在该期间的结果",
    )


@strawberry.type
class StudioQuery:
    studios = connection_field(STUDIOS, description="样板委员工作室列表 studios（默认按录入顺序）")


_StudioCrud = crud_mutations(
    "Studio",
    studios.STUDIO,
    {
        "name": InputField(str, "名称 name"),
        "lead_member_id": InputField(strawberry.ID, "领衔委员 lead member（自动成为成员）"),
        "host_platform_id": InputField(strawberry.ID | None, "依托平台 host platform"),
        "office_id": InputField(strawberry.ID | None, "联系委室 office"),
        "sector_id": InputField(strawberry.ID | None, "所属界别 sector"),
        "batch_year": InputField(int, "创建批次年份 batch year"),
        "founded_on": InputField(date | None, "成立日期 date founded"),
        "description": InputField(str | None, "简介 description"),
    },
    node_field="studio",
    noun="工作室",
)
_StudioMembers = link_mutations(
    studios.STUDIO_MEMBERS,
    parent_type="Studio",
    node_field="studio",
    add="AddStudioMember",
    remove="RemoveStudioMember",
    noun="工作室成员",
    extra_fields={"joined_on": InputField(date | None, "加入日期 date joined")},
)
_RoundCrud = crud_mutations(
    "SelectionRound",
    studios.SELECTION_ROUND,
    {
        "studio_id": InputField(strawberry.ID, "工作室 studio"),
        "round_no": InputField(int, "轮次 round number（1–20）"),
        "title": InputField(str, "环节名称 title，如 述职答辩"),
        "held_on": InputField(date | None, "举行日期 date held"),
        "candidates": InputField(int | None, "本轮人选数 candidates"),
        "note": InputField(str | None, "说明 note"),
    },
    node_field="selection_round",
    noun="选任轮次",
    update_exclude=("studio_id",),
    archive=False,
)


@strawberry.type
class StudioMutation(_StudioCrud, _StudioMembers, _RoundCrud):  # type: ignore[misc,valid-type]
    delete_selection_round = mutation_field(
        "DeleteSelectionRound",
        fields={
            "id": InputField(strawberry.ID, "选任轮次 selection round"),
            "expected_version": InputField(int, "读取时的版本号 version last read"),
        },
        id_types={"id": "SelectionRound"},
        node_field="selection_round",
        node_type="SelectionRound",
        handler=delete_handler(studios.SELECTION_ROUND),
        description="删除选任轮次 delete a selection round",
        input_description="删除选任轮次的输入 input of deleteSelectionRound",
    )

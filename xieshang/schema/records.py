"""Duty records (履职记录): opinion reports, activities, deeds and proposals."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import ProposalFiling
from xieshang.domain import records
from xieshang.schema.context import Context
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import InputField, crud_mutations, link_mutations
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, lazy_node
from xieshang.schema.specs import ACTIVITIES, DEEDS, MEMBERS, OPINION_REPORTS, PROPOSALS, TOPICS

MemberRef = lazy_node("Member")


@strawberry.type(description="社情民意信息 OpinionReport：委员或工作室报送的一条社情民意信息")
class OpinionReport(RowType, Archivable):
    model = models.OpinionReport
    title: str = strawberry.field(description="标题 title")
    content: str | None = strawberry.field(description="正文 content")
    submitted_on: date = strawberry.field(description="报送日期 submitted on")
    adopted: bool = strawberry.field(description="是否被采用 adopted")
    adopted_on: date | None = strawberry.field(description="采用日期 adopted on")
    adopted_by: str | None = strawberry.field(description="采用单位 adopted by，如 市政协")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    member = to_one("Member", "member_id", model=models.Member, description="撰写委员 author")
    studio = to_one("Studio", "studio_id", model=models.Studio, description="报送的工作室 studio")
    instructions = to_many(
        "Instruction",
        "opinion_report_id",
        model=models.Instruction,
        order_by=("instructed_on", "id"),
        description="领导批示 leaders' instructions（按日期）",
    )


@strawberry.type(
    description="履职活动 Activity：委员读书、协商议事、视察、调研、培训、会议等（开放列表）"
)
class Activity(RowType, Archivable):
    model = models.Activity
    kind: str = strawberry.field(description="活动类型代码 kind code，如 READING（插件可增加类型）")
    title: str = strawberry.field(description="名称 title")
    occurred_on: date = strawberry.field(description="日期 date")
    location: str | None = strawberry.field(description="地点 location")
    description: str | None = strawberry.field(description="内容 description")
    participant_count: int | None = strawberry.field(
        description="参加人数（委员和群众） number of participants"
    )

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    studio = to_one(
        "Studio", "studio_id", model=models.Studio, description="开展活动的工作室 studio"
    )
    platform = to_one(
        "Platform", "platform_id", model=models.Platform, description="活动平台 platform"
    )
    participants = connection_field(
        MEMBERS,
        link=Link(
            models.ActivityParticipant.activity_id,
            through=models.ActivityParticipant,
            target=models.ActivityParticipant.member_id,
        ),
        description="参加的委员 participating members",
    )

    @strawberry.field(
        description="活动类型名称 kind label（内置和插件增加的类型；未知类型为代码本身）"
    )
    def kind_label(self, root: strawberry.Parent[models.Activity], info: Info[Context, Any]) -> str:
        return info.context.rules.activity_kinds.get(root.kind, root.kind)


@strawberry.type(description="实事 Deed：为群众办理的一件实事")
class Deed(RowType, Archivable):
    model = models.Deed
    title: str = strawberry.field(description="名称 title")
    description: str | None = strawberry.field(description="内容 description")
    done_on: date = strawberry.field(description="办理日期 done on")
    beneficiaries: int | None = strawberry.field(description="受益群众人数 residents who benefited")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    studio = to_one("Studio", "studio_id", model=models.Studio, description="办理的工作室 studio")
    platform = to_one("Platform", "platform_id", model=models.Platform, description="平台 platform")
    participants = connection_field(
        MEMBERS,
        link=Link(
            models.DeedParticipant.deed_id,
            through=models.DeedParticipant,
            target=models.DeedParticipant.member_id,
        ),
        description="参与的委员 participating members",
    )


@strawberry.type(description="提案 Proposal：委员（或界别）提出的提案，可立案、列为重点、办结")
class Proposal(RowType, Archivable):
    model = models.Proposal
    number: str | None = strawberry.field(description="案号 number within the year")
    title: str = strawberry.field(description="案由 title")
    content: str | None = strawberry.field(description="正文 content")
    year: int = strawberry.field(description="年度 year")
    submitted_on: date = strawberry.field(description="提交日期 submitted on")
    filing: ProposalFiling = strawberry.field(description="立案情况 filing")
    is_key: bool = strawberry.field(description="是否重点提案 key proposal")
    handled_on: date | None = strawberry.field(description="办结日期 date handled（未办结为空）")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    lead_member = to_one(
        "Member",
        "lead_member_id",
        model=models.Member,
        description="第一提案人 first proposer（界别提案为空）",
    )
    sector = to_one(
        "Sector",
        "sector_id",
        model=models.Sector,
        description="以界别名义提出时的界别 proposing sector",
    )
    studio = to_one(
        "Studio", "studio_id", model=models.Studio, description="形成提案的工作室 studio"
    )
    topics = connection_field(
        TOPICS,
        link=Link(models.Topic.proposal_id),
        description="由本提案转成的协商议题 topics promoted from it",
    )

    @strawberry.field(description="联名提案人 joint proposers（按联名顺序）")
    async def joint_proposers(
        self, root: strawberry.Parent[models.Proposal], info: Info[Context, Any]
    ) -> list[MemberRef]:  # type: ignore[valid-type]
        loaders, scope = info.context.loaders, field_scope(info)
        links = await loaders.many(
            models.ProposalJointProposer, "proposal_id", order_by=("position",), scope=scope
        ).load(root.id)
        rows = await loaders.one(models.Member, scope=scope).load_many(
            [link.member_id for link in links]
        )
        return [row for row in rows if row is not None]


@strawberry.type
class RecordQuery:
    opinion_reports = connection_field(
        OPINION_REPORTS, description="社情民意信息列表 opinion reports（默认按报送日期）"
    )
    activities = connection_field(ACTIVITIES, description="履职活动列表 activities（默认按日期）")
    deeds = connection_field(DEEDS, description="实事列表 deeds（默认按办理日期）")
    proposals = connection_field(PROPOSALS, description="提案列表 proposals（默认按录入顺序）")


OpinionReportMutation = crud_mutations(
    "OpinionReport",
    records.OPINION_REPORT,
    {
        "title": InputField(str, "标题 title"),
        "content": InputField(str | None, "正文 content"),
        "submitted_on": InputField(date, "报送日期 submitted on"),
        "member_id": InputField(strawberry.ID | None, "撰写委员 author（与工作室至少填一项）"),
        "studio_id": InputField(strawberry.ID | None, "报送的工作室 studio"),
        "adopted": InputField(bool, "是否被采用 adopted", False),
        "adopted_on": InputField(date | None, "采用日期 adopted on（采用时必填）"),
        "adopted_by": InputField(str | None, "采用单位 adopted by"),
    },
    node_field="opinion_report",
    noun="社情民意信息",
)
_ActivityCrud = crud_mutations(
    "Activity",
    records.ACTIVITY,
    {
        "kind": InputField(str, "活动类型代码 kind code，如 READING、DELIBERATION"),
        "title": InputField(str, "名称 title"),
        "occurred_on": InputField(date, "日期 date"),
        "studio_id": InputField(strawberry.ID | None, "开展活动的工作室 studio"),
        "platform_id": InputField(strawberry.ID | None, "活动平台 platform"),
        "location": InputField(str | None, "地点 location"),
        "description": InputField(str | None, "内容 description"),
        "participant_count": InputField(int | None, "参加人数 participants"),
    },
    node_field="activity",
    noun="履职活动",
)
_ActivityPeople = link_mutations(
    records.ACTIVITY_PARTICIPANTS,
    parent_type="Activity",
    node_field="activity",
    add="AddActivityParticipant",
    remove="RemoveActivityParticipant",
    noun="活动参加委员",
)
_DeedCrud = crud_mutations(
    "Deed",
    records.DEED,
    {
        "title": InputField(str, "名称 title"),
        "description": InputField(str | None, "内容 description"),
        "done_on": InputField(date, "办理日期 done on"),
        "studio_id": InputField(strawberry.ID | None, "办理的工作室 studio"),
        "platform_id": InputField(strawberry.ID | None, "平台 platform"),
        "beneficiaries": InputField(int | None, "受益群众人数 beneficiaries"),
    },
    node_field="deed",
    noun="实事",
)
_DeedPeople = link_mutations(
    records.DEED_PARTICIPANTS,
    parent_type="Deed",
    node_field="deed",
    add="AddDeedParticipant",
    remove="RemoveDeedParticipant",
    noun="实事参与委员",
)
_ProposalCrud = crud_mutations(
    "Proposal",
    records.PROPOSAL,
    {
        "number": InputField(str | None, "案号 number（同一年度内唯一）"),
        "title": InputField(str, "案由 title"),
        "content": InputField(str | None, "正文 content"),
        "year": InputField(int, "年度 year"),
        "submitted_on": InputField(date, "提交日期 submitted on"),
        "lead_member_id": InputField(strawberry.ID | None, "第一提案人 first proposer"),
        "sector_id": InputField(strawberry.ID | None, "以界别名义提出时的界别 sector"),
        "studio_id": InputField(strawberry.ID | None, "形成提案的工作室 studio"),
        "filing": InputField(ProposalFiling, "立案情况 filing", ProposalFiling.PENDING),
        "is_key": InputField(bool, "是否重点提案 key proposal（须已立案）", False),
        "handled_on": InputField(date | None, "办结日期 date handled（须已立案）"),
    },
    node_field="proposal",
    noun="提案",
)
_JointProposers = link_mutations(
    records.JOINT_PROPOSERS,
    parent_type="Proposal",
    node_field="proposal",
    add="AddJointProposer",
    remove="RemoveJointProposer",
    noun="联名提案人",
)


#: The record mutations, merged into the root ``Mutation``.
RECORD_MUTATIONS = (
    OpinionReportMutation,
    _ActivityCrud,
    _ActivityPeople,
    _DeedCrud,
    _DeedPeople,
    _ProposalCrud,
    _JointProposers,
)

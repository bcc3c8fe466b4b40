"""Duty records (履职记录): opinion reports, activities, deeds and proposals."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import records
from xieshang.schema.context import Context
from xieshang.schema.derive import row_type
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import crud_mutations, link_mutations
from xieshang.schema.relations import to_many
from xieshang.schema.relay import Archivable, RowType, lazy_node
from xieshang.schema.specs import ACTIVITIES, DEEDS, MEMBERS, OPINION_REPORTS, PROPOSALS, TOPICS

MemberRef = lazy_node("Member")


@row_type(
    models.OpinionReport,
    description="社情民意信息 OpinionReport：委员或工作室报送的一条社情民意信息",
)
class OpinionReport(RowType, Archivable):
    instructions = to_many(
        "Instruction",
        "opinion_report_id",
        model=models.Instruction,
        order_by=("instructed_on", "id"),
        description="领导批示 leaders' instructions（按日期）",
    )


@row_type(
    models.Activity,
    description="履职活动 Activity：委员读书、协商议事、视察、调研、培训、会议等（开放列表）",
)
class Activity(RowType, Archivable):
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
        return info.context.rule_plugins.activity_kinds.get(root.kind, root.kind)


@row_type(models.Deed, description="实事 Deed：为群众办理的一件实事")
class Deed(RowType, Archivable):
    participants = connection_field(
        MEMBERS,
        link=Link(
            models.DeedParticipant.deed_id,
            through=models.DeedParticipant,
            target=models.DeedParticipant.member_id,
        ),
        description="参与的委员 participating members",
    )


@row_type(
    models.Proposal, description="提案 Proposal：委员（或界别）提出的提案，可立案、列为重点、办结"
)
class Proposal(RowType, Archivable):
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
    records.OPINION_REPORT, node_field="opinion_report", noun="社情民意信息"
)
_ActivityCrud = crud_mutations(records.ACTIVITY, node_field="activity", noun="履职活动")
_ActivityPeople = link_mutations(
    records.ACTIVITY_PARTICIPANTS,
    node_field="activity",
    add="AddActivityParticipant",
    remove="RemoveActivityParticipant",
    noun="活动参加委员",
)
_DeedCrud = crud_mutations(records.DEED, node_field="deed", noun="实事")
_DeedPeople = link_mutations(
    records.DEED_PARTICIPANTS,
    node_field="deed",
    add="AddDeedParticipant",
    remove="RemoveDeedParticipant",
    noun="实事参与委员",
)
_ProposalCrud = crud_mutations(records.PROPOSAL, node_field="proposal", noun="提案")
_JointProposers = link_mutations(
    records.JOINT_PROPOSERS,
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

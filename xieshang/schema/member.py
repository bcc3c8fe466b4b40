"""Committee members (政协委员)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import members as members_domain
from xieshang.domain.policy import personal_data
from xieshang.domain.privacy import mask_phone, shown
from xieshang.schema.assessments import AssessmentType, member_duty
from xieshang.schema.context import Context
from xieshang.schema.derive import described, row_type
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import crud_mutations
from xieshang.schema.relay import Archivable, RowType, lazy_node
from xieshang.schema.specs import (
    ACTIVITIES,
    CONSULTATIONS,
    DEEDS,
    GRID_ASSIGNMENTS,
    MEMBERS,
    OPINION_REPORTS,
    PROPOSALS,
    STUDIOS,
)

PlatformRef = lazy_node("Platform")


@row_type(
    models.Member,
    description="政协委员 Member：县政协的一名委员，可能是常委 standing-committee member",
)
class Member(RowType, Archivable):
    studios = connection_field(
        STUDIOS,
        link=Link(
            models.StudioMember.member_id,
            through=models.StudioMember,
            target=models.StudioMember.studio_id,
        ),
        description="所在的工作室 studios the member belongs to",
    )
    grid_assignments = connection_field(
        GRID_ASSIGNMENTS,
        link=Link(models.GridAssignment.member_id),
        description="网格安排（含已结束的） grid placements, ended ones included",
    )
    opinion_reports = connection_field(
        OPINION_REPORTS,
        link=Link(models.OpinionReport.member_id),
        description="撰写的社情民意信息 opinion reports written by the member",
    )
    activities = connection_field(
        ACTIVITIES,
        link=Link(
            models.ActivityParticipant.member_id,
            through=models.ActivityParticipant,
            target=models.ActivityParticipant.activity_id,
        ),
        description="参加的履职活动 activities the member took part in",
    )
    deeds = connection_field(
        DEEDS,
        link=Link(
            models.DeedParticipant.member_id,
            through=models.DeedParticipant,
            target=models.DeedParticipant.deed_id,
        ),
        description="参与办理的实事 deeds the member took part in",
    )
    proposals = connection_field(
        PROPOSALS,
        link=Link(models.Proposal.lead_member_id),
        description="作为第一提案人的提案 proposals with the member as first proposer",
    )
    joint_proposals = connection_field(
        PROPOSALS,
        link=Link(
            models.ProposalJointProposer.member_id,
            through=models.ProposalJointProposer,
            target=models.ProposalJointProposer.proposal_id,
        ),
        description="联名的提案 proposals the member signed as joint proposer",
    )
    consultations = connection_field(
        CONSULTATIONS,
        link=Link(
            models.ConsultationAttendance.member_id,
            through=models.ConsultationAttendance,
            target=models.ConsultationAttendance.consultation_id,
        ),
        description="受邀参加的协商活动（含请假、缺席） consultations the member was invited to",
    )

    @strawberry.field(
        description="履职考核 duty assessment：本县启用的委员考核标准在该期间的结果（含得分、等次）"
    )
    async def duty_assessment(
        self,
        root: strawberry.Parent[models.Member],
        info: Info[Context, Any],
        period: Annotated[str, strawberry.argument(description="考核期间 period，如 2024")],
        standard: Annotated[
            str | None,
            strawberry.argument(description="考核标准代码 standard（默认：本县第一项委员标准）"),
        ] = None,
    ) -> AssessmentType | None:
        return await member_duty(root, info, period, standard)  # type: ignore[return-value]

    @strawberry.field(
        description=described(models.Member, "phone")
        + "：本县机关管理员和工作人员看到完整号码，其他登录用户看到脱敏号码（如 138****0001），"
        "未登录用户看不到"
    )
    def phone(self, root: strawberry.Parent[models.Member], info: Info[Context, Any]) -> str | None:
        return shown(root.phone, personal_data(info.context.viewer, root.county_id), mask_phone)

    @strawberry.field(
        description="当前网格所在平台 platform of the current grid placement（就地就近）"
    )
    async def platform(
        self, root: strawberry.Parent[models.Member], info: Info[Context, Any]
    ) -> PlatformRef | None:  # type: ignore[valid-type]
        loaders, scope = info.context.loaders, field_scope(info)
        placements = await loaders.many(models.GridAssignment, "member_id", scope=scope).load(
            root.id
        )
        current = [p for p in placements if p.ended_on is None]
        if not current:
            return None
        return await loaders.one(models.Platform, scope=scope).load(current[0].platform_id)


@strawberry.type
class MemberQuery:
    members = connection_field(MEMBERS, description="委员列表 members（默认按录入顺序）")


MemberMutation = crud_mutations(members_domain.MEMBER, node_field="member", noun="委员")

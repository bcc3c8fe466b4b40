"""Consultation topics (协商议题) from the four sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import TopicSource, TopicStatus
from xieshang.domain import topics
from xieshang.domain.policy import personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.schema.context import Context
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import InputField, crud_mutations
from xieshang.schema.relations import to_one
from xieshang.schema.relay import Archivable, RowType
from xieshang.schema.specs import CONSULTATIONS, TOPICS


@strawberry.type(description="协商议题 Topic：提请协商的事项，来自四种来源 four sources")
class Topic(RowType, Archivable):
    model = models.Topic
    title: str = strawberry.field(description="标题 title")
    description: str | None = strawberry.field(description="说明 description")
    source: TopicSource = strawberry.field(description="来源 source")
    year: int = strawberry.field(description="年度 year")
    theme: str | None = strawberry.field(description="主题 theme，如 优化营商环境")
    is_key: bool = strawberry.field(description="是否重点议题 selected as a key topic of the year")
    status: TopicStatus = strawberry.field(description="状态 status")
    assigning_body: str | None = strawberry.field(
        description="交题（点题）单位 assigning body of Party-committee and government topics"
    )
    status_reason: str | None = strawberry.field(
        description="留作参考或退回的理由 reason for keeping for reference or returning"
    )
    submitted_at: datetime = strawberry.field(description="提交时间 submitted at")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    platform = to_one(
        "Platform",
        "platform_id",
        model=models.Platform,
        description="提议在其上协商的平台 platform proposed for the consultation",
    )
    proposal = to_one(
        "Proposal",
        "proposal_id",
        model=models.Proposal,
        description="来源提案 the proposal it was promoted from",
    )
    proposer_member = to_one(
        "Member",
        "proposer_member_id",
        model=models.Member,
        description="提出议题的委员 proposing member",
    )
    merged_into = to_one(
        "Topic",
        "merged_into_id",
        model=models.Topic,
        description="并入的议题 topic it was merged into",
    )
    consultations = connection_field(
        CONSULTATIONS,
        link=Link(models.Consultation.topic_id),
        description="就本议题开展的协商活动 consultations",
    )
    merged_topics = connection_field(
        TOPICS,
        link=Link(models.Topic.merged_into_id),
        description="并入本议题的议题 topics merged into this one",
    )

    @strawberry.field(description="提出人联系方式 proposer's contact（已脱敏 masked）")
    def proposer_contact(
        self, root: strawberry.Parent[models.Topic], info: Info[Context, Any]
    ) -> str | None:
        access = personal_data(info.context.viewer, root.county_id)
        return shown(root.proposer_contact, access, mask_contact)

    @strawberry.field(
        description=(
            "社会出题的提出人 resident who proposed a public topic"
            "（本县机关人员可见全名，其他登录用户只见姓，未登录用户看不到）"
        )
    )
    def proposer_name(
        self, root: strawberry.Parent[models.Topic], info: Info[Context, Any]
    ) -> str | None:
        return shown(
            root.proposer_name, personal_data(info.context.viewer, root.county_id), mask_name
        )


@strawberry.type
class TopicQuery:
    topics = connection_field(TOPICS, description="协商议题列表 topics（默认按录入顺序）")


TopicMutation = crud_mutations(
    "Topic",
    topics.TOPIC,
    {
        "title": InputField(str, "标题 title"),
        "description": InputField(str | None, "说明 description"),
        "source": InputField(TopicSource, "来源 source"),
        "year": InputField(int, "年度 year"),
        "theme": InputField(str | None, "主题 theme"),
        "assigning_body": InputField(str | None, "交题（点题）单位 assigning body"),
        "platform_id": InputField(strawberry.ID | None, "提议在其上协商的平台 platform"),
        "proposal_id": InputField(strawberry.ID | None, "来源提案 proposal（委员提案）"),
        "proposer_member_id": InputField(strawberry.ID | None, "提出议题的委员 proposing member"),
        "proposer_name": InputField(str | None, "社会出题的提出人 proposer's name"),
        "proposer_contact": InputField(
            str | None, "提出人联系方式 proposer's contact（不会向公众显示）"
        ),
    },
    node_field="topic",
    noun="议题",
)

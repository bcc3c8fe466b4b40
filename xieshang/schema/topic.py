"""Consultation topics (协商议题) from the four sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import ScreeningSeverity, TopicSource, TopicStatus
from xieshang.domain import crud, events, topic_workflow, topics
from xieshang.domain.policy import personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.schema.context import Context
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import InputField, crud_mutations, mutation_field
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType
from xieshang.schema.specs import CONSULTATIONS, TOPICS


@strawberry.type(
    description="议题流程记录 TopicTransition：议题的一次状态变化（谁、何时、从何到何、说明）"
)
class TopicTransition(RowType):
    model = models.TopicTransition
    from_status: TopicStatus | None = strawberry.field(
        description="原状态 status before（议题提交时为空）"
    )
    to_status: TopicStatus = strawberry.field(description="新状态 status after")
    note: str | None = strawberry.field(description="说明 note（如留作参考的理由）")
    occurred_at: datetime = strawberry.field(description="时间 when")
    actor_role: str | None = strawberry.field(
        description="操作者角色 role of whoever made the step（ANONYMOUS 为公众提交，SYSTEM 为系统）"
    )

    @strawberry.field(description="操作者 username of whoever made the step（未登录用户看不到）")
    def actor(
        self, root: strawberry.Parent[models.TopicTransition], info: Info[Context, Any]
    ) -> str | None:
        return None if info.context.viewer.is_anonymous else root.actor


@strawberry.type(description="议题初筛意见 TopicScreeningNote：本县议题筛选规则对议题的提示")
class TopicScreeningNote(RowType):
    model = models.TopicScreeningNote
    plugin: str = strawberry.field(description="给出意见的规则插件 rule plugin")
    code: str = strawberry.field(description="规则代码 rule code（稳定，供程序判断）")
    severity: ScreeningSeverity = strawberry.field(description="程度 severity")
    message: str = strawberry.field(description="意见 message")
    created_at: datetime = strawberry.field(description="时间 when")


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
    timeline = to_many(
        "TopicTransition",
        "topic_id",
        model=models.TopicTransition,
        order_by=("occurred_at", "id"),
        description="流程记录 timeline：每一次状态变化，按时间先后",
    )
    screening_notes = to_many(
        "TopicScreeningNote",
        "topic_id",
        model=models.TopicScreeningNote,
        description="初筛意见 screening notes（本县议题筛选规则给出）",
    )
    merged_topics = connection_field(
        TOPICS,
        link=Link(models.Topic.merged_into_id),
        description="并入本议题的议题 topics merged into this one",
    )

    @strawberry.field(
        description="下一步可改为的状态 statuses the topic may move to next（按流程顺序）"
    )
    def next_statuses(self, root: strawberry.Parent[models.Topic]) -> list[TopicStatus]:
        return topic_workflow.allowed_steps(root.status)

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


async def _record_intake(
    session: AsyncSession, row: models.Topic, values: dict[str, Any], context: Context
) -> None:
    await topic_workflow.record_intake(session, row, context.viewer, "录入议题")
    events.emit(session, events.Event(events.EventKind.TOPIC_SUBMITTED, row.county_id, row.id))


_TopicCrud = crud_mutations(
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
    after_create=_record_intake,
)


async def _change_status(session: AsyncSession, values: dict[str, Any], context: Context) -> Any:
    row = await crud.load_for_update(session, topics.TOPIC, values["id"])
    crud.check_not_archived(topics.TOPIC, row)
    crud.check_version(topics.TOPIC, row, values["expected_version"])
    await topic_workflow.move(
        session,
        row,
        values["status"],
        context.viewer,
        note=values.get("note"),
        merged_into_id=values.get("merged_into_id"),
        manual=True,
    )
    await session.flush()
    return row


@strawberry.type
class TopicMutation(_TopicCrud):  # type: ignore[misc,valid-type]
    change_topic_status = mutation_field(
        "ChangeTopicStatus",
        fields={
            "id": InputField(strawberry.ID, "议题（全局 ID） topic"),
            "expected_version": InputField(int, "读取时的版本号 version last read"),
            "status": InputField(
                TopicStatus,
                "新状态 new status：审查中、已选定、已并入、留作参考、已退回或已办结"
                "（排期、协商、报送成果、交办由相应操作自动推进）",
            ),
            "note": InputField(str | None, "说明 note（留作参考、退回时必填理由）"),
            "merged_into_id": InputField(
                strawberry.ID | None, "并入的议题 topic to merge into（状态为已并入时必填）"
            ),
        },
        id_types={"id": "Topic", "merged_into_id": "Topic"},
        node_field="topic",
        node_type="Topic",
        handler=_change_status,
        description=(
            "推进议题流程 move a topic to its next status"
            "（不允许的步骤返回 INVALID_TRANSITION 并列出可选状态）"
        ),
        input_description="推进议题流程的输入 input of changeTopicStatus",
    )

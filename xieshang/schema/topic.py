"""Consultation topics (协商议题) from the four sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import ScreeningSeverity, TopicSource, TopicStatus
from xieshang.domain import intake, similarity, topic_workflow, topics
from xieshang.domain.policy import actors_shown, personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.errors import query_error
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import InputField, UserError, crud_mutations, mutation_field
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, lazy_node
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
        return root.actor if actors_shown(info.context.viewer) else None


@strawberry.type(description="议题初筛意见 TopicScreeningNote：本县议题筛选规则对议题的提示")
class TopicScreeningNote(RowType):
    model = models.TopicScreeningNote
    plugin: str = strawberry.field(description="给出意见的规则插件 rule plugin")
    code: str = strawberry.field(description="规则代码 rule code（稳定，供程序判断）")
    severity: ScreeningSeverity = strawberry.field(description="程度 severity")
    message: str = strawberry.field(description="意见 message")
    created_at: datetime = strawberry.field(description="时间 when")


SIMILAR_DESCRIPTION = (
    "相似议题 similar topics：同县同年度、未归档的其他议题中标题相近的，按相似度从高到低"
    "（相同时先录入的在前）。相似度按字符二元组计算，不需分词：去掉空格和标点后，"
    "两个标题的相邻两字组合集合的 Dice 系数 2|A∩B|/(|A|+|B|)；标题相似度不低于 0.3 才列出；"
    "两议题主题相同时，相似度再加上与 1 之差的五分之一。"
    " Character-bigram Dice over titles (threshold 0.3), raised when the themes match."
)


TopicRef = lazy_node("Topic")


@strawberry.type(description="相似议题 SimilarTopic：一个可能重复的议题及其相似度")
class SimilarTopic:
    topic: TopicRef = strawberry.field(  # type: ignore[valid-type]
        description="相似的议题 the similar topic"
    )
    score: float = strawberry.field(description="相似度 similarity，0 到 1，越大越相近")


def _check_first(first: int) -> None:
    if first < 0 or first > similarity.MAX_FIRST:
        raise query_error(
            "INVALID_ARGUMENT", f"first 应在 0 到 {similarity.MAX_FIRST} 之间（收到 {first}）"
        )


async def similar_to(
    context: Context, probes: list[similarity.Probe], first: int
) -> list[list[SimilarTopic]]:
    """Hints for ``probes`` in one short session of their own (two statements)."""
    async with context.sessions() as session:
        found = await similarity.similar_topics(session, probes, first)
    return [[SimilarTopic(topic=s.topic, score=s.score) for s in hits] for hits in found]


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

    @strawberry.field(description=SIMILAR_DESCRIPTION)
    async def similar_topics(
        self,
        root: strawberry.Parent[models.Topic],
        info: Info[Context, Any],
        first: Annotated[
            int, strawberry.argument(description="最多列出几个 how many at most（0 到 20）")
        ] = 5,
    ) -> list[SimilarTopic]:
        _check_first(first)
        context = info.context

        def factory() -> DataLoader[Any, Any]:
            async def batch(keys: list[similarity.Probe]) -> list[list[SimilarTopic]]:
                return await similar_to(context, keys, first)

            return DataLoader(load_fn=batch)

        loader = context.loaders.get(("similar_topics", field_scope(info), first), factory)
        result: list[SimilarTopic] = await loader.load(similarity.Probe.of(root))
        return result

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
    create_with=intake.enter,
)


async def _change_status(work: Work, values: dict[str, Any]) -> Any:
    return await topic_workflow.change_status(
        work,
        values["id"],
        values["expected_version"],
        values["status"],
        note=values.get("note"),
        merged_into_id=values.get("merged_into_id"),
    )


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


@strawberry.type(description="社会出题的结果 result of submitTopic")
class SubmitTopicPayload:
    topic: Topic | None = strawberry.field(
        default=None, description="提交的议题 the topic as saved（有错误时为空）"
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="输入错误 user errors（成功时为空列表；有错误时什么也没有写入）",
    )

    @strawberry.field(
        description="可能重复的已有议题 similar topics already collected（提示提交人，见 Topic.similarTopics）"
    )
    async def similar_topics(
        self,
        info: Info[Context, Any],
        first: Annotated[
            int, strawberry.argument(description="最多列出几个 how many at most（0 到 20）")
        ] = 5,
    ) -> list[SimilarTopic]:
        _check_first(first)
        if self.topic is None:
            return []
        row: models.Topic = self.topic  # type: ignore[assignment]
        return (await similar_to(info.context, [similarity.Probe.of(row)], first))[0]


async def _submit(work: Work, values: dict[str, Any]) -> Any:
    return await intake.submit(
        work,
        intake.Submission(
            county_id=values["county_id"],
            title=values["title"],
            description=values["description"],
            theme=values.get("theme"),
            platform_id=values.get("platform_id"),
            proposer_name=values.get("proposer_name"),
            proposer_contact=values.get("proposer_contact"),
        ),
    )


async def _promote(work: Work, values: dict[str, Any]) -> Any:
    return await intake.promote(
        work,
        values["proposal_id"],
        title=values.get("title"),
        theme=values.get("theme"),
        year=values.get("year"),
    )


@strawberry.type
class TopicIntakeMutation:
    submit_topic = mutation_field(
        "SubmitTopic",
        fields={
            "county_id": InputField(strawberry.ID, "向哪个县级政协提交（全局 ID） county"),
            "title": InputField(str, "议题标题 title（不超过 100 字）"),
            "description": InputField(
                str, "议题说明 description：什么问题、为什么（不超过 2000 字）"
            ),
            "theme": InputField(str | None, "主题 theme（可不填），如 优化营商环境"),
            "platform_id": InputField(
                strawberry.ID | None,
                "希望在哪个协商平台协商（全局 ID，可不填；须属于该县） platform, e.g. the village's",
            ),
            "proposer_name": InputField(str | None, "提出人姓名 proposer's name（可不填）"),
            "proposer_contact": InputField(
                str | None,
                "提出人联系方式 proposer's contact（可不填；只有县政协机关人员能看到，不会公开）",
            ),
        },
        id_types={"county_id": "County", "platform_id": "Platform"},
        node_field="topic",
        node_type="Topic",
        handler=_submit,
        description=(
            "社会出题 submit a topic as a resident（无需登录；每个网络地址的提交次数有限，"
            "超出返回 RATE_LIMITED；结果附带可能重复的已有议题）"
        ),
        input_description="社会出题的输入 input of submitTopic",
        restrict=False,
        payload=SubmitTopicPayload,
    )
    promote_proposal_to_topic = mutation_field(
        "PromoteProposalToTopic",
        fields={
            "proposal_id": InputField(strawberry.ID, "已立案的提案（全局 ID） filed proposal"),
            "title": InputField(
                str | None, "议题标题 title（不填则取提案案由，去掉“关于……的提案”）"
            ),
            "theme": InputField(str | None, "主题 theme"),
            "year": InputField(int | None, "年度 year（不填则取提案年度）"),
        },
        id_types={"proposal_id": "Proposal"},
        node_field="topic",
        node_type="Topic",
        handler=_promote,
        description=(
            "委员提案转为议题 promote a filed proposal to a MEMBER_PROPOSAL topic"
            "（第一提案人为提出委员；未立案 INVALID_STATE，已有议题 DUPLICATE）"
        ),
        input_description="委员提案转为议题的输入 input of promoteProposalToTopic",
    )

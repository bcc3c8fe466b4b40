"""Consultation topics (协商议题) from the four sources."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import TopicStatus
from xieshang.domain import intake, similarity, topic_workflow, topics
from xieshang.domain.policy import actors_shown, personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.derive import described, row_type
from xieshang.schema.errors import query_error
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import (
    InputField,
    UserError,
    column_inputs,
    crud_mutations,
    mutation_field,
)
from xieshang.schema.relations import to_many
from xieshang.schema.relay import Archivable, RowType, lazy_node
from xieshang.schema.specs import CONSULTATIONS, TOPICS


@row_type(
    models.TopicTransition,
    description="议题流程记录 TopicTransition：议题的一次状态变化（谁、何时、从何到何、说明）",
    county=False,
)
class TopicTransition(RowType):
    @strawberry.field(
        description=described(models.TopicTransition, "actor") + "（未登录用户看不到）"
    )
    def actor(
        self, root: strawberry.Parent[models.TopicTransition], info: Info[Context, Any]
    ) -> str | None:
        return root.actor if actors_shown(info.context.viewer) else None


@row_type(
    models.TopicScreeningNote,
    description="议题初筛意见 TopicScreeningNote：本县议题筛选规则对议题的提示",
    county=False,
)
class TopicScreeningNote(RowType):
    pass


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


@row_type(models.Topic, description="协商议题 Topic：提请协商的事项，来自四种来源 four sources")
class Topic(RowType, Archivable):
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

    @strawberry.field(description=described(models.Topic, "proposer_contact") + "（已脱敏 masked）")
    def proposer_contact(
        self, root: strawberry.Parent[models.Topic], info: Info[Context, Any]
    ) -> str | None:
        access = personal_data(info.context.viewer, root.county_id)
        return shown(root.proposer_contact, access, mask_contact)

    @strawberry.field(
        description=described(models.Topic, "proposer_name")
        + "（本县机关人员可见全名，其他登录用户只见姓，未登录用户看不到）"
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


_TopicCrud = crud_mutations(topics.TOPIC, node_field="topic", noun="议题", create_with=intake.enter)


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
        record_keeping=True,
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


def _public_fields() -> dict[str, InputField]:
    """What a resident fills in: the topic's columns, with the limits of a public submission."""
    fields = {
        "county_id": InputField(strawberry.ID, described(models.Topic, "county_id")),
        **column_inputs(
            models.Topic,
            creating=True,
            only=(
                "title",
                "description",
                "theme",
                "platform_id",
                "proposer_name",
                "proposer_contact",
            ),
            required=("description",),
        ),
    }
    for name, limit in intake.PUBLIC_LIMITS.items():
        spec = fields[name]
        fields[name] = InputField(
            spec.annotation, f"{spec.description}（不超过 {limit} 字）", spec.default
        )
    return fields


@strawberry.type
class TopicIntakeMutation:
    submit_topic = mutation_field(
        "SubmitTopic",
        fields=_public_fields(),
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
            **column_inputs(
                models.Topic, creating=True, only=("proposal_id",), required=("proposal_id",)
            ),
            "title": InputField(
                str | None,
                described(models.Topic, "title") + "（不填则取提案案由，去掉“关于……的提案”）",
            ),
            **column_inputs(models.Topic, creating=True, only=("theme",)),
            "year": InputField(
                int | None, described(models.Topic, "year") + "（不填则取提案年度）"
            ),
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

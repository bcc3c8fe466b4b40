"""Consultations (协商活动), attendance, outcomes (协商成果) and leaders' instructions (批示)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import Attendance, ConsultationStatus
from xieshang.domain import consultations, crud
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import (
    InputField,
    crud_mutations,
    delete_handler,
    link_mutations,
    mutation_field,
    update_fields,
)
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import CONSULTATIONS, EVALUATIONS, FOLLOW_UPS, OUTCOMES


@strawberry.type(description="出席记录 ConsultationAttendance：一名委员在一次协商活动中的出席情况")
class ConsultationAttendance:
    attendance: Attendance = strawberry.field(description="出席情况 attendance")
    member = to_one(
        "Member", "member_id", model=models.Member, description="委员 member", required=True
    )


@strawberry.type(description="领导批示 Instruction：领导对协商成果或社情民意信息的批示")
class Instruction(RowType, Tracked):
    model = models.Instruction
    leader: str = strawberry.field(description="批示领导（职务） instructing leader，如 县委书记")
    content: str = strawberry.field(description="批示内容 content")
    instructed_on: date = strawberry.field(description="批示日期 date")
    outcome = to_one(
        "Outcome", "outcome_id", model=models.Outcome, description="批示的协商成果 outcome"
    )
    opinion_report = to_one(
        "OpinionReport",
        "opinion_report_id",
        model=models.OpinionReport,
        description="批示的社情民意信息 opinion report",
    )


@strawberry.type(description="协商活动 Consultation：在某一平台就某一议题开展的一次协商")
class Consultation(RowType, Archivable):
    model = models.Consultation
    title: str = strawberry.field(description="名称 title")
    form: str = strawberry.field(description="协商形式 form，如 专题协商、院坝协商（开放列表）")
    status: ConsultationStatus = strawberry.field(description="状态 status")
    starts_at: datetime = strawberry.field(description="开始时间 starts at")
    ends_at: datetime | None = strawberry.field(description="结束时间 ends at")
    agenda: str | None = strawberry.field(description="议程 agenda")
    invited_officials: str | None = strawberry.field(
        description="应邀参加的部门负责人等 invited officials"
    )
    resident_count: int | None = strawberry.field(
        description="参加群众人数 number of residents attending"
    )
    minutes: str | None = strawberry.field(description="会议记录 minutes")
    agreements: str | None = strawberry.field(description="达成的共识 agreements reached")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    topic = to_one("Topic", "topic_id", model=models.Topic, description="议题 topic", required=True)
    platform = to_one(
        "Platform", "platform_id", model=models.Platform, description="平台 platform", required=True
    )
    outcomes = connection_field(
        OUTCOMES, link=Link(models.Outcome.consultation_id), description="协商成果 outcomes"
    )

    @strawberry.field(description="委员出席情况 attendance of the invited members")
    async def attendances(
        self, root: strawberry.Parent[models.Consultation], info: Info[Context, Any]
    ) -> list[ConsultationAttendance]:
        loader = info.context.loaders.many(
            models.ConsultationAttendance,
            "consultation_id",
            order_by=("member_id",),
            scope=field_scope(info),
        )
        return await loader.load(root.id)


@strawberry.type(description="协商成果 Outcome：协商形成的协商专报、建议案、公约/协议、社情民意等")
class Outcome(RowType, Archivable):
    model = models.Outcome
    kind: str = strawberry.field(description="成果类型 kind，如 协商专报（开放列表）")
    title: str = strawberry.field(description="标题 title")
    summary: str | None = strawberry.field(description="摘要 summary")
    sent_to: str | None = strawberry.field(description="报送对象 body the outcome was sent to")
    reported_on: date | None = strawberry.field(description="报送日期 date reported")

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    consultation = to_one(
        "Consultation",
        "consultation_id",
        model=models.Consultation,
        description="协商活动 consultation",
        required=True,
    )
    follow_ups = connection_field(
        FOLLOW_UPS,
        link=Link(models.FollowUp.outcome_id),
        description="成果转化督办任务 follow-up tasks（默认按期限）",
    )
    evaluations = connection_field(
        EVALUATIONS,
        link=Link(models.Evaluation.outcome_id),
        description="群众评价 residents' evaluations",
    )
    instructions = to_many(
        "Instruction",
        "outcome_id",
        model=models.Instruction,
        order_by=("instructed_on", "id"),
        description="领导批示 leaders' instructions（按日期）",
    )


@strawberry.type
class ConsultationQuery:
    consultations = connection_field(
        CONSULTATIONS, description="协商活动列表 consultations（默认按开始时间）"
    )
    outcomes = connection_field(OUTCOMES, description="协商成果列表 outcomes（默认按录入顺序）")


_ConsultationCrud = crud_mutations(
    "Consultation",
    consultations.CONSULTATION,
    {
        "topic_id": InputField(strawberry.ID, "议题 topic"),
        "platform_id": InputField(strawberry.ID, "平台 platform（任一层级）"),
        "title": InputField(str, "名称 title"),
        "form": InputField(str, "协商形式 form，如 院坝协商（开放列表）"),
        "status": InputField(ConsultationStatus, "状态 status", ConsultationStatus.SCHEDULED),
        "starts_at": InputField(datetime, "开始时间 starts at"),
        "ends_at": InputField(datetime | None, "结束时间 ends at"),
        "agenda": InputField(str | None, "议程 agenda"),
        "invited_officials": InputField(str | None, "应邀参加的部门负责人等 invited officials"),
        "resident_count": InputField(int | None, "参加群众人数 residents attending"),
        "minutes": InputField(str | None, "会议记录 minutes"),
        "agreements": InputField(str | None, "达成的共识 agreements reached"),
    },
    node_field="consultation",
    noun="协商活动",
    update_exclude=("topic_id",),
)
_Attendance = link_mutations(
    consultations.ATTENDANCE,
    parent_type="Consultation",
    node_field="consultation",
    add="SetConsultationAttendance",
    remove="RemoveConsultationAttendance",
    noun="委员出席情况",
    extra_fields={"attendance": InputField(Attendance, "出席情况 attendance", Attendance.PRESENT)},
    upsert=True,
)
_OutcomeCrud = crud_mutations(
    "Outcome",
    consultations.OUTCOME,
    {
        "consultation_id": InputField(strawberry.ID, "协商活动 consultation"),
        "kind": InputField(str, "成果类型 kind，如 协商专报（开放列表）"),
        "title": InputField(str, "标题 title"),
        "summary": InputField(str | None, "摘要 summary"),
        "sent_to": InputField(str | None, "报送对象 sent to"),
        "reported_on": InputField(date | None, "报送日期 date reported"),
    },
    node_field="outcome",
    noun="协商成果",
    update_exclude=("consultation_id",),
)

INSTRUCTION_FIELDS = {
    "outcome_id": InputField(
        strawberry.ID | None, "批示的协商成果 outcome（与社情民意信息二选一）"
    ),
    "opinion_report_id": InputField(
        strawberry.ID | None, "批示的社情民意信息 opinion report（与成果二选一）"
    ),
    "leader": InputField(str, "批示领导（职务） leader，如 县委书记"),
    "content": InputField(str, "批示内容 content"),
    "instructed_on": InputField(date, "批示日期 date"),
}
_INSTRUCTION_IDS = {
    "outcome_id": "Outcome",
    "opinion_report_id": "OpinionReport",
    "id": "Instruction",
}


async def _create_instruction(work: Work, values: dict[str, Any]) -> Any:
    return await consultations.create_instruction(work, values)


async def _update_instruction(work: Work, values: dict[str, Any]) -> Any:
    pk, version = values.pop("id"), values.pop("expected_version")
    return await crud.update(work, consultations.INSTRUCTION_ON_OUTCOME, pk, version, values)


_TARGET = {
    "id": InputField(strawberry.ID, "领导批示 instruction"),
    "expected_version": InputField(int, "读取时的版本号 version last read"),
}


@strawberry.type
class ConsultationMutation(_ConsultationCrud, _Attendance, _OutcomeCrud):  # type: ignore[misc,valid-type]
    create_instruction = mutation_field(
        "CreateInstruction",
        fields=INSTRUCTION_FIELDS,
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=_create_instruction,
        description="登记领导批示 record a leader's instruction on an outcome or opinion report",
        input_description="登记领导批示的输入 input of createInstruction",
    )
    update_instruction = mutation_field(
        "UpdateInstruction",
        fields={
            **_TARGET,
            **update_fields(
                {
                    k: v
                    for k, v in INSTRUCTION_FIELDS.items()
                    if k in ("leader", "content", "instructed_on")
                }
            ),
        },
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=_update_instruction,
        description="修改领导批示 update an instruction",
        input_description="修改领导批示的输入 input of updateInstruction",
    )
    delete_instruction = mutation_field(
        "DeleteInstruction",
        fields=_TARGET,
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=delete_handler(consultations.INSTRUCTION_ON_OUTCOME),
        description="删除领导批示 delete an instruction",
        input_description="删除领导批示的输入 input of deleteInstruction",
    )

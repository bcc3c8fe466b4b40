"""Consultations (协商活动), attendance, outcomes (协商成果) and leaders' instructions (批示)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import Attendance, ConsultationStatus
from xieshang.schema.context import Context
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import CONSULTATIONS, EVALUATIONS, FOLLOW_UPS, OUTCOMES


@strawberry.type(description="出席记录 ConsultationAttendance：一名委员在一次协商活动中的出席情况")
class ConsultationAttendance:
    member_id: strawberry.Private[int]
    attendance: Attendance = strawberry.field(description="出席情况 attendance")
    member = to_one(
        "Member", "member_id", model=models.Member, description="委员 member", required=True
    )


@strawberry.type(description="领导批示 Instruction：领导对协商成果或社情民意信息的批示")
class Instruction(RowType, Tracked):
    model = models.Instruction
    outcome_id: strawberry.Private[int | None]
    opinion_report_id: strawberry.Private[int | None]
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
    county_id: strawberry.Private[int]
    topic_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
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
    async def attendances(self, info: Info[Context, Any]) -> list[ConsultationAttendance]:
        rows = await info.context.loaders.many(
            models.ConsultationAttendance, "consultation_id", order_by=("member_id",)
        ).load(self.pk)
        return [
            ConsultationAttendance(member_id=r.member_id, attendance=r.attendance) for r in rows
        ]


@strawberry.type(description="协商成果 Outcome：协商形成的协商专报、建议案、公约/协议、社情民意等")
class Outcome(RowType, Archivable):
    model = models.Outcome
    county_id: strawberry.Private[int]
    consultation_id: strawberry.Private[int]
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

"""GraphQL enums for the stored vocabularies, with each value's bilingual label as description."""

from __future__ import annotations

import strawberry

from xieshang.db import enums as db
from xieshang.db.enums import LabelledEnum


def graphql_enum(cls: type[LabelledEnum], description: str) -> type[LabelledEnum]:
    """Register a stored enum as a GraphQL enum; value descriptions come from the labels."""
    strawberry.enum(cls, description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = cls(value.value).label
    return cls


PlatformLevel = graphql_enum(db.PlatformLevel, "协商平台层级 platform level")
HostVenue = graphql_enum(db.HostVenue, "依托阵地类型 host venue type")
Gender = graphql_enum(db.Gender, "性别 gender")
MemberStatus = graphql_enum(db.MemberStatus, "委员状态 member status")
TopicSource = graphql_enum(db.TopicSource, "议题来源 topic source")
TopicStatus = graphql_enum(db.TopicStatus, "议题状态 topic status")
ConsultationStatus = graphql_enum(db.ConsultationStatus, "协商活动状态 consultation status")
Attendance = graphql_enum(db.Attendance, "出席情况 attendance")
FollowUpStatus = graphql_enum(db.FollowUpStatus, "督办任务状态 follow-up status")
ResultClass = graphql_enum(db.ResultClass, "办理结果类别 result class")
Satisfaction = graphql_enum(db.Satisfaction, "满意度 satisfaction")
EvaluationChannel = graphql_enum(db.EvaluationChannel, "评价渠道 evaluation channel")
ProposalFiling = graphql_enum(db.ProposalFiling, "提案立案情况 proposal filing")
ScreeningSeverity = graphql_enum(db.ScreeningSeverity, "初筛意见程度 screening severity")

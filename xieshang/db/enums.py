"""Closed vocabularies stored in the database (as text with a CHECK constraint).

Each member carries a bilingual label (Chinese first, English term after) used by the GraphQL
descriptions and by exports. Open vocabularies — activity kinds, consultation forms, outcome
kinds — are plain text columns, because counties and plugins add to them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A string enum whose value equals its name and which carries a label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class PlatformLevel(LabelledEnum):
    COUNTY = "COUNTY", "县级 county"
    TOWNSHIP = "TOWNSHIP", "乡镇（街道）级 township or street"
    VILLAGE = "VILLAGE", "村（社区）级 village or community"


class HostVenue(LabelledEnum):
    PARTY_SERVICE_COMPLEX = "PARTY_SERVICE_COMPLEX", "党群服务综合体 Party–public service complex"
    CIVILIZATION_CENTER = "CIVILIZATION_CENTER", "新时代文明实践中心 civilisation practice centre"
    CIVILIZATION_INSTITUTE = (
        "CIVILIZATION_INSTITUTE",
        "新时代文明实践所 civilisation practice institute",
    )
    CIVILIZATION_STATION = "CIVILIZATION_STATION", "新时代文明实践站 civilisation practice station"
    OTHER = "OTHER", "其他场所 other venue"


class Gender(LabelledEnum):
    MALE = "MALE", "男 male"
    FEMALE = "FEMALE", "女 female"


class MemberStatus(LabelledEnum):
    ACTIVE = "ACTIVE", "在任 serving"
    SUSPENDED = "SUSPENDED", "暂停履职 suspended"
    LEFT = "LEFT", "已离任 left office"


class TopicSource(LabelledEnum):
    PARTY_COMMITTEE = "PARTY_COMMITTEE", "县委交题 assigned by the county Party committee"
    GOVERNMENT = "GOVERNMENT", "政府点题 named by the county government"
    PUBLIC = "PUBLIC", "社会出题 proposed by the public"
    MEMBER_PROPOSAL = "MEMBER_PROPOSAL", "委员提案 from a member's proposal"


class TopicStatus(LabelledEnum):
    SUBMITTED = "SUBMITTED", "已提交 submitted"
    UNDER_REVIEW = "UNDER_REVIEW", "审查中 under review"
    SELECTED = "SELECTED", "已选定（重点议题） selected as a key topic"
    MERGED = "MERGED", "已并入其他议题 merged into another topic"
    RESERVED = "RESERVED", "留作参考 kept for reference"
    RETURNED = "RETURNED", "已退回 returned"
    SCHEDULED = "SCHEDULED", "已排期 scheduled"
    CONSULTED = "CONSULTED", "已协商 consulted"
    OUTCOME_REPORTED = "OUTCOME_REPORTED", "成果已报送 outcome reported"
    IN_IMPLEMENTATION = "IN_IMPLEMENTATION", "成果转化中 in implementation"
    CLOSED = "CLOSED", "已办结 closed"


class ScreeningSeverity(LabelledEnum):
    WARNING = "WARNING", "需注意 warning: the office should look at it before selecting"
    NOTICE = "NOTICE", "提示 notice: for information"


class ConsultationStatus(LabelledEnum):
    SCHEDULED = "SCHEDULED", "已安排 scheduled"
    HELD = "HELD", "已举行 held"
    CANCELLED = "CANCELLED", "已取消 cancelled"


class Attendance(LabelledEnum):
    PRESENT = "PRESENT", "出席 present"
    ON_LEAVE = "ON_LEAVE", "请假 on leave"
    ABSENT = "ABSENT", "缺席 absent without leave"


class FollowUpStatus(LabelledEnum):
    ASSIGNED = "ASSIGNED", "已交办 assigned"
    IN_PROGRESS = "IN_PROGRESS", "办理中 in progress"
    DONE = "DONE", "已办结 done"


class ResultClass(LabelledEnum):
    A = "A", "已解决或基本解决（A类） solved or basically solved"
    B = "B", "正在解决或已启动（B类） being solved or started"
    C = "C", "列入规划计划（C类） included in plans"
    D = "D", "因条件限制留作参考（D类） kept for reference owing to constraints"


class Satisfaction(LabelledEnum):
    VERY_SATISFIED = "VERY_SATISFIED", "非常满意 very satisfied"
    SATISFIED = "SATISFIED", "满意 satisfied"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED", "基本满意 basically satisfied"
    DISSATISFIED = "DISSATISFIED", "不满意 dissatisfied"


class EvaluationChannel(LabelledEnum):
    FORM = "FORM", "评价单（居民本人填写） evaluation form filled in by the resident"
    RETURN_VISIT = "RETURN_VISIT", "回访（委员代为记录） recorded by a member at a return visit"


class ProposalFiling(LabelledEnum):
    PENDING = "PENDING", "待审查 awaiting review"
    FILED = "FILED", "已立案 filed"
    NOT_FILED = "NOT_FILED", "不予立案 not filed"


#: Activity kinds every county has (履职活动); plugins may add more (open list).
BUILTIN_ACTIVITY_KINDS: dict[str, str] = {
    "READING": "委员读书 member reading",
    "DELIBERATION": "协商议事 consultation and deliberation",
    "INSPECTION": "视察 inspection",
    "RESEARCH": "调研 research",
    "TRAINING": "培训 training",
    "MEETING": "会议 meeting",
    "RECEPTION": "接待群众 receiving residents",
    "OTHER": "其他 other",
}

#: Consultation forms seen in practice (协商形式); an open list.
CONSULTATION_FORMS: tuple[str, ...] = (
    "专题协商",
    "界别协商",
    "对口协商",
    "提案办理协商",
    "院坝协商",
    "广场协商",
    "社区协商",
    "园区协商",
    "校园协商",
    "帐篷协商",
    "围炉协商",
)

#: Outcome kinds seen in practice (协商成果); an open list.
OUTCOME_KINDS: tuple[str, ...] = ("协商专报", "建议案", "公约/协议", "社情民意")


class Role(LabelledEnum):
    ADMIN = "ADMIN", "县政协机关管理员 county office administrator"
    STAFF = "STAFF", "县政协工作人员 county office staff"
    MEMBER = "MEMBER", "政协委员 committee member"
    AUDITOR = "AUDITOR", "审计员（只读审计日志） auditor, reads the audit trail only"
    UNIT = "UNIT", "承办单位 responsible unit"
    CITY_VIEWER = "CITY_VIEWER", "市级查看者（只读若干县） city viewer, reads several counties"

"""桐城's member duty assessment: a 100-point scheme, pass mark 60.

Meetings 50 (present 50, on leave 30, absent without leave 0, averaged over the consultation
meetings a member was invited to); proposals 25 (10 each, +15 when filed, half for the first
proposer of a joint proposal); activities 10 (2 each); opinion reports 15 (10 each, +5 when
adopted). Each section is capped. Grades as used in practice: 优秀 ≥ 90, 良好 ≥ 80, 称职 ≥ 60.
"""

from __future__ import annotations

from xieshang.rules import (
    AttendanceScore,
    Award,
    Flag,
    Grade,
    PointsScheme,
    ProposerRole,
    RecordKind,
    Section,
    Standard,
    SubjectKind,
    hookimpl,
)

#: The plugin API versions this plugin is written for (checked when xieshang loads it).
xieshang_api_version = "2.0"

MEMBER_DUTY = Standard(
    code="tongcheng.member-duty",
    title="桐城市政协委员履职考核（100 分制）",
    subject=SubjectKind.MEMBER,
    version="1.0",
    description="会议 50 分、提案 25 分、活动 10 分、社情民意 15 分，各部分封顶，60 分合格。",
    criteria=(
        PointsScheme(
            "duty",
            "履职积分",
            base=0,
            maximum=100,
            sections=(
                Section(
                    "meetings",
                    "会议",
                    (
                        AttendanceScore(
                            present=50, on_leave=30, absent=0, title="出席 50、请假 30、缺席 0"
                        ),
                    ),
                    cap=50,
                ),
                Section(
                    "proposals",
                    "提案",
                    (
                        Award(
                            RecordKind.PROPOSAL,
                            10,
                            role=ProposerRole.LEAD,
                            joint_factor=0.5,
                            title="每件 10 分",
                        ),
                        Award(
                            RecordKind.PROPOSAL,
                            15,
                            role=ProposerRole.LEAD,
                            when=Flag.FILED,
                            joint_factor=0.5,
                            title="立案加 15 分",
                        ),
                    ),
                    cap=25,
                ),
                Section(
                    "activities",
                    "活动",
                    (Award(RecordKind.ACTIVITY, 2, title="每次 2 分"),),
                    cap=10,
                ),
                Section(
                    "reports",
                    "社情民意",
                    (
                        Award(RecordKind.OPINION_REPORT, 10, title="每条 10 分"),
                        Award(RecordKind.OPINION_REPORT, 5, when=Flag.ADOPTED, title="采用加 5 分"),
                    ),
                    cap=15,
                ),
            ),
            grades=(
                Grade("优秀", 90),
                Grade("良好", 80),
                Grade("称职", 60),
                Grade("不称职", 0, passing=False),
            ),
        ),
    ),
)


@hookimpl
def xieshang_standards() -> list[Standard]:
    """桐城's standards."""
    return [MEMBER_DUTY]

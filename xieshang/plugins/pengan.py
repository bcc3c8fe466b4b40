"""蓬安县's standards: 三个一 for model member studios, 六有 for platforms, the member duty
assessment and the county roll-up.

三个一 is exactly what the county's mechanism states: one 社情民意信息 every month, at least one
activity (委员读书, 协商议事 …) every quarter, at least one 实事 every half year.

六有: the source does not list which six items 蓬安 uses. This plugin ships a *default* —
有场所、有标识、有制度、有人员、有活动、有档案 — as attested checklist items; a county overrides or
replaces it (see docs/plugins.md).

The member duty assessment (履职考核) weighs a member's own records and the compliance of the
studios they belong to, graded 优秀 / 良好 / 称职 / 不称职 (thresholds 90 / 80 / 60 as seen in
practice); its ranking serves 评先评优.
"""

from __future__ import annotations

from xieshang.rules import (
    ActivityKind,
    AttendanceScore,
    Award,
    Checklist,
    ChecklistItem,
    ComplianceAward,
    Flag,
    Grade,
    PeriodicQuota,
    PointsScheme,
    ProposerRole,
    RecordKind,
    ScreeningNote,
    Section,
    Severity,
    ShareMet,
    Standard,
    SubjectKind,
    TopicDraft,
    Window,
    hookimpl,
)

VERSION = "2024.1"

#: The plugin API versions this plugin is written for (docs/plugins.md, 兼容性 compatibility).
xieshang_api_version = "2.0"

THREE_ONES = Standard(
    code="pengan.three-ones",
    title="样板委员工作室“三个一”",
    subject=SubjectKind.STUDIO,
    version=VERSION,
    description="每月上报一条社情民意信息，每季度至少开展一次委员读书、协商议事等活动，每半年至少为群众办理一件实事。",
    criteria=(
        PeriodicQuota(
            "monthly-report", "每月上报一条社情民意信息", RecordKind.OPINION_REPORT, Window.MONTH, 1
        ),
        PeriodicQuota(
            "quarterly-activity",
            "每季度至少开展一次委员读书、协商议事等活动",
            RecordKind.ACTIVITY,
            Window.QUARTER,
            1,
        ),
        PeriodicQuota(
            "half-yearly-deed", "每半年至少为群众办理一件实事", RecordKind.DEED, Window.HALF_YEAR, 1
        ),
    ),
)

SIX_HAVES = Standard(
    code="pengan.six-haves",
    title="协商平台“六有”（默认项）",
    subject=SubjectKind.PLATFORM,
    version=VERSION,
    description=(
        "有场所、有标识、有制度、有人员、有活动、有档案。蓬安县未公布具体六项，此为默认项，"
        "各县可覆盖或替换。各项须经核实（attestPlatformChecklistItem）。"
    ),
    criteria=(
        Checklist(
            "six-haves",
            "六有",
            (
                ChecklistItem("venue", "有场所"),
                ChecklistItem("signage", "有标识"),
                ChecklistItem("rules", "有制度"),
                ChecklistItem("staff", "有人员"),
                ChecklistItem("activities", "有活动"),
                ChecklistItem("archive", "有档案"),
            ),
        ),
    ),
)

MEMBER_DUTY = Standard(
    code="pengan.member-duty",
    title="委员履职考核",
    subject=SubjectKind.MEMBER,
    version=VERSION,
    description=(
        "基本分 50 分，加上本人履职记录和所在工作室“三个一”落实情况的得分，满分 100 分；"
        "优秀 ≥ 90，良好 ≥ 80，称职 ≥ 60。"
    ),
    criteria=(
        PointsScheme(
            "duty",
            "履职积分",
            base=50,
            maximum=100,
            sections=(
                Section(
                    "reports",
                    "社情民意信息",
                    (
                        Award(RecordKind.OPINION_REPORT, 4, title="每报送一条"),
                        Award(RecordKind.OPINION_REPORT, 4, when=Flag.ADOPTED, title="被采用加分"),
                        Award(
                            RecordKind.OPINION_REPORT,
                            4,
                            when=Flag.INSTRUCTED,
                            title="获领导批示加分",
                        ),
                    ),
                    cap=16,
                ),
                Section(
                    "proposals",
                    "提案",
                    (
                        Award(RecordKind.PROPOSAL, 6, role=ProposerRole.LEAD, title="第一提案人"),
                        Award(RecordKind.PROPOSAL, 2, role=ProposerRole.JOINT, title="联名提案人"),
                        Award(
                            RecordKind.PROPOSAL,
                            4,
                            role=ProposerRole.LEAD,
                            when=Flag.FILED,
                            title="立案加分",
                        ),
                    ),
                    cap=12,
                ),
                Section(
                    "activities",
                    "履职活动",
                    (Award(RecordKind.ACTIVITY, 2, title="每参加一次"),),
                    cap=10,
                ),
                Section(
                    "deeds", "为群众办实事", (Award(RecordKind.DEED, 4, title="每参与一件"),), cap=8
                ),
                Section(
                    "attendance",
                    "协商活动出席",
                    (AttendanceScore(present=8, on_leave=5, absent=0, title="按每次出席情况平均"),),
                    cap=8,
                ),
                Section(
                    "studios",
                    "所在工作室“三个一”",
                    (ComplianceAward("pengan.three-ones", 6, title="所在工作室达标比例 × 6"),),
                    cap=6,
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

COUNTY_ROLLUP = Standard(
    code="pengan.county-rollup",
    title="全县“有事来协商”工作达标情况",
    subject=SubjectKind.COUNTY,
    version=VERSION,
    description="样板委员工作室“三个一”达标率不低于 80%，协商平台“六有”达标率不低于 90%；供委室考核参考。",
    criteria=(
        ShareMet("studios", "工作室“三个一”达标率", "pengan.three-ones", SubjectKind.STUDIO, 0.8),
        ShareMet(
            "platforms", "协商平台“六有”达标率", "pengan.six-haves", SubjectKind.PLATFORM, 0.9
        ),
    ),
)


@hookimpl
def xieshang_standards() -> list[Standard]:
    """蓬安县's standards."""
    return [THREE_ONES, SIX_HAVES, MEMBER_DUTY, COUNTY_ROLLUP]


@hookimpl
def xieshang_activity_kinds() -> list[ActivityKind]:
    """Activity kinds 蓬安's studios record beyond the built-in ones."""
    return [ActivityKind("ROTA_RECEPTION", "委员轮值接待 members' rota reception")]


#: Words that suggest a private dispute rather than a matter of public concern (议题初筛).
PERSONAL_DISPUTE_WORDS = (
    "离婚",
    "婚姻纠纷",
    "家庭纠纷",
    "邻里纠纷",
    "债务",
    "欠款",
    "欠我",
    "借钱不还",
    "赔偿我",
    "遗产",
    "分家",
)


@hookimpl
def xieshang_screen_topic(topic: TopicDraft) -> list[ScreeningNote] | None:
    """蓬安's modest default screening (counties using any ``pengan.*`` standard): it refuses
    nothing; it warns when the text looks like a personal dispute and notes a missing theme."""
    if not any(code.startswith("pengan.") for code in topic.active_standards):
        return None
    notes: list[ScreeningNote] = []
    found = [word for word in PERSONAL_DISPUTE_WORDS if word in topic.text]
    if found:
        notes.append(
            ScreeningNote(
                "pengan.personal-dispute",
                Severity.WARNING,
                f"内容含“{'”“'.join(found)}”，像是个人纠纷；宜引导通过人民调解、信访或诉讼解决，"
                "请核实是否涉及公共利益后再决定是否作为协商议题",
            )
        )
    if not (topic.theme or "").strip():
        notes.append(
            ScreeningNote(
                "pengan.no-theme",
                Severity.NOTICE,
                "未填写主题；选题时宜归入年度协商主题（如 优化营商环境、助力基层治理）",
            )
        )
    return notes

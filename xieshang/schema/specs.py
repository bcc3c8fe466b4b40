"""Every list of the API in one place: its filter input, how each filter field becomes SQL, and
the columns it can be sorted by.

The types modules use these specs for root lists (``members``) and nested ones
(``Studio.members``), so a filter means the same wherever the list appears.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import strawberry

from xieshang.db import models as m
from xieshang.db.enums import (
    ConsultationStatus,
    EvaluationChannel,
    FollowUpStatus,
    HostVenue,
    MemberStatus,
    PlatformLevel,
    ProposalFiling,
    Satisfaction,
    TopicSource,
    TopicStatus,
)
from xieshang.domain.calendar import local_today
from xieshang.schema.filters import (
    Predicate,
    ScopedFilter,
    at_least,
    at_most,
    contains,
    equals,
    global_id,
    global_id_in,
)
from xieshang.schema.lists import ListSpec, SortKey

ID = strawberry.ID


def _opt(description: str, default: Any = None) -> Any:
    return strawberry.field(default=default, description=description)


def _is_null(column: Any) -> Predicate:
    """``true`` → the column is NULL, ``false`` → it is not."""
    return lambda value, _c: column.is_(None) if value else column.is_not(None)


def _not_null(column: Any) -> Predicate:
    """``true`` → the column is set, ``false`` → it is NULL."""
    return lambda value, _c: column.is_not(None) if value else column.is_(None)


# -- the county and its structure ---------------------------------------------------------


@strawberry.input(description="县级政协列表筛选 county filter")
class CountyFilter:
    province: str | None = _opt("所属省 province")
    city: str | None = _opt("所属市 city")


COUNTIES = ListSpec(
    model=m.County,
    type_name="County",
    filter_input=CountyFilter,
    filters={"province": equals(m.County.province), "city": equals(m.County.city)},
    sort_keys=[
        SortKey("CODE", m.County.code, "行政区划代码 administrative code"),
        SortKey("NAME", m.County.name, "名称 name"),
    ],
    default_sort="CODE",
)


@strawberry.input(description="名称列表筛选 filter of a named list (sectors, offices, units)")
class NamedFilter(ScopedFilter):
    name_contains: str | None = _opt("名称包含 name contains")


def _named(model: Any, type_name: str, *, sort_order: bool) -> ListSpec:
    keys = [
        SortKey("NAME", model.name, "名称 name"),
        SortKey("ID", model.id, "录入顺序 insertion order"),
    ]
    if sort_order:
        keys.insert(0, SortKey("SORT_ORDER", model.sort_order, "排序号 sort order"))
    return ListSpec(
        model=model,
        type_name=type_name,
        filter_input=NamedFilter,
        filters={"name_contains": contains(model.name)},
        sort_keys=keys,
        default_sort="SORT_ORDER" if sort_order else "ID",
    )


SECTORS = _named(m.Sector, "Sector", sort_order=True)
OFFICES = _named(m.Office, "Office", sort_order=True)
RESPONSIBLE_UNITS = _named(m.ResponsibleUnit, "ResponsibleUnit", sort_order=False)


# -- members -------------------------------------------------------------------------------


@strawberry.input(description="委员列表筛选 member filter")
class MemberFilter(ScopedFilter):
    sector_id: ID | None = _opt("界别 sector")
    office_id: ID | None = _opt("委室 office")
    township: str | None = _opt("所在乡镇（街道） township")
    platform_id: ID | None = _opt(
        "当前网格所在平台 platform of the member's current grid placement"
    )
    studio_id: ID | None = _opt("所在工作室 studio the member belongs to")
    name_contains: str | None = _opt("姓名包含 name contains")
    is_standing_committee: bool | None = _opt("是否常委 standing-committee members only / excluded")
    status: MemberStatus | None = _opt("委员状态 status")
    term: int | None = _opt("届次 term")


MEMBERS = ListSpec(
    model=m.Member,
    type_name="Member",
    filter_input=MemberFilter,
    filters={
        "sector_id": global_id(m.Member.sector_id, "Sector"),
        "office_id": global_id(m.Member.office_id, "Office"),
        "township": equals(m.Member.township),
        "platform_id": global_id_in(
            m.Member.id,
            "Platform",
            lambda pk: sa.select(m.GridAssignment.member_id).where(
                m.GridAssignment.platform_id == pk, m.GridAssignment.ended_on.is_(None)
            ),
        ),
        "studio_id": global_id_in(
            m.Member.id,
            "Studio",
            lambda pk: sa.select(m.StudioMember.member_id).where(m.StudioMember.studio_id == pk),
        ),
        "name_contains": contains(m.Member.name),
        "is_standing_committee": equals(m.Member.is_standing_committee),
        "status": equals(m.Member.status),
        "term": equals(m.Member.term),
    },
    sort_keys=[
        SortKey("ID", m.Member.id, "录入顺序 insertion order"),
        SortKey("NAME", m.Member.name, "姓名 name"),
        SortKey("CREATED_AT", m.Member.created_at, "创建时间 created at"),
    ],
    default_sort="ID",
)


# -- platforms and the grid ----------------------------------------------------------------


@strawberry.input(description="协商平台列表筛选 platform filter")
class PlatformFilter(ScopedFilter):
    level: PlatformLevel | None = _opt("层级 level")
    parent_id: ID | None = _opt("上级平台 direct children of this platform")
    host_venue: HostVenue | None = _opt("依托阵地类型 host venue type")
    area_name: str | None = _opt("所在区域 area name（县、乡镇/街道或村/社区名）")
    name_contains: str | None = _opt("名称包含 name contains")


PLATFORMS = ListSpec(
    model=m.Platform,
    type_name="Platform",
    filter_input=PlatformFilter,
    filters={
        "level": equals(m.Platform.level),
        "parent_id": global_id(m.Platform.parent_id, "Platform"),
        "host_venue": equals(m.Platform.host_venue),
        "area_name": equals(m.Platform.area_name),
        "name_contains": contains(m.Platform.name),
    },
    sort_keys=[
        SortKey("ID", m.Platform.id, "录入顺序 insertion order"),
        SortKey("NAME", m.Platform.name, "名称 name"),
    ],
    default_sort="ID",
)


@strawberry.input(description="网格安排列表筛选 grid assignment filter")
class GridAssignmentFilter(ScopedFilter):
    member_id: ID | None = _opt("委员 member")
    platform_id: ID | None = _opt("平台 platform")
    current: bool | None = _opt(
        "仅当前（未结束）的安排 current placements only (true) or ended only (false)"
    )


GRID_ASSIGNMENTS = ListSpec(
    model=m.GridAssignment,
    type_name="GridAssignment",
    filter_input=GridAssignmentFilter,
    filters={
        "member_id": global_id(m.GridAssignment.member_id, "Member"),
        "platform_id": global_id(m.GridAssignment.platform_id, "Platform"),
        "current": _is_null(m.GridAssignment.ended_on),
    },
    sort_keys=[
        SortKey("ID", m.GridAssignment.id, "录入顺序 insertion order"),
        SortKey("ASSIGNED_ON", m.GridAssignment.assigned_on, "安排日期 date assigned"),
    ],
    default_sort="ID",
)


# -- studios -------------------------------------------------------------------------------


@strawberry.input(description="工作室列表筛选 studio filter")
class StudioFilter(ScopedFilter):
    batch_year: int | None = _opt("创建批次年份 batch year")
    office_id: ID | None = _opt("联系委室 office")
    sector_id: ID | None = _opt("界别 sector")
    host_platform_id: ID | None = _opt("依托平台 host platform")
    member_id: ID | None = _opt("有此委员的工作室 studios this member belongs to")
    name_contains: str | None = _opt("名称包含 name contains")


STUDIOS = ListSpec(
    model=m.Studio,
    type_name="Studio",
    filter_input=StudioFilter,
    filters={
        "batch_year": equals(m.Studio.batch_year),
        "office_id": global_id(m.Studio.office_id, "Office"),
        "sector_id": global_id(m.Studio.sector_id, "Sector"),
        "host_platform_id": global_id(m.Studio.host_platform_id, "Platform"),
        "member_id": global_id_in(
            m.Studio.id,
            "Member",
            lambda pk: sa.select(m.StudioMember.studio_id).where(m.StudioMember.member_id == pk),
        ),
        "name_contains": contains(m.Studio.name),
    },
    sort_keys=[
        SortKey("ID", m.Studio.id, "录入顺序 insertion order"),
        SortKey("NAME", m.Studio.name, "名称 name"),
        SortKey("BATCH_YEAR", m.Studio.batch_year, "创建批次年份 batch year"),
    ],
    default_sort="ID",
)


# -- topics --------------------------------------------------------------------------------


@strawberry.input(description="议题列表筛选 topic filter")
class TopicFilter(ScopedFilter):
    year: int | None = _opt("年度 year")
    is_key: bool | None = _opt("是否重点议题 key topics only / excluded")
    source: TopicSource | None = _opt("来源 source")
    status: TopicStatus | None = _opt("状态 status")
    theme: str | None = _opt("主题 theme")
    platform_id: ID | None = _opt("平台 platform")
    proposal_id: ID | None = _opt("来源提案 the proposal a topic was promoted from")
    title_contains: str | None = _opt("标题包含 title contains")
    submitted_from: datetime | None = _opt("提交时间不早于 submitted at or after")
    submitted_to: datetime | None = _opt("提交时间不晚于 submitted at or before")


TOPICS = ListSpec(
    model=m.Topic,
    type_name="Topic",
    filter_input=TopicFilter,
    filters={
        "year": equals(m.Topic.year),
        "is_key": equals(m.Topic.is_key),
        "source": equals(m.Topic.source),
        "status": equals(m.Topic.status),
        "theme": equals(m.Topic.theme),
        "platform_id": global_id(m.Topic.platform_id, "Platform"),
        "proposal_id": global_id(m.Topic.proposal_id, "Proposal"),
        "title_contains": contains(m.Topic.title),
        "submitted_from": at_least(m.Topic.submitted_at),
        "submitted_to": at_most(m.Topic.submitted_at),
    },
    sort_keys=[
        SortKey("ID", m.Topic.id, "录入顺序 insertion order"),
        SortKey("SUBMITTED_AT", m.Topic.submitted_at, "提交时间 submitted at"),
        SortKey("TITLE", m.Topic.title, "标题 title"),
        SortKey("YEAR", m.Topic.year, "年度 year"),
    ],
    default_sort="ID",
)


# -- consultations and outcomes ------------------------------------------------------------


@strawberry.input(description="协商活动列表筛选 consultation filter")
class ConsultationFilter(ScopedFilter):
    topic_id: ID | None = _opt("议题 topic")
    platform_id: ID | None = _opt("平台 platform")
    form: str | None = _opt("协商形式 form，如 院坝协商")
    status: ConsultationStatus | None = _opt("状态 status")
    member_id: ID | None = _opt("有此委员出席的 attended by this member")
    starts_from: datetime | None = _opt("开始时间不早于 starting at or after")
    starts_to: datetime | None = _opt("开始时间不晚于 starting at or before")


CONSULTATIONS = ListSpec(
    model=m.Consultation,
    type_name="Consultation",
    filter_input=ConsultationFilter,
    filters={
        "topic_id": global_id(m.Consultation.topic_id, "Topic"),
        "platform_id": global_id(m.Consultation.platform_id, "Platform"),
        "form": equals(m.Consultation.form),
        "status": equals(m.Consultation.status),
        "member_id": global_id_in(
            m.Consultation.id,
            "Member",
            lambda pk: sa.select(m.ConsultationAttendance.consultation_id).where(
                m.ConsultationAttendance.member_id == pk
            ),
        ),
        "starts_from": at_least(m.Consultation.starts_at),
        "starts_to": at_most(m.Consultation.starts_at),
    },
    sort_keys=[
        SortKey("STARTS_AT", m.Consultation.starts_at, "开始时间 starts at"),
        SortKey("ID", m.Consultation.id, "录入顺序 insertion order"),
    ],
    default_sort="STARTS_AT",
)


@strawberry.input(description="协商成果列表筛选 outcome filter")
class OutcomeFilter(ScopedFilter):
    consultation_id: ID | None = _opt("协商活动 consultation")
    kind: str | None = _opt("成果类型 kind，如 协商专报")
    title_contains: str | None = _opt("标题包含 title contains")
    reported_from: date | None = _opt("报送日期不早于 reported on or after")
    reported_to: date | None = _opt("报送日期不晚于 reported on or before")


OUTCOMES = ListSpec(
    model=m.Outcome,
    type_name="Outcome",
    filter_input=OutcomeFilter,
    filters={
        "consultation_id": global_id(m.Outcome.consultation_id, "Consultation"),
        "kind": equals(m.Outcome.kind),
        "title_contains": contains(m.Outcome.title),
        "reported_from": at_least(m.Outcome.reported_on),
        "reported_to": at_most(m.Outcome.reported_on),
    },
    sort_keys=[
        SortKey("ID", m.Outcome.id, "录入顺序 insertion order"),
        SortKey("CREATED_AT", m.Outcome.created_at, "创建时间 created at"),
    ],
    default_sort="ID",
)


# -- follow-up and evaluations ---------------------------------------------------------------


def _overdue(value: bool, context: Any) -> Any:
    today = local_today(context.settings.zone)
    late = sa.and_(m.FollowUp.status != FollowUpStatus.DONE, m.FollowUp.due_on < today)
    return late if value else sa.not_(late)


@strawberry.input(description="督办任务列表筛选 follow-up filter")
class FollowUpFilter(ScopedFilter):
    outcome_id: ID | None = _opt("协商成果 outcome")
    unit_id: ID | None = _opt("承办单位 responsible unit")
    status: FollowUpStatus | None = _opt("状态 status")
    open: bool | None = _opt("是否未办结 open tasks only (true) or done only (false)")
    overdue: bool | None = _opt("是否逾期（未办结且已过期限，按县所在时区的日历） overdue")
    due_from: date | None = _opt("期限不早于 due on or after")
    due_to: date | None = _opt("期限不晚于 due on or before")


FOLLOW_UPS = ListSpec(
    model=m.FollowUp,
    type_name="FollowUp",
    filter_input=FollowUpFilter,
    filters={
        "outcome_id": global_id(m.FollowUp.outcome_id, "Outcome"),
        "unit_id": global_id(m.FollowUp.unit_id, "ResponsibleUnit"),
        "status": equals(m.FollowUp.status),
        "open": lambda value, _c: (
            (m.FollowUp.status != FollowUpStatus.DONE)
            if value
            else (m.FollowUp.status == FollowUpStatus.DONE)
        ),
        "overdue": _overdue,
        "due_from": at_least(m.FollowUp.due_on),
        "due_to": at_most(m.FollowUp.due_on),
    },
    sort_keys=[
        SortKey("DUE_ON", m.FollowUp.due_on, "办理期限 due date"),
        SortKey("ASSIGNED_ON", m.FollowUp.assigned_on, "交办日期 date assigned"),
        SortKey("ID", m.FollowUp.id, "录入顺序 insertion order"),
    ],
    default_sort="DUE_ON",
)


@strawberry.input(description="群众评价列表筛选 evaluation filter")
class EvaluationFilter(ScopedFilter):
    outcome_id: ID | None = _opt("协商成果 outcome")
    satisfaction: Satisfaction | None = _opt("满意度 satisfaction")
    channel: EvaluationChannel | None = _opt("评价渠道 channel")
    visited_by_member_id: ID | None = _opt("回访委员 member who made the return visit")


EVALUATIONS = ListSpec(
    model=m.Evaluation,
    type_name="Evaluation",
    filter_input=EvaluationFilter,
    filters={
        "outcome_id": global_id(m.Evaluation.outcome_id, "Outcome"),
        "satisfaction": equals(m.Evaluation.satisfaction),
        "channel": equals(m.Evaluation.channel),
        "visited_by_member_id": global_id(m.Evaluation.visited_by_member_id, "Member"),
    },
    sort_keys=[
        SortKey("SUBMITTED_AT", m.Evaluation.submitted_at, "提交时间 submitted at"),
        SortKey("ID", m.Evaluation.id, "录入顺序 insertion order"),
    ],
    default_sort="SUBMITTED_AT",
)


# -- duty records --------------------------------------------------------------------------


@strawberry.input(description="社情民意信息列表筛选 opinion report filter")
class OpinionReportFilter(ScopedFilter):
    studio_id: ID | None = _opt("工作室 studio")
    member_id: ID | None = _opt("撰写委员 author")
    adopted: bool | None = _opt("是否被采用 adopted")
    title_contains: str | None = _opt("标题包含 title contains")
    submitted_from: date | None = _opt("报送日期不早于 submitted on or after")
    submitted_to: date | None = _opt("报送日期不晚于 submitted on or before")


OPINION_REPORTS = ListSpec(
    model=m.OpinionReport,
    type_name="OpinionReport",
    filter_input=OpinionReportFilter,
    filters={
        "studio_id": global_id(m.OpinionReport.studio_id, "Studio"),
        "member_id": global_id(m.OpinionReport.member_id, "Member"),
        "adopted": equals(m.OpinionReport.adopted),
        "title_contains": contains(m.OpinionReport.title),
        "submitted_from": at_least(m.OpinionReport.submitted_on),
        "submitted_to": at_most(m.OpinionReport.submitted_on),
    },
    sort_keys=[
        SortKey("SUBMITTED_ON", m.OpinionReport.submitted_on, "报送日期 submitted on"),
        SortKey("ID", m.OpinionReport.id, "录入顺序 insertion order"),
    ],
    default_sort="SUBMITTED_ON",
)


@strawberry.input(description="履职活动列表筛选 activity filter")
class ActivityFilter(ScopedFilter):
    studio_id: ID | None = _opt("工作室 studio")
    member_id: ID | None = _opt("参加委员 participating member")
    platform_id: ID | None = _opt("平台 platform")
    kind: str | None = _opt("活动类型 kind，如 READING")
    occurred_from: date | None = _opt("日期不早于 on or after")
    occurred_to: date | None = _opt("日期不晚于 on or before")


ACTIVITIES = ListSpec(
    model=m.Activity,
    type_name="Activity",
    filter_input=ActivityFilter,
    filters={
        "studio_id": global_id(m.Activity.studio_id, "Studio"),
        "member_id": global_id_in(
            m.Activity.id,
            "Member",
            lambda pk: sa.select(m.ActivityParticipant.activity_id).where(
                m.ActivityParticipant.member_id == pk
            ),
        ),
        "platform_id": global_id(m.Activity.platform_id, "Platform"),
        "kind": equals(m.Activity.kind),
        "occurred_from": at_least(m.Activity.occurred_on),
        "occurred_to": at_most(m.Activity.occurred_on),
    },
    sort_keys=[
        SortKey("OCCURRED_ON", m.Activity.occurred_on, "日期 date"),
        SortKey("ID", m.Activity.id, "录入顺序 insertion order"),
    ],
    default_sort="OCCURRED_ON",
)


@strawberry.input(description="实事列表筛选 deed filter")
class DeedFilter(ScopedFilter):
    studio_id: ID | None = _opt("工作室 studio")
    member_id: ID | None = _opt("参加委员 participating member")
    platform_id: ID | None = _opt("平台 platform")
    done_from: date | None = _opt("办理日期不早于 done on or after")
    done_to: date | None = _opt("办理日期不晚于 done on or before")


DEEDS = ListSpec(
    model=m.Deed,
    type_name="Deed",
    filter_input=DeedFilter,
    filters={
        "studio_id": global_id(m.Deed.studio_id, "Studio"),
        "member_id": global_id_in(
            m.Deed.id,
            "Member",
            lambda pk: sa.select(m.DeedParticipant.deed_id).where(
                m.DeedParticipant.member_id == pk
            ),
        ),
        "platform_id": global_id(m.Deed.platform_id, "Platform"),
        "done_from": at_least(m.Deed.done_on),
        "done_to": at_most(m.Deed.done_on),
    },
    sort_keys=[
        SortKey("DONE_ON", m.Deed.done_on, "办理日期 done on"),
        SortKey("ID", m.Deed.id, "录入顺序 insertion order"),
    ],
    default_sort="DONE_ON",
)


@strawberry.input(description="提案列表筛选 proposal filter")
class ProposalFilter(ScopedFilter):
    year: int | None = _opt("年度 year")
    member_id: ID | None = _opt("提案人（第一提案人或联名） proposer, first or joint")
    lead_member_id: ID | None = _opt("第一提案人 first proposer")
    sector_id: ID | None = _opt("以界别名义提出 proposed by this sector")
    studio_id: ID | None = _opt("工作室 studio")
    filing: ProposalFiling | None = _opt("立案情况 filing")
    is_key: bool | None = _opt("是否重点提案 key proposals")
    handled: bool | None = _opt("是否已办结 handled")
    title_contains: str | None = _opt("标题包含 title contains")


PROPOSALS = ListSpec(
    model=m.Proposal,
    type_name="Proposal",
    filter_input=ProposalFilter,
    filters={
        "year": equals(m.Proposal.year),
        "member_id": lambda value, context: sa.or_(
            global_id(m.Proposal.lead_member_id, "Member")(value, context),
            global_id_in(
                m.Proposal.id,
                "Member",
                lambda pk: sa.select(m.ProposalJointProposer.proposal_id).where(
                    m.ProposalJointProposer.member_id == pk
                ),
            )(value, context),
        ),
        "lead_member_id": global_id(m.Proposal.lead_member_id, "Member"),
        "sector_id": global_id(m.Proposal.sector_id, "Sector"),
        "studio_id": global_id(m.Proposal.studio_id, "Studio"),
        "filing": equals(m.Proposal.filing),
        "is_key": equals(m.Proposal.is_key),
        "handled": _not_null(m.Proposal.handled_on),
        "title_contains": contains(m.Proposal.title),
    },
    sort_keys=[
        SortKey("SUBMITTED_ON", m.Proposal.submitted_on, "提交日期 submitted on"),
        SortKey("ID", m.Proposal.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)

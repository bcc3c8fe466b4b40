"""Every list of the API in one place.

Column filters and sort keys come from the columns' declarations (:mod:`xieshang.db.fields`);
what is written here is each list's default order and the filters that are not one column's
(a link through another table, a computed condition). The types modules use these specs for
root lists (``members``) and nested ones (``Studio.members``), so a filter means the same
wherever the list appears.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import strawberry

from xieshang.db import models as m
from xieshang.db.enums import FollowUpStatus
from xieshang.domain.calendar import local_today
from xieshang.schema.filters import Predicate, global_id, global_id_in
from xieshang.schema.lists import ExtraFilter, ListSpec, list_spec
from xieshang.schema.relay import OrderDirection

ID = strawberry.ID


def _member_in(column: Any, through: Any, key: Any, member: Any) -> Predicate:
    """Rows whose ``column`` is listed in ``through`` (``key``) for a member's global ID."""
    return global_id_in(column, "Member", lambda pk: sa.select(key).where(member == pk))


def _by_member(name: str, description: str, column: Any, through: Any, key: Any) -> ExtraFilter:
    return ExtraFilter(
        name, ID | None, description, _member_in(column, through, key, through.member_id)
    )


# -- the county and its structure ---------------------------------------------------------

COUNTIES = list_spec(
    m.County, label="县级政协", default_sort="CODE", scoped=False, insertion_order=False,
    filter_description="县级政协列表筛选 county filter",
)  # fmt: skip


def _named(model: Any, label: str, default_sort: str) -> ListSpec:
    """Sectors, offices and units share one filter input (their names)."""
    return list_spec(
        model,
        label=label,
        default_sort=default_sort,
        filter_name="NamedFilter",
        filter_description="名称列表筛选 filter of a named list (sectors, offices, units)",
    )


SECTORS = _named(m.Sector, "界别", "SORT_ORDER")
OFFICES = _named(m.Office, "委室", "SORT_ORDER")
RESPONSIBLE_UNITS = _named(m.ResponsibleUnit, "承办单位", "ID")

# -- members and the grid -------------------------------------------------------------------

MEMBERS = list_spec(
    m.Member,
    label="委员",
    default_sort="ID",
    also_sortable=("created_at",),
    extra_filters=(
        ExtraFilter(
            "platform_id",
            ID | None,
            "当前网格所在平台 platform of the member's current grid placement",
            global_id_in(
                m.Member.id,
                "Platform",
                lambda pk: sa.select(m.GridAssignment.member_id).where(
                    m.GridAssignment.platform_id == pk, m.GridAssignment.ended_on.is_(None)
                ),
            ),
        ),
        ExtraFilter(
            "studio_id",
            ID | None,
            "所在工作室 studio the member belongs to",
            global_id_in(
                m.Member.id,
                "Studio",
                lambda pk: sa.select(m.StudioMember.member_id).where(
                    m.StudioMember.studio_id == pk
                ),
            ),
        ),
    ),
)

PLATFORMS = list_spec(m.Platform, label="协商平台", default_sort="ID")

GRID_ASSIGNMENTS = list_spec(
    m.GridAssignment,
    label="网格安排",
    default_sort="ID",
    extra_filters=(
        ExtraFilter(
            "current",
            bool | None,
            "仅当前（未结束）的安排 current placements only (true) or ended only (false)",
            lambda value, _c: (
                m.GridAssignment.ended_on.is_(None)
                if value
                else m.GridAssignment.ended_on.is_not(None)
            ),
        ),
    ),
)

# -- studios --------------------------------------------------------------------------------

STUDIOS = list_spec(
    m.Studio,
    label="工作室",
    default_sort="ID",
    extra_filters=(
        _by_member(
            "member_id", "有此委员的工作室 studios this member belongs to",
            m.Studio.id, m.StudioMember, m.StudioMember.studio_id,
        ),
    ),
)  # fmt: skip

# -- topics, consultations and outcomes -----------------------------------------------------

TOPICS = list_spec(m.Topic, label="议题", default_sort="ID")

CONSULTATIONS = list_spec(
    m.Consultation,
    label="协商活动",
    default_sort="STARTS_AT",
    extra_filters=(
        _by_member(
            "member_id", "有此委员出席的 attended by this member",
            m.Consultation.id, m.ConsultationAttendance, m.ConsultationAttendance.consultation_id,
        ),
    ),
)  # fmt: skip

OUTCOMES = list_spec(m.Outcome, label="协商成果", default_sort="ID", also_sortable=("created_at",))

# -- follow-up and evaluations ---------------------------------------------------------------


def _overdue(value: bool, context: Any) -> Any:
    today = local_today(context.settings.zone)
    late = sa.and_(m.FollowUp.status != FollowUpStatus.DONE, m.FollowUp.due_on < today)
    return late if value else sa.not_(late)


FOLLOW_UPS = list_spec(
    m.FollowUp,
    label="督办任务",
    default_sort="DUE_ON",
    extra_filters=(
        ExtraFilter(
            "open",
            bool | None,
            "是否未办结 open tasks only (true) or done only (false)",
            lambda value, _c: (
                (m.FollowUp.status != FollowUpStatus.DONE)
                if value
                else (m.FollowUp.status == FollowUpStatus.DONE)
            ),
        ),
        ExtraFilter(
            "overdue",
            bool | None,
            "是否逾期（未办结且已过期限，按县所在时区的日历） overdue",
            _overdue,
        ),
    ),
)

EVALUATIONS = list_spec(m.Evaluation, label="群众评价", default_sort="SUBMITTED_AT")

# -- duty records --------------------------------------------------------------------------

OPINION_REPORTS = list_spec(m.OpinionReport, label="社情民意信息", default_sort="SUBMITTED_ON")

ACTIVITIES = list_spec(
    m.Activity,
    label="履职活动",
    default_sort="OCCURRED_ON",
    extra_filters=(
        _by_member(
            "member_id", "参加委员 participating member",
            m.Activity.id, m.ActivityParticipant, m.ActivityParticipant.activity_id,
        ),
    ),
)  # fmt: skip

DEEDS = list_spec(
    m.Deed,
    label="实事",
    default_sort="DONE_ON",
    extra_filters=(
        _by_member(
            "member_id", "参加委员 participating member",
            m.Deed.id, m.DeedParticipant, m.DeedParticipant.deed_id,
        ),
    ),
)  # fmt: skip

PROPOSALS = list_spec(
    m.Proposal,
    label="提案",
    default_sort="ID",
    extra_filters=(
        ExtraFilter(
            "member_id",
            ID | None,
            "提案人（第一提案人或联名） proposer, first or joint",
            lambda value, context: sa.or_(
                global_id(m.Proposal.lead_member_id, "Member")(value, context),
                _member_in(
                    m.Proposal.id,
                    m.ProposalJointProposer,
                    m.ProposalJointProposer.proposal_id,
                    m.ProposalJointProposer.member_id,
                )(value, context),
            ),
        ),
        ExtraFilter(
            "handled",
            bool | None,
            "是否已办结 handled",
            lambda value, _c: (
                m.Proposal.handled_on.is_not(None) if value else m.Proposal.handled_on.is_(None)
            ),
        ),
    ),
)

__all__ = [
    "ACTIVITIES", "CONSULTATIONS", "COUNTIES", "DEEDS", "EVALUATIONS", "FOLLOW_UPS",
    "GRID_ASSIGNMENTS", "MEMBERS", "OFFICES", "OPINION_REPORTS", "OUTCOMES", "PLATFORMS",
    "PROPOSALS", "RESPONSIBLE_UNITS", "SECTORS", "STUDIOS", "TOPICS", "ListSpec",
    "OrderDirection",
]  # fmt: skip

"""Follow-up supervision (跟踪督办) of outcomes and residents' evaluations (成果转化评价单)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xieshang.db.base import (
    Archivable,
    Base,
    TenantOwned,
    Timestamped,
    Versioned,
    enum_type,
    not_blank,
    tenant_fk,
    tenant_key,
    utcnow,
)
from xieshang.db.enums import EvaluationChannel, FollowUpStatus, ResultClass, Satisfaction
from xieshang.db.fields import CREATE, EQUALS, NEVER, RANGE, field


class FollowUp(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A task implementing an outcome, assigned (交办) to a responsible unit with a due date."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        tenant_key(),
        tenant_fk("outcome_id", "outcomes"),
        tenant_fk("unit_id", "responsible_units"),
        not_blank("task"),
        sa.CheckConstraint("due_on >= assigned_on", name="due_after_assigned"),
        # Done ⇔ completed with a result class; open tasks carry neither.
        sa.CheckConstraint(
            "(status = 'DONE' AND completed_on IS NOT NULL AND result_class IS NOT NULL)"
            " OR (status <> 'DONE' AND completed_on IS NULL AND result_class IS NULL)",
            name="done_has_result",
        ),
        sa.CheckConstraint(
            "completed_on IS NULL OR completed_on >= assigned_on", name="completed_after_assigned"
        ),
        sa.Index("ix_follow_ups_county_id_status_due_on", "county_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        index=True, info=field("协商成果", "outcome", filter=EQUALS, write=CREATE)
    )
    unit_id: Mapped[int] = mapped_column(
        index=True, info=field("承办单位", "responsible unit", filter=EQUALS)
    )
    task: Mapped[str] = mapped_column(sa.Text, info=field("任务内容", "task"))
    assigned_on: Mapped[date] = mapped_column(info=field("交办日期", "date assigned", sort=True))
    due_on: Mapped[date] = mapped_column(
        info=field("办理期限", "due date", "（不早于交办日期）", filter=RANGE, sort=True)
    )
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus),
        default=FollowUpStatus.ASSIGNED,
        info=field("状态", "status", filter=EQUALS, write=NEVER),
    )
    completed_on: Mapped[date | None] = mapped_column(
        info=field("办结日期", "date completed", write=NEVER)
    )
    result_class: Mapped[ResultClass | None] = mapped_column(
        enum_type(ResultClass),
        info=field("办理结果类别", "result class", "（办结时填写）", write=NEVER),
    )
    #: The county-calendar day the task was announced overdue (once, by whichever process
    #: got there first); None while it is not overdue or not yet announced.
    overdue_announced_on: Mapped[date | None]


class FollowUpNote(TenantOwned, Base):
    """A progress note a unit reports on a follow-up task (append-only)."""

    __tablename__ = "follow_up_notes"
    __table_args__ = (
        tenant_key(),
        tenant_fk("follow_up_id", "follow_ups", ondelete="CASCADE"),
        not_blank("content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        index=True, info=field("督办任务", "follow-up task", write=CREATE, shown=False)
    )
    content: Mapped[str] = mapped_column(sa.Text, info=field("进展内容", "content"))
    author: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("报告人", "author", "（承办单位账号不填时为其账号名）")
    )
    noted_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("报告时间", "noted at", write=NEVER)
    )


class Evaluation(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A resident's evaluation of how an outcome was implemented (协商成果转化评价单)."""

    __tablename__ = "evaluations"
    __table_args__ = (
        tenant_key(),
        tenant_fk("outcome_id", "outcomes"),
        tenant_fk("visited_by_member_id", "members"),
        tenant_fk("invitation_id", "evaluation_invitations"),
        not_blank("resident_name"),
        # One evaluation per invitation, whatever races the application loses.
        sa.UniqueConstraint("invitation_id"),
        sa.CheckConstraint("invitation_id IS NULL OR channel = 'FORM'", name="invitation_is_form"),
        # A return visit is recorded by a member; a form is filled in by the resident alone.
        sa.CheckConstraint(
            "(channel = 'RETURN_VISIT') = (visited_by_member_id IS NOT NULL)",
            name="return_visit_has_member",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        index=True, info=field("协商成果", "outcome", filter=EQUALS, write=CREATE)
    )
    resident_name: Mapped[str] = mapped_column(
        sa.String(50),
        info=field(
            "评价人",
            "resident's name",
            shown=False,
        ),
    )
    #: The resident's role, e.g. 村党支部书记.
    resident_role: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("评价人身份", "resident's role", "，如 村党支部书记")
    )
    #: Personal data: shown only to the county office.
    resident_contact: Mapped[str | None] = mapped_column(
        sa.String(100),
        info=field(
            "评价人联系方式",
            "resident's contact",
            shown=False,
        ),
    )
    satisfaction: Mapped[Satisfaction] = mapped_column(
        enum_type(Satisfaction), info=field("满意度", "satisfaction", filter=EQUALS)
    )
    #: What the resident said, in their words (e.g. "满意，非常满意").
    comment: Mapped[str | None] = mapped_column(
        sa.Text, info=field("评价原话", "the resident's words", "，如 满意，非常满意")
    )
    suggestion: Mapped[str | None] = mapped_column(sa.Text, info=field("意见建议", "suggestion"))
    channel: Mapped[EvaluationChannel] = mapped_column(
        enum_type(EvaluationChannel), info=field("评价渠道", "channel", filter=EQUALS)
    )
    visited_by_member_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field(
            "回访委员",
            "member who made the return visit",
            "（回访记录必填）",
            filter=EQUALS,
            relation="visited_by",
        ),
    )
    #: The invitation a resident answered through (FORM evaluations sent by link).
    invitation_id: Mapped[int | None] = mapped_column(
        info=field("评价邀请", "invitation", write=NEVER, shown=False)
    )
    submitted_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("提交时间", "submitted at", sort=True, write=NEVER)
    )

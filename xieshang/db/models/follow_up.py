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
    outcome_id: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int] = mapped_column(index=True)
    task: Mapped[str] = mapped_column(sa.Text)
    assigned_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus), default=FollowUpStatus.ASSIGNED
    )
    completed_on: Mapped[date | None]
    result_class: Mapped[ResultClass | None] = mapped_column(enum_type(ResultClass))
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
    follow_up_id: Mapped[int] = mapped_column(index=True)
    content: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str | None] = mapped_column(sa.String(50))
    noted_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    outcome_id: Mapped[int] = mapped_column(index=True)
    resident_name: Mapped[str] = mapped_column(sa.String(50))
    #: The resident's role, e.g. 村党支部书记.
    resident_role: Mapped[str | None] = mapped_column(sa.String(50))
    #: Personal data: shown only to the county office.
    resident_contact: Mapped[str | None] = mapped_column(sa.String(100))
    satisfaction: Mapped[Satisfaction] = mapped_column(enum_type(Satisfaction))
    #: What the resident said, in their words (e.g. "满意，非常满意").
    comment: Mapped[str | None] = mapped_column(sa.Text)
    suggestion: Mapped[str | None] = mapped_column(sa.Text)
    channel: Mapped[EvaluationChannel] = mapped_column(enum_type(EvaluationChannel))
    visited_by_member_id: Mapped[int | None] = mapped_column(index=True)
    #: The invitation a resident answered through (FORM evaluations sent by link).
    invitation_id: Mapped[int | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationInvitation(TenantOwned, Base):
    """An invitation for a named resident to evaluate an outcome through a one-time link.

    Only the SHA-256 hash of the link token is stored; the token is shown once, when the
    invitation is created. ``used_at`` is set by the one submission that wins.
    """

    __tablename__ = "evaluation_invitations"
    __table_args__ = (
        tenant_key(),
        tenant_fk("outcome_id", "outcomes"),
        not_blank("resident_name"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(index=True)
    resident_name: Mapped[str] = mapped_column(sa.String(50))
    resident_role: Mapped[str | None] = mapped_column(sa.String(50))
    #: Personal data: shown only to the county office.
    resident_contact: Mapped[str | None] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Withdrawn by the office before it was used.
    revoked_at: Mapped[datetime | None]

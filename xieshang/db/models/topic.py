"""Topics (协商议题) proposed for consultation."""

from __future__ import annotations

from datetime import datetime

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
from xieshang.db.enums import ScreeningSeverity, TopicSource, TopicStatus


class Topic(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A matter proposed for consultation, from one of the four sources."""

    __tablename__ = "topics"
    __table_args__ = (
        tenant_key(),
        tenant_fk("platform_id", "platforms"),
        tenant_fk("proposal_id", "proposals"),
        tenant_fk("proposer_member_id", "members"),
        tenant_fk("merged_into_id", "topics"),
        not_blank("title"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint(
            "(status = 'MERGED') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_self_merged"
        ),
        sa.Index("ix_topics_county_id_year_is_key", "county_id", "year", "is_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[TopicSource] = mapped_column(enum_type(TopicSource))
    year: Mapped[int]
    #: 主题, e.g. 优化营商环境; the "大主题" a topic is a "小切口" of.
    theme: Mapped[str | None] = mapped_column(sa.String(50))
    #: 重点议题: selected for consultation this year.
    is_key: Mapped[bool] = mapped_column(default=False)
    status: Mapped[TopicStatus] = mapped_column(
        enum_type(TopicStatus), default=TopicStatus.SUBMITTED
    )
    #: 交题/点题单位 for Party-committee and government topics.
    assigning_body: Mapped[str | None] = mapped_column(sa.String(100))
    platform_id: Mapped[int | None] = mapped_column(index=True)
    #: The member's proposal a MEMBER_PROPOSAL topic was promoted from.
    proposal_id: Mapped[int | None] = mapped_column(index=True)
    proposer_member_id: Mapped[int | None] = mapped_column(index=True)
    #: Name and contact of a resident who proposed a PUBLIC topic (personal data).
    proposer_name: Mapped[str | None] = mapped_column(sa.String(50))
    proposer_contact: Mapped[str | None] = mapped_column(sa.String(100))
    merged_into_id: Mapped[int | None] = mapped_column(index=True)
    #: Why the topic was kept for reference or returned.
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicTransition(TenantOwned, Base):
    """One step of a topic's workflow (its timeline): who moved it, when, from and to what."""

    __tablename__ = "topic_transitions"
    __table_args__ = (
        tenant_key(),
        tenant_fk("topic_id", "topics", ondelete="CASCADE"),
        sa.Index("ix_topic_transitions_topic_id_occurred_at", "topic_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int]
    #: None for the first entry: the topic came in.
    from_status: Mapped[TopicStatus | None] = mapped_column(
        enum_type(TopicStatus, name="topic_from_status")
    )
    to_status: Mapped[TopicStatus] = mapped_column(enum_type(TopicStatus))
    #: Username (or ANONYMOUS / SYSTEM) and role of whoever made the step.
    actor: Mapped[str | None] = mapped_column(sa.String(50))
    actor_role: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicScreeningNote(TenantOwned, Base):
    """What a county's screening rule said about a topic when it came in (议题初筛意见)."""

    __tablename__ = "topic_screening_notes"
    __table_args__ = (
        tenant_key(),
        tenant_fk("topic_id", "topics", ondelete="CASCADE"),
        not_blank("code"),
        not_blank("message"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(index=True)
    #: The rule plugin that wrote the note.
    plugin: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str] = mapped_column(sa.String(50))
    severity: Mapped[ScreeningSeverity] = mapped_column(enum_type(ScreeningSeverity))
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

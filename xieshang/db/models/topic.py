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
from xieshang.db.fields import CONTAINS, EQUALS, NEVER, RANGE, field


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
    title: Mapped[str] = mapped_column(
        sa.String(200), info=field("标题", "title", filter=CONTAINS, sort=True)
    )
    description: Mapped[str | None] = mapped_column(sa.Text, info=field("说明", "description"))
    source: Mapped[TopicSource] = mapped_column(
        enum_type(TopicSource), info=field("来源", "source", filter=EQUALS)
    )
    year: Mapped[int] = mapped_column(info=field("年度", "year", filter=EQUALS, sort=True))
    #: 主题, e.g. 优化营商环境; the "大主题" a topic is a "小切口" of.
    theme: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("主题", "theme", "，如 优化营商环境", filter=EQUALS)
    )
    #: 重点议题: selected for consultation this year.
    is_key: Mapped[bool] = mapped_column(
        default=False,
        info=field(
            "是否重点议题", "selected as a key topic of the year", filter=EQUALS, write=NEVER
        ),
    )
    status: Mapped[TopicStatus] = mapped_column(
        enum_type(TopicStatus),
        default=TopicStatus.SUBMITTED,
        info=field("状态", "status", filter=EQUALS, write=NEVER),
    )
    #: 交题/点题单位 for Party-committee and government topics.
    assigning_body: Mapped[str | None] = mapped_column(
        sa.String(100),
        info=field("交题（点题）单位", "assigning body of Party-committee and government topics"),
    )
    platform_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("提议在其上协商的平台", "platform proposed for the consultation", filter=EQUALS),
    )
    #: The member's proposal a MEMBER_PROPOSAL topic was promoted from.
    proposal_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("来源提案", "the proposal it was promoted from", "（委员提案）", filter=EQUALS),
    )
    proposer_member_id: Mapped[int | None] = mapped_column(
        index=True, info=field("提出议题的委员", "proposing member")
    )
    #: Name and contact of a resident who proposed a PUBLIC topic (personal data).
    proposer_name: Mapped[str | None] = mapped_column(
        sa.String(50),
        info=field(
            "社会出题的提出人",
            "resident who proposed a public topic",
            shown=False,
        ),
    )
    proposer_contact: Mapped[str | None] = mapped_column(
        sa.String(100),
        info=field("提出人联系方式", "proposer's contact", "（不会向公众显示）", shown=False),
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        index=True, info=field("并入的议题", "topic it was merged into", write=NEVER)
    )
    #: Why the topic was kept for reference or returned.
    status_reason: Mapped[str | None] = mapped_column(
        sa.Text,
        info=field(
            "留作参考或退回的理由", "reason for keeping for reference or returning", write=NEVER
        ),
    )
    submitted_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        info=field("提交时间", "submitted at", filter=RANGE, sort=True, write=NEVER),
    )


class TopicTransition(TenantOwned, Base):
    """One step of a topic's workflow (its timeline): who moved it, when, from and to what."""

    __tablename__ = "topic_transitions"
    __table_args__ = (
        tenant_key(),
        tenant_fk("topic_id", "topics", ondelete="CASCADE"),
        sa.Index("ix_topic_transitions_topic_id_occurred_at", "topic_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(info=field("议题", "topic", write=NEVER, shown=False))
    #: None for the first entry: the topic came in.
    from_status: Mapped[TopicStatus | None] = mapped_column(
        enum_type(TopicStatus, name="topic_from_status"),
        info=field("原状态", "status before", "（议题提交时为空）", write=NEVER),
    )
    to_status: Mapped[TopicStatus] = mapped_column(
        enum_type(TopicStatus), info=field("新状态", "status after", write=NEVER)
    )
    #: Username (or ANONYMOUS / SYSTEM) and role of whoever made the step.
    actor: Mapped[str | None] = mapped_column(
        sa.String(50),
        info=field(
            "操作者",
            "username of whoever made the step",
            write=NEVER,
            shown=False,
        ),
    )
    actor_role: Mapped[str | None] = mapped_column(
        sa.String(20),
        info=field(
            "操作者角色",
            "role of whoever made the step",
            "（ANONYMOUS 为公众提交，SYSTEM 为系统）",
            write=NEVER,
        ),
    )
    note: Mapped[str | None] = mapped_column(
        sa.Text, info=field("说明", "note", "（如留作参考的理由）", write=NEVER)
    )
    occurred_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("时间", "when", write=NEVER)
    )


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
    topic_id: Mapped[int] = mapped_column(
        index=True, info=field("议题", "topic", write=NEVER, shown=False)
    )
    #: The rule plugin that wrote the note.
    plugin: Mapped[str] = mapped_column(
        sa.String(100), info=field("给出意见的规则插件", "rule plugin", write=NEVER)
    )
    code: Mapped[str] = mapped_column(
        sa.String(50), info=field("规则代码", "rule code", "（稳定，供程序判断）", write=NEVER)
    )
    severity: Mapped[ScreeningSeverity] = mapped_column(
        enum_type(ScreeningSeverity), info=field("程度", "severity", write=NEVER)
    )
    message: Mapped[str] = mapped_column(sa.Text, info=field("意见", "message", write=NEVER))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("时间", "when", write=NEVER)
    )

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
from xieshang.db.enums import TopicSource, TopicStatus


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

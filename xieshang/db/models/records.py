"""Duty records of members and studios: opinion reports, activities, deeds and proposals.

These are the facts rule plugins count. Each record has a calendar date in the county's
calendar (``*_on``), so windows (month, quarter, half year) never depend on a time of day.
"""

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
from xieshang.db.enums import ProposalFiling
from xieshang.db.fields import CONTAINS, EQUALS, RANGE, field


class OpinionReport(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """社情民意信息: a public-opinion report by a member or a studio; may be adopted (采用)."""

    __tablename__ = "opinion_reports"
    __table_args__ = (
        tenant_key(),
        tenant_fk("member_id", "members"),
        tenant_fk("studio_id", "studios"),
        not_blank("title"),
        sa.CheckConstraint("member_id IS NOT NULL OR studio_id IS NOT NULL", name="has_author"),
        sa.CheckConstraint("adopted = (adopted_on IS NOT NULL)", name="adopted_has_date"),
        sa.CheckConstraint(
            "adopted_on IS NULL OR adopted_on >= submitted_on", name="adopted_after"
        ),
        sa.Index("ix_opinion_reports_county_id_submitted_on", "county_id", "submitted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), info=field("标题", "title", filter=CONTAINS))
    content: Mapped[str | None] = mapped_column(sa.Text, info=field("正文", "content"))
    submitted_on: Mapped[date] = mapped_column(
        info=field("报送日期", "submitted on", filter=RANGE, sort=True)
    )
    member_id: Mapped[int | None] = mapped_column(
        index=True, info=field("撰写委员", "author", "（与工作室至少填一项）", filter=EQUALS)
    )
    studio_id: Mapped[int | None] = mapped_column(
        index=True, info=field("报送的工作室", "studio", filter=EQUALS)
    )
    adopted: Mapped[bool] = mapped_column(
        default=False, info=field("是否被采用", "adopted", filter=EQUALS)
    )
    adopted_on: Mapped[date | None] = mapped_column(
        info=field("采用日期", "adopted on", "（采用时必填）")
    )
    #: The body that adopted it, e.g. 市政协.
    adopted_by: Mapped[str | None] = mapped_column(
        sa.String(100), info=field("采用单位", "adopted by", "，如 市政协")
    )


class Activity(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """履职活动: member reading, deliberation, inspection, research … (open kind list)."""

    __tablename__ = "activities"
    __table_args__ = (
        tenant_key(),
        tenant_fk("studio_id", "studios"),
        tenant_fk("platform_id", "platforms"),
        not_blank("title"),
        not_blank("kind"),
        sa.CheckConstraint(
            "participant_count IS NULL OR participant_count >= 0", name="participants_not_negative"
        ),
        sa.Index("ix_activities_county_id_occurred_on", "county_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Activity kind code, e.g. READING; plugins may add kinds.
    kind: Mapped[str] = mapped_column(
        sa.String(40),
        index=True,
        info=field(
            "活动类型代码",
            "kind code",
            "，如 READING、DELIBERATION（插件可增加类型）",
            filter=EQUALS,
        ),
    )
    title: Mapped[str] = mapped_column(sa.String(200), info=field("名称", "title"))
    occurred_on: Mapped[date] = mapped_column(
        info=field("活动日期", "date", filter=RANGE, sort=True)
    )
    studio_id: Mapped[int | None] = mapped_column(
        index=True, info=field("开展活动的工作室", "studio", filter=EQUALS)
    )
    platform_id: Mapped[int | None] = mapped_column(
        index=True, info=field("活动平台", "platform", filter=EQUALS)
    )
    location: Mapped[str | None] = mapped_column(sa.String(200), info=field("地点", "location"))
    description: Mapped[str | None] = mapped_column(sa.Text, info=field("内容", "description"))
    #: Everyone present, members and residents.
    participant_count: Mapped[int | None] = mapped_column(
        info=field("参加人数", "number of participants", "（委员和群众）")
    )


class ActivityParticipant(TenantOwned, Base):
    """A member who took part in an activity."""

    __tablename__ = "activity_participants"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
    )

    activity_id: Mapped[int] = mapped_column(primary_key=True, info=field("履职活动", "activity"))
    member_id: Mapped[int] = mapped_column(
        primary_key=True, index=True, info=field("委员", "member")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deed(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """为群众办实事: a practical deed done for residents."""

    __tablename__ = "deeds"
    __table_args__ = (
        tenant_key(),
        tenant_fk("studio_id", "studios"),
        tenant_fk("platform_id", "platforms"),
        not_blank("title"),
        sa.CheckConstraint(
            "beneficiaries IS NULL OR beneficiaries >= 0", name="beneficiaries_not_negative"
        ),
        sa.Index("ix_deeds_county_id_done_on", "county_id", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), info=field("名称", "title"))
    description: Mapped[str | None] = mapped_column(sa.Text, info=field("内容", "description"))
    done_on: Mapped[date] = mapped_column(
        info=field("办理日期", "done on", filter=RANGE, sort=True)
    )
    studio_id: Mapped[int | None] = mapped_column(
        index=True, info=field("办理的工作室", "studio", filter=EQUALS)
    )
    platform_id: Mapped[int | None] = mapped_column(
        index=True, info=field("平台", "platform", filter=EQUALS)
    )
    #: Number of residents who benefited.
    beneficiaries: Mapped[int | None] = mapped_column(
        info=field("受益群众人数", "residents who benefited")
    )


class DeedParticipant(TenantOwned, Base):
    """A member who took part in a deed."""

    __tablename__ = "deed_participants"
    __table_args__ = (
        tenant_fk("deed_id", "deeds", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
    )

    deed_id: Mapped[int] = mapped_column(primary_key=True, info=field("实事", "deed"))
    member_id: Mapped[int] = mapped_column(
        primary_key=True, index=True, info=field("委员", "member")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """提案: a member's proposal; may be filed (立案), made key (重点) and handled (办结)."""

    __tablename__ = "proposals"
    __table_args__ = (
        tenant_key(),
        tenant_fk("lead_member_id", "members"),
        tenant_fk("sector_id", "sectors"),
        tenant_fk("studio_id", "studios"),
        sa.UniqueConstraint("county_id", "year", "number"),
        not_blank("title"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint(
            "lead_member_id IS NOT NULL OR sector_id IS NOT NULL", name="has_proposer"
        ),
        sa.CheckConstraint("NOT is_key OR filing = 'FILED'", name="key_is_filed"),
        sa.CheckConstraint("handled_on IS NULL OR filing = 'FILED'", name="handled_is_filed"),
        sa.Index("ix_proposals_county_id_submitted_on", "county_id", "submitted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 案号 within the year, e.g. "45".
    number: Mapped[str | None] = mapped_column(
        sa.String(20), info=field("案号", "number within the year", "（同一年度内唯一）")
    )
    title: Mapped[str] = mapped_column(sa.String(200), info=field("案由", "title", filter=CONTAINS))
    content: Mapped[str | None] = mapped_column(sa.Text, info=field("正文", "content"))
    year: Mapped[int] = mapped_column(info=field("年度", "year", filter=EQUALS))
    submitted_on: Mapped[date] = mapped_column(info=field("提交日期", "submitted on", sort=True))
    #: First proposer (第一提案人); NULL for a proposal made by a sector as a body.
    lead_member_id: Mapped[int | None] = mapped_column(
        index=True, info=field("第一提案人", "first proposer", "（界别提案为空）", filter=EQUALS)
    )
    sector_id: Mapped[int | None] = mapped_column(
        index=True, info=field("以界别名义提出时的界别", "proposing sector", filter=EQUALS)
    )
    #: The studio the proposal came out of, if any.
    studio_id: Mapped[int | None] = mapped_column(
        index=True, info=field("形成提案的工作室", "studio", filter=EQUALS)
    )
    filing: Mapped[ProposalFiling] = mapped_column(
        enum_type(ProposalFiling),
        default=ProposalFiling.PENDING,
        info=field("立案情况", "filing", filter=EQUALS),
    )
    is_key: Mapped[bool] = mapped_column(
        default=False, info=field("是否重点提案", "key proposal", "（须已立案）", filter=EQUALS)
    )
    handled_on: Mapped[date | None] = mapped_column(
        info=field("办结日期", "date handled", "（未办结为空；须已立案）")
    )


class ProposalJointProposer(TenantOwned, Base):
    """A joint proposer (联名提案人) of a proposal, in signing order."""

    __tablename__ = "proposal_joint_proposers"
    __table_args__ = (
        tenant_fk("proposal_id", "proposals", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
        sa.CheckConstraint("position > 0", name="position_positive"),
    )

    proposal_id: Mapped[int] = mapped_column(primary_key=True, info=field("提案", "proposal"))
    member_id: Mapped[int] = mapped_column(
        primary_key=True, index=True, info=field("委员", "member")
    )
    position: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Model member studios (样板委员工作室), their members and the lead's selection rounds."""

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
    not_blank,
    tenant_fk,
    tenant_key,
    utcnow,
)
from xieshang.db.fields import CONTAINS, CREATE, EQUALS, field


class Studio(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A model member studio: a lead member (领衔委员) plus members, hosted at a platform."""

    __tablename__ = "studios"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "name"),
        tenant_fk("lead_member_id", "members"),
        tenant_fk("host_platform_id", "platforms"),
        tenant_fk("office_id", "offices"),
        tenant_fk("sector_id", "sectors"),
        not_blank("name"),
        sa.CheckConstraint("batch_year BETWEEN 2000 AND 2100", name="batch_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(100), info=field("名称", "name", filter=CONTAINS, sort=True, sheet=True)
    )
    lead_member_id: Mapped[int] = mapped_column(
        index=True,
        info=field(
            "领衔委员", "lead member", "（自动成为成员）", sheet=True, sheet_by=("code", "name")
        ),
    )
    host_platform_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("依托的协商平台", "host platform", filter=EQUALS, sheet=True, header="依托平台"),
    )
    #: 联系委室: the office whose assessment the studio's results count in.
    office_id: Mapped[int | None] = mapped_column(
        index=True, info=field("联系委室", "responsible office", filter=EQUALS, sheet=True)
    )
    sector_id: Mapped[int | None] = mapped_column(
        index=True, info=field("所属界别", "sector", filter=EQUALS, sheet=True, header="界别")
    )
    #: 创建批次年份, e.g. 2022 for the pilot batch.
    batch_year: Mapped[int] = mapped_column(
        info=field(
            "创建批次年份", "batch year", "，如 2022 首批试点", filter=EQUALS, sort=True, sheet=True
        )
    )
    founded_on: Mapped[date | None] = mapped_column(
        info=field("成立日期", "date founded", sheet=True)
    )
    description: Mapped[str | None] = mapped_column(
        sa.Text, info=field("简介", "description", sheet=True)
    )


class StudioMember(TenantOwned, Base):
    """Membership of a member in a studio (the lead member is a member too)."""

    __tablename__ = "studio_members"
    __table_args__ = (
        tenant_fk("studio_id", "studios", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
    )

    studio_id: Mapped[int] = mapped_column(primary_key=True, info=field("工作室", "studio"))
    member_id: Mapped[int] = mapped_column(
        primary_key=True, index=True, info=field("委员", "member")
    )
    joined_on: Mapped[date | None] = mapped_column(info=field("加入日期", "date joined"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelectionRound(TenantOwned, Timestamped, Versioned, Base):
    """One round of the procedure that chose a studio's lead member (五轮选任)."""

    __tablename__ = "selection_rounds"
    __table_args__ = (
        tenant_key(),
        tenant_fk("studio_id", "studios", ondelete="CASCADE"),
        sa.UniqueConstraint("studio_id", "round_no"),
        sa.CheckConstraint("round_no BETWEEN 1 AND 20", name="round_no_range"),
        sa.CheckConstraint("candidates IS NULL OR candidates > 0", name="candidates_positive"),
        not_blank("title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(index=True, info=field("工作室", "studio", write=CREATE))
    round_no: Mapped[int] = mapped_column(info=field("轮次", "round number", "（1–20）"))
    title: Mapped[str] = mapped_column(
        sa.String(100), info=field("环节名称", "title of the round", "，如 述职答辩")
    )
    held_on: Mapped[date | None] = mapped_column(info=field("举行日期", "date held"))
    #: Number of candidates still in the running at this round.
    candidates: Mapped[int | None] = mapped_column(
        info=field("本轮人选数", "candidates in this round")
    )
    note: Mapped[str | None] = mapped_column(sa.Text, info=field("说明", "note"))

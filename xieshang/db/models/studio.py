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
    name: Mapped[str] = mapped_column(sa.String(100))
    lead_member_id: Mapped[int] = mapped_column(index=True)
    host_platform_id: Mapped[int | None] = mapped_column(index=True)
    #: 联系委室: the office whose assessment the studio's results count in.
    office_id: Mapped[int | None] = mapped_column(index=True)
    sector_id: Mapped[int | None] = mapped_column(index=True)
    #: 创建批次年份, e.g. 2022 for the pilot batch.
    batch_year: Mapped[int]
    founded_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(sa.Text)


class StudioMember(TenantOwned, Base):
    """Membership of a member in a studio (the lead member is a member too)."""

    __tablename__ = "studio_members"
    __table_args__ = (
        tenant_fk("studio_id", "studios", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
    )

    studio_id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    joined_on: Mapped[date | None]
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
    studio_id: Mapped[int] = mapped_column(index=True)
    round_no: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(100))
    held_on: Mapped[date | None]
    #: Number of candidates still in the running at this round.
    candidates: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

"""Member (政协委员): a committee member of one county."""

from __future__ import annotations

from datetime import date

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
)
from xieshang.db.enums import Gender, MemberStatus


class Member(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A CPPCC committee member; may sit on the standing committee (常委)."""

    __tablename__ = "members"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "code"),
        tenant_fk("sector_id", "sectors"),
        tenant_fk("office_id", "offices"),
        not_blank("name"),
        sa.CheckConstraint("term > 0", name="term_positive"),
        sa.Index("ix_members_county_id_name", "county_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 委员编号: the county's own roster number, used to match rows on re-import.
    code: Mapped[str | None] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(50))
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender))
    sector_id: Mapped[int | None] = mapped_column(index=True)
    office_id: Mapped[int | None] = mapped_column(index=True)
    #: 所在乡镇（街道）: where the member lives or works, used for grid placement.
    township: Mapped[str | None] = mapped_column(sa.String(50))
    employer: Mapped[str | None] = mapped_column(sa.String(100))
    position: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    is_standing_committee: Mapped[bool] = mapped_column(default=False)
    #: 届次, e.g. 11 for 第十一届.
    term: Mapped[int]
    status: Mapped[MemberStatus] = mapped_column(
        enum_type(MemberStatus), default=MemberStatus.ACTIVE
    )
    joined_on: Mapped[date | None]

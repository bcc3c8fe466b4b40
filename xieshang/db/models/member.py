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
from xieshang.db.fields import CONTAINS, EQUALS, field


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
    code: Mapped[str | None] = mapped_column(
        sa.String(20), info=field("委员编号", "roster number", "（县内唯一）", sheet=True)
    )
    name: Mapped[str] = mapped_column(
        sa.String(50), info=field("姓名", "name", filter=CONTAINS, sort=True, sheet=True)
    )
    gender: Mapped[Gender | None] = mapped_column(
        enum_type(Gender), info=field("性别", "gender", sheet=True)
    )
    sector_id: Mapped[int | None] = mapped_column(
        index=True, info=field("界别", "sector", filter=EQUALS, sheet=True)
    )
    office_id: Mapped[int | None] = mapped_column(
        index=True, info=field("所属委室", "office", filter=EQUALS, sheet=True, header="委室")
    )
    #: 所在乡镇（街道）: where the member lives or works, used for grid placement.
    township: Mapped[str | None] = mapped_column(
        sa.String(50),
        info=field(
            "所在乡镇（街道）",
            "township where the member lives or works",
            filter=EQUALS,
            sheet=True,
            header="所在乡镇",
        ),
    )
    employer: Mapped[str | None] = mapped_column(
        sa.String(100), info=field("工作单位", "employer", sheet=True)
    )
    position: Mapped[str | None] = mapped_column(
        sa.String(100), info=field("职务", "position", sheet=True)
    )
    phone: Mapped[str | None] = mapped_column(
        sa.String(20),
        info=field("联系电话", "phone", shown=False, sheet=True),
    )
    is_standing_committee: Mapped[bool] = mapped_column(
        default=False,
        info=field("是否常委", "on the standing committee", filter=EQUALS, sheet=True),
    )
    #: 届次, e.g. 11 for 第十一届.
    term: Mapped[int] = mapped_column(
        info=field("届次", "term", "，如 11 表示第十一届", filter=EQUALS, sheet=True)
    )
    status: Mapped[MemberStatus] = mapped_column(
        enum_type(MemberStatus),
        default=MemberStatus.ACTIVE,
        info=field("委员状态", "status", filter=EQUALS, sheet=True, header="状态"),
    )
    joined_on: Mapped[date | None] = mapped_column(
        info=field("任职日期", "date joined", sheet=True)
    )

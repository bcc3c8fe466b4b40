"""The tenant and its fixed structure: County, Sector, Office, ResponsibleUnit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xieshang.db.base import (
    Archivable,
    Base,
    TenantOwned,
    Timestamped,
    Versioned,
    not_blank,
    tenant_key,
)
from xieshang.db.fields import CONTAINS, EQUALS, field


class County(Timestamped, Versioned, Base):
    """A county-level CPPCC committee (县政协): the tenant every other row belongs to."""

    __tablename__ = "counties"
    __table_args__ = (
        sa.CheckConstraint(
            "length(code) = 6 AND trim(code, '0123456789') = ''", name="code_six_digits"
        ),
        not_blank("name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 行政区划代码, e.g. 511323 for 蓬安县.
    code: Mapped[str] = mapped_column(
        sa.String(6),
        unique=True,
        info=field(
            "行政区划代码", "administrative code", "（6 位数字），如 蓬安县 511323", sort=True
        ),
    )
    name: Mapped[str] = mapped_column(
        sa.String(50), info=field("名称", "name", "，如 蓬安县", sort=True)
    )
    city: Mapped[str] = mapped_column(
        sa.String(50), info=field("所属市", "city", "，如 南充市", filter=EQUALS)
    )
    province: Mapped[str] = mapped_column(
        sa.String(50), info=field("所属省", "province", "，如 四川省", filter=EQUALS)
    )
    timezone: Mapped[str] = mapped_column(
        sa.String(64),
        default="Asia/Shanghai",
        info=field("时区", "time zone", "（IANA），如 Asia/Shanghai"),
    )


class Sector(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """界别: the sector a member represents."""

    __tablename__ = "sectors"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "name"),
        not_blank("name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(50), info=field("名称", "name", "，如 农业界", filter=CONTAINS, sort=True)
    )
    sort_order: Mapped[int] = mapped_column(
        default=0, info=field("排序号", "sort order", "（小的在前）", sort=True)
    )


class Office(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """委室 / 专委会: a committee office; studio and member results count in its assessment."""

    __tablename__ = "offices"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "name"),
        not_blank("name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(50), info=field("名称", "name", "，如 提案委", filter=CONTAINS, sort=True)
    )
    sort_order: Mapped[int] = mapped_column(
        default=0, info=field("排序号", "sort order", "（小的在前）", sort=True)
    )


class ResponsibleUnit(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """承办单位: a government body or company that implements follow-up tasks."""

    __tablename__ = "responsible_units"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "name"),
        not_blank("name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(100), info=field("名称", "name", "，如 县水务局", filter=CONTAINS, sort=True)
    )
    contact_person: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("联系人", "contact person")
    )
    phone: Mapped[str | None] = mapped_column(
        sa.String(20),
        info=field(
            "联系电话",
            "phone",
            shown=False,
        ),
    )


class CountyStandard(TenantOwned, Timestamped, Versioned, Base):
    """A standard a county has switched on, in the county's order, with its own numbers."""

    __tablename__ = "county_standards"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "standard_code"),
        not_blank("standard_code"),
        sa.CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Namespaced code, e.g. pengan.three-ones.
    standard_code: Mapped[str] = mapped_column(sa.String(100))
    #: What the standard assesses, kept so that results can still be listed (as ERROR) when
    #: the plugin providing it is gone.
    subject_kind: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)
    #: The county's own numbers: {"monthly-report.minimum": 2}.
    overrides: Mapped[dict[str, float]] = mapped_column(sa.JSON, default=dict)

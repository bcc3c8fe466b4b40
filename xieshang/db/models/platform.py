"""Consultation platforms (协商平台), the member grid on them, and their checklist facts."""

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
from xieshang.db.enums import HostVenue, PlatformLevel
from xieshang.db.fields import CONTAINS, CREATE, EQUALS, field


class Platform(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """A consultation venue on the county, township or village level; platforms form a tree."""

    __tablename__ = "platforms"
    __table_args__ = (
        tenant_key(),
        sa.UniqueConstraint("county_id", "name"),
        tenant_fk("parent_id", "platforms"),
        not_blank("name"),
        not_blank("area_name"),
        # Only the county platform is a root; every other level hangs below a parent.
        sa.CheckConstraint(
            "(level = 'COUNTY' AND parent_id IS NULL) OR (level <> 'COUNTY' AND parent_id IS NOT NULL)",
            name="root_is_county",
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(100), info=field("名称", "name", filter=CONTAINS, sort=True, sheet=True)
    )
    level: Mapped[PlatformLevel] = mapped_column(
        enum_type(PlatformLevel), index=True, info=field("层级", "level", filter=EQUALS, sheet=True)
    )
    parent_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("上级平台", "parent platform", "（县级平台为空）", filter=EQUALS, sheet=True),
    )
    #: 所在区域: the county, township/street or village/community the platform serves.
    area_name: Mapped[str] = mapped_column(
        sa.String(50),
        info=field(
            "所在区域", "area served", "（县、乡镇/街道或村/社区名）", filter=EQUALS, sheet=True
        ),
    )
    host_venue: Mapped[HostVenue] = mapped_column(
        enum_type(HostVenue),
        info=field("依托阵地类型", "host venue type", filter=EQUALS, sheet=True),
    )
    #: 依托阵地名称, e.g. 罗家镇芭茅村党群服务中心.
    host_venue_name: Mapped[str | None] = mapped_column(
        sa.String(100), info=field("依托阵地名称", "host venue name", sheet=True)
    )
    address: Mapped[str | None] = mapped_column(
        sa.String(200), info=field("地址", "address", sheet=True)
    )
    established_on: Mapped[date | None] = mapped_column(
        info=field("建成日期", "date established", sheet=True)
    )


class GridAssignment(TenantOwned, Timestamped, Versioned, Base):
    """网格: a member placed on a platform by proximity (就地就近)."""

    __tablename__ = "grid_assignments"
    __table_args__ = (
        tenant_key(),
        tenant_fk("member_id", "members"),
        tenant_fk("platform_id", "platforms"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= assigned_on", name="ends_after_start"),
        # A member has at most one current placement; ended placements stay as history.
        sa.Index(
            "uq_grid_assignments_current_member",
            "member_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        index=True, info=field("委员", "member", filter=EQUALS, write=CREATE)
    )
    platform_id: Mapped[int] = mapped_column(
        index=True, info=field("平台", "platform", filter=EQUALS, write=CREATE)
    )
    assigned_on: Mapped[date] = mapped_column(
        info=field("安排日期", "date assigned", sort=True, write=CREATE)
    )
    ended_on: Mapped[date | None] = mapped_column(
        info=field("结束日期", "date ended", "（当前安排为空）")
    )
    note: Mapped[str | None] = mapped_column(
        sa.String(200), info=field("备注", "note", "，如 就地就近导入网格", write=CREATE)
    )


class PlatformChecklistFact(TenantOwned, Timestamped, Versioned, Base):
    """An attested checklist item of a platform (e.g. 有场所 for a 六有 standard)."""

    __tablename__ = "platform_checklist_facts"
    __table_args__ = (
        tenant_key(),
        tenant_fk("platform_id", "platforms", ondelete="CASCADE"),
        sa.UniqueConstraint("platform_id", "item"),
        not_blank("item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        index=True, info=field("平台", "platform", write=CREATE)
    )
    #: Item code as the standard names it, e.g. ``venue`` (有场所).
    item: Mapped[str] = mapped_column(
        sa.String(50),
        info=field("核查项代码", "item code", "，由考核标准定义，如 venue（有场所）", write=CREATE),
    )
    attested_on: Mapped[date] = mapped_column(info=field("核实日期", "date attested"))
    evidence: Mapped[str | None] = mapped_column(sa.Text, info=field("佐证材料说明", "evidence"))
    attested_by: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("核实人或部门", "attested by")
    )

"""Accounts, their refresh tokens, and the append-only audit trail."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xieshang.db.base import Base, Timestamped, Versioned, enum_type, not_blank, utcnow
from xieshang.db.enums import Role
from xieshang.db.fields import EQUALS, NEVER, RANGE, field


class User(Timestamped, Versioned, Base):
    """Someone who signs in: county office staff, a member, an auditor, a unit, a city viewer."""

    __tablename__ = "users"
    __table_args__ = (
        not_blank("username"),
        sa.ForeignKeyConstraint(["county_id"], ["counties.id"], ondelete="RESTRICT"),
        # A member account is linked to a member of its own county; a unit account to a unit.
        sa.ForeignKeyConstraint(["county_id", "member_id"], ["members.county_id", "members.id"]),
        sa.ForeignKeyConstraint(
            ["county_id", "unit_id"], ["responsible_units.county_id", "responsible_units.id"]
        ),
        sa.CheckConstraint(
            "(role = 'MEMBER') = (member_id IS NOT NULL)", name="member_role_has_member"
        ),
        sa.CheckConstraint("(role = 'UNIT') = (unit_id IS NOT NULL)", name="unit_role_has_unit"),
        sa.CheckConstraint(
            "(role = 'CITY_VIEWER') OR county_id IS NOT NULL", name="county_roles_have_county"
        ),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(50))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    #: The county the account works in (a city viewer's counties are its grants).
    county_id: Mapped[int | None] = mapped_column(index=True)
    member_id: Mapped[int | None] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column(index=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class UserCountyGrant(Base):
    """A county a city viewer may read."""

    __tablename__ = "user_county_grants"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    county_id: Mapped[int] = mapped_column(
        sa.ForeignKey("counties.id", ondelete="RESTRICT"), primary_key=True
    )


class RefreshToken(Base):
    """A refresh token, stored only as its hash; used once, then replaced."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One entry of the audit trail (等保 安全审计). Never updated; deleted only when older than
    the retention period (a database trigger enforces both)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_county_id_occurred_at", "county_id", "occurred_at"),
        not_blank("action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        default=utcnow, index=True, info=field("时间", "when", filter=RANGE, sort=True, write=NEVER)
    )
    user_id: Mapped[int | None] = mapped_column(index=True)
    username: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("用户", "user", "（匿名为空）", filter=EQUALS, write=NEVER)
    )
    role: Mapped[str | None] = mapped_column(
        sa.String(20), info=field("角色", "role", "（ANONYMOUS、SYSTEM 或账号角色）", write=NEVER)
    )
    county_id: Mapped[int | None]
    #: What happened: ``login``, ``login_failed``, ``mutation:createMember``, ``denied:followUps`` …
    action: Mapped[str] = mapped_column(
        sa.String(100),
        info=field(
            "动作",
            "action",
            "，如 mutation:createMember、login、login_failed、denied:followUps",
            filter=EQUALS,
            write=NEVER,
        ),
    )
    #: The global ID (or name) of what it happened to.
    target: Mapped[str | None] = mapped_column(
        sa.String(200), info=field("对象", "target", "（全局 ID 或名称）", write=NEVER)
    )
    success: Mapped[bool] = mapped_column(
        info=field("是否成功", "success", filter=EQUALS, write=NEVER)
    )
    client_address: Mapped[str | None] = mapped_column(
        sa.String(64), info=field("客户端地址", "client address", write=NEVER)
    )
    request_id: Mapped[str | None] = mapped_column(
        sa.String(64), info=field("请求编号", "request ID", write=NEVER)
    )
    detail: Mapped[str | None] = mapped_column(
        sa.Text, info=field("说明", "detail", "（如失败的错误代码）", write=NEVER)
    )

"""Invitations of residents to evaluate an outcome through a one-time link (评价邀请)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xieshang.db.base import Base, TenantOwned, not_blank, tenant_fk, tenant_key, utcnow
from xieshang.db.fields import CREATE, EQUALS, NEVER, field


class EvaluationInvitation(TenantOwned, Base):
    """An invitation for a named resident to evaluate an outcome through a one-time link.

    Only the SHA-256 hash of the link token is stored; the token is shown once, when the
    invitation is created. ``used_at`` is set by the one submission that wins.
    """

    __tablename__ = "evaluation_invitations"
    __table_args__ = (
        tenant_key(),
        tenant_fk("outcome_id", "outcomes"),
        not_blank("resident_name"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        index=True, info=field("协商成果", "outcome", filter=EQUALS, write=CREATE)
    )
    resident_name: Mapped[str] = mapped_column(
        sa.String(50),
        info=field(
            "被邀请的居民",
            "resident's name",
            write=CREATE,
            shown=False,
        ),
    )
    resident_role: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("居民身份", "resident's role", "，如 村民代表", write=CREATE)
    )
    #: Personal data: shown only to the county office.
    resident_contact: Mapped[str | None] = mapped_column(
        sa.String(100),
        info=field(
            "居民联系方式",
            "resident's contact",
            write=CREATE,
            shown=False,
        ),
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(
        sa.String(50), info=field("创建人", "created by", "（账号名）", write=NEVER)
    )
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("创建时间", "created at", sort=True, write=NEVER)
    )
    expires_at: Mapped[datetime] = mapped_column(
        info=field("失效时间", "expires at", sort=True, write=NEVER)
    )
    used_at: Mapped[datetime | None] = mapped_column(
        info=field("提交评价的时间", "used at", "（未使用为空）", write=NEVER)
    )
    #: Withdrawn by the office before it was used.
    revoked_at: Mapped[datetime | None] = mapped_column(
        info=field("撤销时间", "revoked at", "（未撤销为空）", write=NEVER)
    )

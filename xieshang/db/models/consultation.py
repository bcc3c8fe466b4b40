"""Consultations (协商活动), who attended, what they produced (协商成果) and leaders' instructions."""

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
from xieshang.db.enums import Attendance, ConsultationStatus
from xieshang.db.fields import CONTAINS, CREATE, EQUALS, RANGE, field


class Consultation(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """One consultation session on a topic at a platform of any level."""

    __tablename__ = "consultations"
    __table_args__ = (
        tenant_key(),
        tenant_fk("topic_id", "topics"),
        tenant_fk("platform_id", "platforms"),
        not_blank("title"),
        not_blank("form"),
        sa.CheckConstraint(
            "resident_count IS NULL OR resident_count >= 0", name="resident_count_not_negative"
        ),
        sa.CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        index=True, info=field("议题", "topic", filter=EQUALS, write=CREATE)
    )
    platform_id: Mapped[int] = mapped_column(
        index=True, info=field("平台", "platform", "（任一层级）", filter=EQUALS)
    )
    title: Mapped[str] = mapped_column(sa.String(200), info=field("名称", "title"))
    #: 协商形式 (open list): 专题协商, 界别协商, 院坝协商 …
    form: Mapped[str] = mapped_column(
        sa.String(30),
        info=field("协商形式", "form", "，如 专题协商、院坝协商（开放列表）", filter=EQUALS),
    )
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_type(ConsultationStatus),
        default=ConsultationStatus.SCHEDULED,
        info=field("状态", "status", filter=EQUALS),
    )
    starts_at: Mapped[datetime] = mapped_column(
        index=True, info=field("开始时间", "starts at", filter=RANGE, sort=True)
    )
    ends_at: Mapped[datetime | None] = mapped_column(info=field("结束时间", "ends at"))
    agenda: Mapped[str | None] = mapped_column(sa.Text, info=field("议程", "agenda"))
    #: 应邀参加的部门负责人 and other officials, as free text.
    invited_officials: Mapped[str | None] = mapped_column(
        sa.Text, info=field("应邀参加的部门负责人等", "invited officials")
    )
    resident_count: Mapped[int | None] = mapped_column(
        info=field("参加群众人数", "number of residents attending")
    )
    minutes: Mapped[str | None] = mapped_column(sa.Text, info=field("会议记录", "minutes"))
    #: 达成的共识 / agreements reached.
    agreements: Mapped[str | None] = mapped_column(
        sa.Text, info=field("达成的共识", "agreements reached")
    )


class ConsultationAttendance(TenantOwned, Base):
    """A member's attendance at a consultation (feeds the duty assessment)."""

    __tablename__ = "consultation_attendances"
    __table_args__ = (
        tenant_fk("consultation_id", "consultations", ondelete="CASCADE"),
        tenant_fk("member_id", "members"),
    )

    consultation_id: Mapped[int] = mapped_column(
        primary_key=True, info=field("协商活动", "consultation", shown=False)
    )
    member_id: Mapped[int] = mapped_column(
        primary_key=True, index=True, info=field("委员", "member")
    )
    attendance: Mapped[Attendance] = mapped_column(
        enum_type(Attendance),
        default=Attendance.PRESENT,
        info=field("出席情况", "attendance", "（默认出席）"),
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Outcome(TenantOwned, Timestamped, Versioned, Archivable, Base):
    """What a consultation produced: 协商专报, 建议案, 公约/协议, 社情民意 …"""

    __tablename__ = "outcomes"
    __table_args__ = (
        tenant_key(),
        tenant_fk("consultation_id", "consultations"),
        not_blank("title"),
        not_blank("kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        index=True, info=field("协商活动", "consultation", filter=EQUALS, write=CREATE)
    )
    #: 成果类型 (open list).
    kind: Mapped[str] = mapped_column(
        sa.String(30), info=field("成果类型", "kind", "，如 协商专报（开放列表）", filter=EQUALS)
    )
    title: Mapped[str] = mapped_column(sa.String(200), info=field("标题", "title", filter=CONTAINS))
    summary: Mapped[str | None] = mapped_column(sa.Text, info=field("摘要", "summary"))
    #: 报送对象: the body the outcome was sent to, e.g. 县委、县政府.
    sent_to: Mapped[str | None] = mapped_column(
        sa.String(100), info=field("报送对象", "body the outcome was sent to")
    )
    reported_on: Mapped[date | None] = mapped_column(
        info=field("报送日期", "date reported", filter=RANGE)
    )


class Instruction(TenantOwned, Timestamped, Versioned, Base):
    """领导批示: a leader's written instruction on an outcome or on an opinion report."""

    __tablename__ = "instructions"
    __table_args__ = (
        tenant_key(),
        tenant_fk("outcome_id", "outcomes", ondelete="CASCADE"),
        tenant_fk("opinion_report_id", "opinion_reports", ondelete="CASCADE"),
        sa.CheckConstraint(
            "(outcome_id IS NULL) <> (opinion_report_id IS NULL)", name="exactly_one_target"
        ),
        not_blank("leader"),
        not_blank("content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("批示的协商成果", "outcome", "（与社情民意信息二选一）", write=CREATE),
    )
    opinion_report_id: Mapped[int | None] = mapped_column(
        index=True,
        info=field("批示的社情民意信息", "opinion report", "（与协商成果二选一）", write=CREATE),
    )
    #: The instructing leader, by office (e.g. 县委书记).
    leader: Mapped[str] = mapped_column(
        sa.String(100), info=field("批示领导（职务）", "instructing leader", "，如 县委书记")
    )
    content: Mapped[str] = mapped_column(sa.Text, info=field("批示内容", "content"))
    instructed_on: Mapped[date] = mapped_column(info=field("批示日期", "date"))

"""Residents' evaluations (群众评价): single-use invitation links and members' return visits.

The county office invites a named resident to evaluate an outcome: the link carries a random
token that is shown once; only its SHA-256 hash is stored. Whoever holds the link may fill in
the form (成果转化评价单) once, before it expires and unless the office revoked it. The one
submission that wins is decided by the database — a single conditional UPDATE claims the
invitation — so two residents (or one impatient one) pressing "submit" at once store exactly
one evaluation. Members record what residents say at a return visit (回访).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models
from xieshang.db.base import utcnow
from xieshang.db.enums import EvaluationChannel, Role, Satisfaction
from xieshang.domain import crud, events, policy
from xieshang.domain.calendar import local_date
from xieshang.domain.follow_up import EVALUATION
from xieshang.domain.labels import label
from xieshang.domain.unit_of_work import Work, restrict
from xieshang.errors import UserError, ValidationFailed

#: How long an invitation stays valid when the office does not say (days), and the bounds.
DEFAULT_VALID_DAYS = 30
MIN_VALID_DAYS, MAX_VALID_DAYS = 1, 180
#: Longest free text a resident may send through the public form (characters).
MAX_TEXT = 2000


class InvitationStatus(Enum):
    """Where an invitation stands (derived from its timestamps, never stored)."""

    OPEN = "OPEN"
    USED = "USED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh link token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def invitation_status(invitation: models.EvaluationInvitation, now: datetime) -> InvitationStatus:
    """The status of ``invitation`` at ``now``: a used one stays USED, whatever came after."""
    if invitation.used_at is not None:
        return InvitationStatus.USED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    return InvitationStatus.OPEN


INVITATION = crud.Entity(
    models.EvaluationInvitation,
    "评价邀请",
    county_from="outcome_id",
)


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its token — the only time the token exists outside the link."""

    invitation: models.EvaluationInvitation
    token: str


async def create_invitation(
    work: Work,
    *,
    outcome_id: int,
    resident_name: str,
    resident_role: str | None = None,
    resident_contact: str | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Invite a resident to evaluate an outcome (signed with the viewer's account name); the
    returned token is never stored."""
    if not MIN_VALID_DAYS <= valid_days <= MAX_VALID_DAYS:
        raise ValidationFailed(
            [
                UserError(
                    "valid_days",
                    "OUT_OF_RANGE",
                    f"有效天数应在 {MIN_VALID_DAYS} 到 {MAX_VALID_DAYS} 天之间",
                )
            ]
        )
    now = now or utcnow()
    token = new_token()
    values: dict[str, Any] = {
        "outcome_id": outcome_id,
        "resident_name": resident_name,
        "resident_role": resident_role,
        "resident_contact": resident_contact,
        "token_hash": hash_token(token),
        "created_by": work.viewer.username,
        "created_at": now,
        "expires_at": now + timedelta(days=valid_days),
    }
    row = await crud.create(work, INVITATION, values)
    return IssuedInvitation(row, token)


async def revoke_invitation(
    work: Work, invitation_id: int, *, now: datetime | None = None
) -> models.EvaluationInvitation:
    """Withdraw an invitation that has not been used (a used one keeps its evaluation)."""
    row: models.EvaluationInvitation = await crud.load_for_update(work, INVITATION, invitation_id)
    status = invitation_status(row, now or utcnow())
    if status is InvitationStatus.USED:
        raise ValidationFailed([UserError("id", "INVALID_STATE", "该评价邀请已被使用，不能撤销")])
    if status is InvitationStatus.REVOKED:
        raise ValidationFailed([UserError("id", "INVALID_STATE", "该评价邀请已撤销")])
    row.revoked_at = now or utcnow()
    await work.session.flush()
    return row


@dataclass(frozen=True)
class EvaluationForm:
    """What a resident holding a link sees before filling in the form."""

    invitation: models.EvaluationInvitation
    outcome_title: str
    outcome_kind: str
    consultation_title: str
    consultation_date: date
    platform_name: str
    status: InvitationStatus

    @property
    def can_submit(self) -> bool:
        return self.status is InvitationStatus.OPEN


async def evaluation_form(
    session: AsyncSession, token: str, zone: ZoneInfo, *, now: datetime | None = None
) -> EvaluationForm | None:
    """The form behind ``token`` (one statement), or None when no invitation has that token."""
    i, o, c, p = (
        models.EvaluationInvitation,
        models.Outcome,
        models.Consultation,
        models.Platform,
    )
    stmt = (
        sa.select(i, o.title, o.kind, c.title, c.starts_at, p.name)
        .join(o, sa.and_(o.county_id == i.county_id, o.id == i.outcome_id))
        .join(c, sa.and_(c.county_id == o.county_id, c.id == o.consultation_id))
        .join(p, sa.and_(p.county_id == c.county_id, p.id == c.platform_id))
        .where(i.token_hash == hash_token(token))
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        return None
    invitation, outcome_title, kind, consultation_title, starts_at, platform_name = found
    return EvaluationForm(
        invitation=invitation,
        outcome_title=outcome_title,
        outcome_kind=kind,
        consultation_title=consultation_title,
        consultation_date=local_date(starts_at, zone),
        platform_name=platform_name,
        status=invitation_status(invitation, now or utcnow()),
    )


_REFUSALS = {
    None: "评价链接无效，请核对链接是否完整",
    InvitationStatus.USED: "该评价链接已使用过，每个链接只能提交一次",
    InvitationStatus.EXPIRED: "该评价链接已过期，请联系县政协重新发送",
    InvitationStatus.REVOKED: "该评价链接已被撤销",
}


def _refused(status: InvitationStatus | None) -> ValidationFailed:
    return ValidationFailed([UserError("token", "INVALID_TOKEN", _REFUSALS[status])])


async def submit_evaluation(
    work: Work,
    *,
    token: str,
    satisfaction: Satisfaction,
    suggestion: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> models.Evaluation:
    """Store a resident's evaluation through the invitation ``token`` (once per invitation).

    Runs in an unrestricted unit of work, which it restricts to the invitation's county. The
    invitation is claimed by one conditional UPDATE: of concurrent submissions exactly one
    changes the row, the others find ``used_at`` set (PostgreSQL re-checks the condition once
    the winner commits; SQLite runs write transactions one at a time) and are refused.
    """
    problems = [
        UserError(name, "TOO_LONG", f"{label(models.Evaluation, name)}不能超过 {MAX_TEXT} 字")
        for name, text in (("suggestion", suggestion), ("comment", comment))
        if text is not None and len(text) > MAX_TEXT
    ]
    if problems:
        raise ValidationFailed(problems)
    session = work.session
    now = now or utcnow()
    digest = hash_token(token)
    i = models.EvaluationInvitation
    found = await session.scalar(sa.select(i).where(i.token_hash == digest))
    if found is None:
        raise _refused(None)
    restrict(session, found.county_id)
    outcome = await session.get(models.Outcome, found.outcome_id)
    if outcome is None or outcome.archived_at is not None:
        # The office withdrew the outcome after inviting: the link no longer leads anywhere.
        raise ValidationFailed(
            [UserError("token", "INVALID_TOKEN", "该评价链接对应的协商成果已撤销，无法再评价")]
        )
    claimed = await session.execute(
        sa.update(i)
        .where(
            i.id == found.id,
            i.used_at.is_(None),
            i.revoked_at.is_(None),
            i.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        # Lost: say why, from the row as it now is (a concurrent winner has committed).
        await session.refresh(found)
        raise _refused(invitation_status(found, now))
    evaluation = models.Evaluation(
        county_id=found.county_id,
        outcome_id=found.outcome_id,
        resident_name=found.resident_name,
        resident_role=found.resident_role,
        resident_contact=found.resident_contact,
        satisfaction=satisfaction,
        suggestion=_text(suggestion),
        comment=_text(comment),
        channel=EvaluationChannel.FORM,
        invitation_id=found.id,
        submitted_at=now,
    )
    session.add(evaluation)
    await session.flush()
    events.emit(
        session,
        events.Event(events.EventKind.EVALUATION_SUBMITTED, evaluation.county_id, evaluation.id),
    )
    return evaluation


def _text(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


async def record_return_visit(work: Work, values: dict[str, Any]) -> models.Evaluation:
    """Record what a resident said at a member's return visit (回访).

    A member records their own visits only (``member_id`` is theirs, whether given or not) and
    only in their own county; the county office names the visiting member. The transaction is
    restricted here to the viewer's county (the system viewer: the outcome's county).
    """
    viewer = work.viewer
    values = dict(values)
    member_id = values.pop("member_id", None)
    if viewer.role is Role.MEMBER:
        if viewer.member_id is None:
            raise ValidationFailed(
                [UserError("member_id", "INVALID_STATE", "当前账号未关联委员，不能记录回访")]
            )
        if not policy.own_visit(viewer, member_id):
            raise ValidationFailed(
                [UserError("member_id", "INVALID_VALUE", "委员只能记录本人的回访")]
            )
        member_id = viewer.member_id
    elif member_id is None:
        raise ValidationFailed([UserError("member_id", "REQUIRED", "请注明回访委员")])
    if not viewer.system:
        restrict(work.session, viewer.county_id)
    values |= {
        "visited_by_member_id": member_id,
        "channel": EvaluationChannel.RETURN_VISIT,
        "submitted_at": utcnow(),
    }
    try:
        row: models.Evaluation = await crud.create(work, EVALUATION, values)
    except ValidationFailed as exc:
        # The input calls the visiting member ``member_id``.
        for error in exc.errors:
            if error.field == "visited_by_member_id":
                error.field = "member_id"
        raise
    return row

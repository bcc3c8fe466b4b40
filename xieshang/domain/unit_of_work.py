"""The unit of work: the one way anything in xieshang is changed.

Every change — a GraphQL mutation, a CLI command, a spreadsheet import, a background job — runs
inside :func:`write`, which

- opens one transaction (on SQLite ``BEGIN IMMEDIATE``: the caller passes the write sessions);
- lets it change rows of the viewer's own county only (:func:`restrict`),
  unless the operation opts out because it names its county itself (a resident's submission);
- writes the audit record in the same transaction on success, and on its own when the change
  is refused (a :class:`~xieshang.errors.XieshangError`: bad input, a wrong state …) or fails
  (anything else: recorded as ``INTERNAL`` and raised on);
- publishes the live events the operation raised (:func:`xieshang.domain.events.emit`) once the
  transaction has committed, never before and never for a change that rolled back.

Operations receive a :class:`Work`: the session, who acts, and a typed :class:`Environment`
(settings, installed rule plugins, the event bus, the submission rate limit) — nothing of the
request that happens to carry them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.domain import audit, events
from xieshang.domain.audit import Origin
from xieshang.domain.bus import MemoryBus, publish_committed
from xieshang.domain.ids import global_id_of
from xieshang.domain.policy import Viewer
from xieshang.domain.submit_limit import SubmitLimiter, limiter_for
from xieshang.engine.registry import RulePlugins
from xieshang.errors import UserError, ValidationFailed, XieshangError

#: ``session.info`` key of the only county a write transaction may touch (see :func:`restrict`).
COUNTY_KEY = "xieshang_writable_county"


def restrict(session: AsyncSession, county_id: int | None) -> None:
    """Let this transaction change rows of ``county_id`` only.

    Rows of other counties are reported NOT_FOUND when loaded for a change, and — whatever code
    path wrote them — refused when flushed: the check runs on every object the session writes.
    """
    session.info[COUNTY_KEY] = county_id
    sa.event.listen(session.sync_session, "before_flush", _guard_flush)


def allowed_county(session: AsyncSession) -> int | bool | None:
    """The county this transaction may change; ``True`` when unrestricted."""
    return session.info.get(COUNTY_KEY, True)  # type: ignore[no-any-return]


def within(session: AsyncSession, county_id: int | None) -> bool:
    """Whether this transaction may change rows of ``county_id``."""
    allowed = allowed_county(session)
    return allowed is True or (county_id is not None and county_id == allowed)


def county_of(row: object) -> int | None:
    """The county a row belongs to (a county: itself)."""
    if isinstance(row, m.County):
        return row.id
    county = getattr(row, "county_id", None)
    return county if isinstance(county, int) else None


def _guard_flush(session: object, _context: object, _instances: object) -> None:
    info: dict[str, object] = getattr(session, "info", {})
    allowed = info.get(COUNTY_KEY, True)
    if allowed is True:
        return
    for row in (*session.new, *session.dirty, *session.deleted):  # type: ignore[attr-defined]
        county = county_of(row)
        if county is not None and county != allowed:
            raise ValidationFailed([UserError(None, "NOT_FOUND", "所选对象不存在")])


@dataclass(frozen=True)
class Environment:
    """What operations may use besides the database."""

    settings: Settings
    #: The installed rule plugins (standards, activity kinds, topic screening).
    rule_plugins: RulePlugins
    #: Where committed events go (None: nobody listens, e.g. a one-off CLI run on SQLite).
    bus: MemoryBus | None = None
    #: The application's limit on residents' submissions (one per process when not given).
    submit_limiter: SubmitLimiter | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's default time zone (a county's own calendar may differ)."""
        return self.settings.zone

    def limiter(self) -> SubmitLimiter:
        """The submission rate limit of this environment."""
        return self.submit_limiter or limiter_for(self.settings)


@dataclass
class Work:
    """One unit of work in progress: its transaction, who acts, and what the audit record says."""

    session: AsyncSession
    viewer: Viewer
    env: Environment
    action: str
    origin: Origin
    #: What the change is about (a global ID, a file name …); set by :meth:`concerns`.
    target: str | None = None
    county_id: int | None = None
    detail: str | None = None
    #: The account the audit record is attributed to when it is not the viewer (sign-in).
    account: m.User | None = None
    #: Set by :meth:`refuse`: the change is recorded as refused although the transaction commits.
    refusal: str | None = field(default=None, init=False)
    #: Set by :meth:`nothing_changed`: a routine job that found nothing to do leaves no record.
    silent: bool = field(default=False, init=False)

    def concerns(self, row: object, *, county_id: int | None = None) -> None:
        """Name the row the change is about: the audit record's target and county."""
        self.target = global_id_of(row) or self.target
        found = county_of(row)
        self.county_id = county_id if county_id is not None else (found or self.county_id)

    def refuse(
        self,
        code: str,
        *,
        action: str | None = None,
        target: str | None = None,
        viewer: Viewer | None = None,
        county_id: int | None = None,
    ) -> None:
        """Record this unit of work as refused (``code``) while keeping what it wrote — a wrong
        password is refused, and the failure it counts must stay counted."""
        self.refusal = code
        self.action = action or self.action
        self.target = target if target is not None else self.target
        self.viewer = viewer or self.viewer
        self.county_id = county_id if county_id is not None else self.county_id

    def nothing_changed(self) -> None:
        """A background job that changed nothing (an overdue sweep finding no new lapse) writes
        no audit record: a record every few minutes per server would bury the real ones."""
        self.silent = True


def refusal_detail(exc: XieshangError) -> str:
    """What the audit trail notes of a refusal: each problem's code and model field."""
    if isinstance(exc, ValidationFailed):
        return "；".join(f"{e.code}:{e.field or ''}" for e in exc.errors)
    return exc.code


@asynccontextmanager
async def write(
    sessions: async_sessionmaker[AsyncSession],
    viewer: Viewer,
    action: str,
    env: Environment,
    *,
    origin: Origin | None = None,
    target: str | None = None,
    restricted: bool = True,
) -> AsyncIterator[Work]:
    """Run the body as one unit of work named ``action`` (see the module docstring).

    ``sessions`` are write sessions. With ``restricted=False`` the transaction starts
    unrestricted and the operation must call :func:`restrict` with the one
    county its input names before it writes anything.
    """
    origin = origin or Origin()
    work: Work | None = None
    try:
        async with sessions() as session, session.begin():
            if restricted and not viewer.system:
                # Only the viewer's own county can change, whatever the operation touches.
                restrict(session, viewer.writable_county())
            work = Work(session, viewer, env, action, origin, target)
            yield work
            if not work.silent:
                await audit.record(session, _event(work, success=work.refusal is None))
            # Taken here, published below: only once the transaction has committed.
            committed = events.take(session)
    except XieshangError as exc:
        # Refused: nothing was written (the success record rolled back with the change).
        await audit.record_alone(
            sessions, _event(work, viewer, action, origin, target, refused=refusal_detail(exc))
        )
        raise
    except Exception as exc:
        await audit.record_alone(
            sessions,
            _event(work, viewer, action, origin, target, refused=f"INTERNAL:{type(exc).__name__}"),
        )
        raise
    await publish_committed(env.bus, committed)


def _event(
    work: Work | None,
    viewer: Viewer | None = None,
    action: str | None = None,
    origin: Origin | None = None,
    target: str | None = None,
    *,
    success: bool = False,
    refused: str | None = None,
) -> m.AuditEvent:
    if work is not None:
        viewer, action, origin, target = work.viewer, work.action, work.origin, work.target
    assert viewer is not None and action is not None
    county_id = work.county_id if work is not None else None
    detail = refused if refused is not None else (work.refusal or work.detail if work else None)
    return audit.event(
        viewer,
        action,
        success=success,
        origin=origin,
        target=target,
        county_id=county_id if county_id is not None else viewer.county_id,
        detail=detail,
        user=work.account if work is not None else None,
    )

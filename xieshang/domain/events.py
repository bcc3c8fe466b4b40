"""Live events (实时事件) raised by domain operations.

An operation that changes something subscribers care about calls :func:`emit` inside its
transaction; the event waits on the session and is handed to the event bus only after the
transaction commits (:func:`take`), so a rolled-back change never announces itself. Each
event names its county: subscribers only ever receive events of counties they may read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class EventKind(StrEnum):
    """What happened; each kind is one GraphQL subscription field."""

    TOPIC_SUBMITTED = "topicSubmitted"
    FOLLOW_UP_CHANGED = "followUpChanged"
    EVALUATION_SUBMITTED = "evaluationSubmitted"


class FollowUpChange(StrEnum):
    """How a follow-up task changed (the ``change`` of a followUpChanged event)."""

    ASSIGNED = "ASSIGNED"
    UPDATED = "UPDATED"
    PROGRESS = "PROGRESS"
    DONE = "DONE"
    OVERDUE = "OVERDUE"


@dataclass(frozen=True)
class Event:
    """One event: its kind, the county it belongs to, the row it is about."""

    kind: EventKind
    county_id: int
    object_id: int
    #: For followUpChanged: a :class:`FollowUpChange` value.
    change: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(
            kind=EventKind(data["kind"]),
            county_id=int(data["county_id"]),
            object_id=int(data["object_id"]),
            change=data.get("change"),
        )


_KEY = "xieshang_events"


def emit(session: AsyncSession, event: Event) -> None:
    """Queue ``event`` on ``session``; it is published once the transaction commits."""
    session.info.setdefault(_KEY, []).append(event)


def take(session: AsyncSession) -> list[Event]:
    """The events queued on ``session`` (removed from it), in the order they were raised."""
    events: list[Event] = session.info.pop(_KEY, [])
    return events

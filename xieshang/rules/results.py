"""What evaluating a standard produces, and what a custom criterion is given.

Results keep the detail a screen needs to explain them: per-window counts against the minimum,
the IDs of the records that counted (evidence), and a reason in words
("2024-03：社情民意信息 0 条，要求至少 1 条").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from xieshang.rules.periods import Period
from xieshang.rules.standards import Flag, ProposerRole, RecordKind, Status, SubjectKind


class Record(NamedTuple):
    """One fact about a subject: a record of some kind on a day of the county's calendar.

    (A named tuple: an evaluation makes hundreds of thousands of them.)
    """

    kind: RecordKind
    id: int
    day: date
    #: Activity kind (READING …) for activities.
    sub_kind: str | None = None
    flags: frozenset[Flag] = frozenset()
    #: For proposals: the member's part (first or joint proposer).
    role: ProposerRole | None = None


@dataclass(frozen=True)
class Subject:
    """What is assessed: a studio, platform, member or county."""

    kind: SubjectKind
    id: int
    county_id: int
    name: str
    #: From when the subject exists (founded, established, joined); windows ending before it
    #: are NOT_APPLICABLE.
    since: date | None = None


@dataclass(slots=True)
class WindowResult:
    """A quota's count in one window (month, quarter …)."""

    label: str
    start: date
    end: date
    count: int
    minimum: int
    status: Status
    #: The records that counted (their ``kind`` and ``id`` name them).
    evidence: list[Record]
    reason: str


@dataclass
class ItemResult:
    """One checklist item."""

    code: str
    title: str
    status: Status
    attested_on: date | None
    count: int | None
    evidence: list[Record]
    reason: str


@dataclass
class SectionResult:
    """The points of one section of a points scheme."""

    code: str
    title: str
    points: float
    raw_points: float
    cap: float | None
    evidence: list[Record]


@dataclass
class CriterionResult:
    """The outcome of one criterion for one subject."""

    code: str
    title: str
    kind: str
    status: Status
    reason: str
    windows: list[WindowResult] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    sections: list[SectionResult] = field(default_factory=list)
    score: float | None = None
    grade: str | None = None


@dataclass
class Assessment:
    """One standard evaluated for one subject in one period."""

    standard: str
    standard_title: str
    version: str
    plugin: str
    subject: Subject
    period: str
    status: Status
    criteria: list[CriterionResult]
    score: float | None = None
    grade: str | None = None
    error: str | None = None
    rank: int | None = None


@dataclass(frozen=True)
class CriterionInput:
    """What a criterion is evaluated on: one subject's facts in one period.

    Every criterion kind receives it (:meth:`~xieshang.rules.Criterion.evaluate`), a
    :class:`~xieshang.rules.CustomCriterion`'s function too. The records cover at least the
    criterion's :meth:`~xieshang.rules.Criterion.span`; a criterion filters them by date itself.
    """

    subject: Subject
    period: Period
    #: Today in the county's calendar: windows ending after it are still IN_PROGRESS.
    today: date
    #: The subject's records by kind (a kind without records may be missing: use ``.get``).
    records: Mapping[RecordKind, Sequence[Record]]
    #: Checklist items attested for the subject (item code → date), for platforms.
    attested: Mapping[str, date]
    #: The studios a member belongs to (compliance awards); empty for other subjects.
    studios: Sequence[int] = ()
    #: Results of the standards the criterion depends on: standard code → subject id → result.
    dependencies: Mapping[str, Mapping[int, Assessment]] = field(default_factory=dict)


def combine(statuses: Sequence[Status]) -> Status:
    """One status for several: ERROR wins, then NOT_MET, IN_PROGRESS, MET; all N/A stays N/A."""
    present = set(statuses)
    for status in (Status.ERROR, Status.NOT_MET, Status.IN_PROGRESS):
        if status in present:
            return status
    if not present or present == {Status.NOT_APPLICABLE}:
        return Status.NOT_APPLICABLE
    return Status.MET

"""Standards as data: what a plugin declares and a county switches on.

A :class:`Standard` assesses one kind of subject (studio, platform, member, county) against a
list of criteria. The built-in criterion kinds cover what counties do in practice:

- :class:`PeriodicQuota` — at least N records of a kind in every window (三个一: one opinion
  report a month, one activity a quarter, one deed a half year);
- :class:`Checklist` — items attested for the subject, or derived from its records (六有);
- :class:`PointsScheme` — points per record with caps per section, a base, grades (履职积分);
- :class:`ShareMet` — the share of subjects of a county meeting another standard (roll-ups);
- :class:`CustomCriterion` — a function of the plugin's own for anything else.

Every number is a field, so a county can override it (:func:`with_overrides`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from xieshang.rules.periods import Window

if TYPE_CHECKING:
    from xieshang.rules.results import CriterionInput, CriterionResult


class SubjectKind(StrEnum):
    """What a standard assesses."""

    STUDIO = "STUDIO"
    PLATFORM = "PLATFORM"
    MEMBER = "MEMBER"
    COUNTY = "COUNTY"

    @property
    def label_zh(self) -> str:
        return {"STUDIO": "工作室", "PLATFORM": "协商平台", "MEMBER": "委员", "COUNTY": "县级政协"}[
            self.value
        ]


class RecordKind(StrEnum):
    """The records a criterion counts.

    For a studio: its own reports, activities, deeds and proposals. For a member: the ones they
    wrote or took part in, and consultations they were invited to (attendance). For a platform:
    activities, deeds and consultations held there.
    """

    OPINION_REPORT = "OPINION_REPORT"
    ACTIVITY = "ACTIVITY"
    DEED = "DEED"
    PROPOSAL = "PROPOSAL"
    CONSULTATION = "CONSULTATION"

    @property
    def label_zh(self) -> str:
        return {
            "OPINION_REPORT": "社情民意信息",
            "ACTIVITY": "履职活动",
            "DEED": "实事",
            "PROPOSAL": "提案",
            "CONSULTATION": "协商活动",
        }[self.value]


class Flag(StrEnum):
    """A property a record must have for an award (``Award(when=…)``)."""

    ADOPTED = "ADOPTED"  # opinion report adopted (采用)
    INSTRUCTED = "INSTRUCTED"  # opinion report with a leader's instruction (批示)
    FILED = "FILED"  # proposal filed (立案)
    KEY = "KEY"  # key proposal (重点提案)
    HANDLED = "HANDLED"  # proposal handled (办结)
    JOINTLY = "JOINTLY"  # proposal with joint proposers (联名提案)
    PRESENT = "PRESENT"  # consultation attended
    ON_LEAVE = "ON_LEAVE"  # consultation missed on leave
    ABSENT = "ABSENT"  # consultation missed without leave


class ProposerRole(StrEnum):
    """A member's part in a proposal."""

    LEAD = "LEAD"  # first proposer
    JOINT = "JOINT"  # joint proposer (联名)


#: An activity kind code: upper-case letters, digits and underscores (READING, ROTA_RECEPTION).
ACTIVITY_KIND_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


@dataclass(frozen=True)
class ActivityKind:
    """An activity kind a county records beyond the built-in ones (e.g. ROTA_RECEPTION 轮值接待)."""

    code: str
    label: str


class Status(StrEnum):
    """Outcome of a standard, a criterion or a window."""

    MET = "MET"
    NOT_MET = "NOT_MET"
    IN_PROGRESS = "IN_PROGRESS"  # the window has not ended yet: never NOT_MET
    NOT_APPLICABLE = "NOT_APPLICABLE"  # e.g. the studio did not exist yet
    ERROR = "ERROR"  # the standard could not be evaluated (a broken or missing plugin)


@dataclass(frozen=True)
class PeriodicQuota:
    """At least ``minimum`` records of ``record`` (optionally of ``kinds``) in every ``window``."""

    code: str
    title: str
    record: RecordKind
    window: Window
    minimum: int = 1
    kinds: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a checklist: attested for the subject, or derived from its records."""

    code: str
    title: str
    #: When set, the item holds if the subject has ``minimum`` such records in the period;
    #: otherwise it must be attested (e.g. ``attestPlatformChecklistItem``).
    derived_from: RecordKind | None = None
    minimum: int = 1
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist:
    """Every item must hold (六有: 有场所、有标识 …)."""

    code: str
    title: str
    items: tuple[ChecklistItem, ...]
    description: str = ""


@dataclass(frozen=True)
class Award:
    """``points`` for every record of ``record`` in the period that matches the conditions.

    ``joint_factor`` multiplies the points of a proposal made jointly (联名): 桐城 gives the
    first proposer of a joint proposal half, ``Award(..., role=ProposerRole.LEAD, joint_factor=0.5)``.
    """

    record: RecordKind
    points: float
    kinds: tuple[str, ...] = ()
    when: Flag | None = None
    role: ProposerRole | None = None
    joint_factor: float = 1.0
    title: str = ""


@dataclass(frozen=True)
class AttendanceScore:
    """Consultation attendance scored per invitation and averaged (present / on leave / absent).

    With no invitation in the period the member gets ``when_none`` (default: the full points).
    """

    present: float
    on_leave: float
    absent: float
    when_none: float | None = None
    title: str = ""


@dataclass(frozen=True)
class ComplianceAward:
    """``points`` × the share of the member's studios that meet the studio standard ``standard``."""

    standard: str
    points: float
    title: str = ""


AwardRule = Award | AttendanceScore | ComplianceAward


@dataclass(frozen=True)
class Section:
    """A part of a points scheme: its awards add up to at most ``cap`` (and at least ``floor``)."""

    code: str
    title: str
    awards: tuple[AwardRule, ...]
    cap: float | None = None
    floor: float | None = None


@dataclass(frozen=True)
class Grade:
    """A grade reached from ``minimum`` points; ``passing`` grades make the standard MET."""

    name: str
    minimum: float
    passing: bool = True


@dataclass(frozen=True)
class PointsScheme:
    """``base`` plus the sections' points (clamped to ``0..maximum``), graded by ``grades``."""

    code: str
    title: str
    sections: tuple[Section, ...]
    base: float = 0
    maximum: float | None = 100
    grades: tuple[Grade, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ShareMet:
    """At least ``minimum_share`` (0–1) of the county's ``subject`` s meet ``standard``."""

    code: str
    title: str
    standard: str
    subject: SubjectKind
    minimum_share: float
    description: str = ""


@dataclass(frozen=True)
class CustomCriterion:
    """A criterion computed by the plugin: ``evaluate(input) -> CriterionResult``."""

    code: str
    title: str
    evaluate: Callable[[CriterionInput], CriterionResult]
    description: str = ""


Criterion = PeriodicQuota | Checklist | PointsScheme | ShareMet | CustomCriterion

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
LOCAL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Standard:
    """A standard a county can switch on. ``code`` is namespaced by the plugin: ``pengan.three-ones``."""

    code: str
    title: str
    subject: SubjectKind
    version: str
    criteria: tuple[Criterion, ...]
    description: str = ""
    #: Set by the plugin manager: which plugin and distribution provide it.
    plugin: str = field(default="", compare=False)
    distribution: str = field(default="", compare=False)

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Codes of the standards whose results this one uses (roll-ups, compliance awards)."""
        found: list[str] = []
        for criterion in self.criteria:
            if isinstance(criterion, ShareMet):
                found.append(criterion.standard)
            if isinstance(criterion, PointsScheme):
                for section in criterion.sections:
                    found += [a.standard for a in section.awards if isinstance(a, ComplianceAward)]
        return tuple(dict.fromkeys(found))


# -- validation ----------------------------------------------------------------------------

_RECORDS_OF = {
    SubjectKind.STUDIO: {
        RecordKind.OPINION_REPORT,
        RecordKind.ACTIVITY,
        RecordKind.DEED,
        RecordKind.PROPOSAL,
    },
    SubjectKind.MEMBER: set(RecordKind),
    SubjectKind.PLATFORM: {RecordKind.ACTIVITY, RecordKind.DEED, RecordKind.CONSULTATION},
    SubjectKind.COUNTY: set(),
}


def problems(standard: Any) -> list[str]:
    """What is wrong with a declared standard, in words a plugin author can act on (empty: fine)."""
    if not isinstance(standard, Standard):
        return [f"returned {type(standard).__name__!s}, not xieshang.rules.Standard"]
    found: list[str] = []
    if not CODE.match(standard.code or ""):
        found.append(
            f"code {standard.code!r} must be namespaced lower-case, like 'county.standard-name'"
        )
    if not (standard.title or "").strip():
        found.append(f"{standard.code}: title is empty")
    if not isinstance(standard.subject, SubjectKind):
        found.append(f"{standard.code}: subject must be a SubjectKind, not {standard.subject!r}")
        return found
    if not (standard.version or "").strip():
        found.append(f"{standard.code}: version is empty")
    if not standard.criteria:
        found.append(f"{standard.code}: has no criteria")
    codes = [getattr(c, "code", None) for c in standard.criteria]
    for duplicate in {c for c in codes if codes.count(c) > 1}:
        found.append(f"{standard.code}: criterion code {duplicate!r} is used twice")
    allowed = _RECORDS_OF[standard.subject]
    for criterion in standard.criteria:
        found += [
            f"{standard.code}: {p}"
            for p in _criterion_problems(criterion, allowed, standard.subject)
        ]
    return found


def _criterion_problems(
    criterion: Any, allowed: set[RecordKind], subject: SubjectKind
) -> list[str]:
    if not isinstance(criterion, Criterion):
        return [f"criterion {criterion!r} is not one of the criterion kinds of xieshang.rules"]
    where = f"criterion {criterion.code!r}"
    found: list[str] = []
    if not LOCAL_CODE.match(criterion.code or ""):
        found.append(f"{where}: code must be lower-case letters, digits, '-' or '_'")
    if not (criterion.title or "").strip():
        found.append(f"{where}: title is empty")
    if isinstance(criterion, PeriodicQuota):
        if criterion.record not in allowed:
            found.append(f"{where}: a {subject.value} has no {criterion.record} records")
        if not isinstance(criterion.window, Window):
            found.append(f"{where}: window must be a xieshang.rules.Window")
        if not isinstance(criterion.minimum, int) or criterion.minimum < 1:
            found.append(f"{where}: minimum must be a whole number ≥ 1")
    elif isinstance(criterion, Checklist):
        if not criterion.items:
            found.append(f"{where}: has no items")
        item_codes = [i.code for i in criterion.items]
        if len(set(item_codes)) != len(item_codes):
            found.append(f"{where}: item codes repeat")
        for item in criterion.items:
            if item.derived_from is not None and item.derived_from not in allowed:
                found.append(
                    f"{where}: item {item.code!r}: a {subject.value} has no {item.derived_from} records"
                )
            if not isinstance(item.minimum, int) or item.minimum < 1:
                found.append(f"{where}: item {item.code!r}: minimum must be a whole number ≥ 1")
    elif isinstance(criterion, PointsScheme):
        if not criterion.sections:
            found.append(f"{where}: has no sections")
        for section in criterion.sections:
            for award in section.awards:
                if isinstance(award, Award) and award.record not in allowed:
                    found.append(
                        f"{where}: section {section.code!r}: a {subject.value} has no {award.record} records"
                    )
                if (
                    isinstance(award, AttendanceScore | ComplianceAward)
                    and subject is not SubjectKind.MEMBER
                ):
                    found.append(
                        f"{where}: section {section.code!r}: {type(award).__name__} applies to members only"
                    )
                if not isinstance(award, AwardRule):
                    found.append(f"{where}: section {section.code!r}: {award!r} is not an award")
        minimums = [g.minimum for g in criterion.grades]
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
            found.append(
                f"{where}: grades must be listed from the highest minimum down, each different"
            )
    elif isinstance(criterion, ShareMet):
        if not 0 <= criterion.minimum_share <= 1:
            found.append(f"{where}: minimum_share must be between 0 and 1")
        if subject is not SubjectKind.COUNTY:
            found.append(f"{where}: ShareMet is a county roll-up; use it in a COUNTY standard")
    elif isinstance(criterion, CustomCriterion) and not callable(criterion.evaluate):
        found.append(f"{where}: evaluate must be callable")
    return found


# -- overrides -----------------------------------------------------------------------------


class OverrideError(ValueError):
    """An override path or value that does not fit the standard."""


def with_overrides(standard: Standard, overrides: Mapping[str, Any]) -> Standard:
    """A copy of ``standard`` with numbers replaced, e.g. ``{"monthly-report.minimum": 2}``.

    A path names a criterion by code, then sections or items by code, awards by position,
    and ends with a numeric field: ``"duty.proposals.cap"``, ``"duty.proposals.0.points"``.
    """
    result = standard
    for path, value in overrides.items():
        parts = path.split(".")
        if len(parts) < 2:
            raise OverrideError(
                f"{path!r}: name a criterion and a field, e.g. 'monthly-report.minimum'"
            )
        criteria = list(result.criteria)
        index = next((i for i, c in enumerate(criteria) if c.code == parts[0]), None)
        if index is None:
            raise OverrideError(f"{path!r}: {standard.code} has no criterion {parts[0]!r}")
        criteria[index] = _replace(criteria[index], parts[1:], value, path)
        result = dataclasses.replace(result, criteria=tuple(criteria))
    return result


def _replace(obj: Any, parts: list[str], value: Any, path: str) -> Any:
    head, rest = parts[0], parts[1:]
    if not rest:
        current = getattr(obj, head, _MISSING) if dataclasses.is_dataclass(obj) else _MISSING
        if current is _MISSING or head in ("code", "title", "description"):
            raise OverrideError(f"{path!r}: no number called {head!r} there")
        numeric = isinstance(current, int | float) and not isinstance(current, bool)
        if current is not None and not numeric:
            raise OverrideError(f"{path!r}: {head!r} is not a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OverrideError(f"{path!r}: the new value must be a number, not {value!r}")
        if isinstance(current, int) and not isinstance(value, int):
            raise OverrideError(f"{path!r}: {head!r} must be a whole number")
        return dataclasses.replace(obj, **{head: value})
    for name in ("sections", "items", "awards", "grades"):
        children = getattr(obj, name, None)
        if children is None:
            continue
        children = list(children)
        if head.isdigit() and int(head) < len(children):
            position = int(head)
        else:
            position = next(
                (
                    i
                    for i, c in enumerate(children)
                    if getattr(c, "code", getattr(c, "name", None)) == head
                ),
                -1,
            )
        if position >= 0:
            children[position] = _replace(children[position], rest, value, path)
            return dataclasses.replace(obj, **{name: tuple(children)})
    raise OverrideError(f"{path!r}: nothing called {head!r} there")


_MISSING = object()

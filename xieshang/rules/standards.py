"""Standards as data: what a plugin declares and a county switches on.

A :class:`Standard` assesses one kind of subject (studio, platform, member, county) against a
list of criteria, each of a kind that implements :class:`~xieshang.rules.criteria.Criterion`.
The built-in kinds cover what counties do in practice:

- :class:`~xieshang.rules.quota.PeriodicQuota` — at least N records of a kind in every window
  (三个一: one opinion report a month, one activity a quarter, one deed a half year);
- :class:`~xieshang.rules.checklist.Checklist` — items attested for the subject, or derived from
  its records (六有);
- :class:`~xieshang.rules.points.PointsScheme` — points per record with caps per section, a
  base, grades (履职积分);
- :class:`~xieshang.rules.share.ShareMet` — the share of subjects of a county meeting another
  standard (roll-ups);
- :class:`~xieshang.rules.custom.CustomCriterion` — a function of the plugin's own.

This module also holds the vocabulary they share (subject and record kinds, flags, statuses),
the checks run on every declared standard (:func:`problems`) and a county's overrides of its
numbers (:func:`with_overrides`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from xieshang.rules.criteria import Criterion

# Raised by with_overrides; still importable from here, where it was defined before 2.0.
from xieshang.rules.criteria import OverrideError as OverrideError
from xieshang.rules.periods import parse_period


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

    @property
    def label_zh(self) -> str:
        return {
            "MET": "达标",
            "NOT_MET": "未达标",
            "IN_PROGRESS": "进行中",
            "NOT_APPLICABLE": "不适用",
            "ERROR": "出错",
        }[self.value]


#: A standard's code: namespaced by the plugin, lower case (``pengan.three-ones``).
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
#: A criterion's code within its standard (``monthly-report``).
LOCAL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: A criterion kind's name in the API (``PERIODIC_QUOTA``).
KIND_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


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
        """The criterion called ``code`` (None when there is none)."""
        return next((c for c in self.criteria if c.code == code), None)

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Codes of the standards whose results this one uses (roll-ups, compliance awards)."""
        return tuple(dict.fromkeys(d for c in self.criteria for d in c.dependencies()))


# -- validation ----------------------------------------------------------------------------

_RECORDS_OF = {
    SubjectKind.STUDIO: frozenset(
        {RecordKind.OPINION_REPORT, RecordKind.ACTIVITY, RecordKind.DEED, RecordKind.PROPOSAL}
    ),
    SubjectKind.MEMBER: frozenset(RecordKind),
    SubjectKind.PLATFORM: frozenset(
        {RecordKind.ACTIVITY, RecordKind.DEED, RecordKind.CONSULTATION}
    ),
    SubjectKind.COUNTY: frozenset(),
}

#: A period every criterion's span is tried on when a plugin is loaded.
_SAMPLE_PERIOD = parse_period("2024")


def records_of(subject: SubjectKind) -> frozenset[RecordKind]:
    """The kinds of record a subject of kind ``subject`` has (what its criteria may count)."""
    return _RECORDS_OF[subject]


def problems(standard: object) -> list[str]:
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
    if not isinstance(standard.criteria, tuple | list):
        found.append(f"{standard.code}: criteria must be a tuple of criteria")
        return found
    if not standard.criteria:
        found.append(f"{standard.code}: has no criteria")
    codes = [getattr(c, "code", None) for c in standard.criteria]
    for duplicate in {c for c in codes if codes.count(c) > 1}:
        found.append(f"{standard.code}: criterion code {duplicate!r} is used twice")
    for criterion in standard.criteria:
        try:
            said = _criterion_problems(criterion, standard.subject)
        except Exception as exc:  # an object that breaks even being looked at
            said = [f"criterion {criterion!r} cannot be checked: {type(exc).__name__}: {exc}"]
        found += [f"{standard.code}: {p}" for p in said]
    return found


#: What a criterion kind implements (the members of the protocol).
_PROTOCOL = tuple(name for name in vars(Criterion) if not name.startswith("_"))


def _criterion_problems(criterion: object, subject: SubjectKind) -> list[str]:
    if not isinstance(criterion, Criterion):
        missing = [name for name in _PROTOCOL if not hasattr(criterion, name)]
        return [
            f"criterion {criterion!r} is not one of the criterion kinds of xieshang.rules"
            f" (a kind implements xieshang.rules.Criterion; this lacks {', '.join(missing)})"
        ]
    where = f"criterion {criterion.code!r}"
    found: list[str] = []
    if not isinstance(criterion.code, str) or not LOCAL_CODE.match(criterion.code):
        found.append(f"{where}: code must be lower-case letters, digits, '-' or '_'")
    if not isinstance(criterion.title, str) or not criterion.title.strip():
        found.append(f"{where}: title is empty")
    if not isinstance(criterion.kind, str) or not KIND_NAME.match(criterion.kind):
        found.append(
            f"{where}: kind {criterion.kind!r} must be upper-case letters, digits and '_',"
            " like PERIODIC_QUOTA"
        )
    # The kind's own checks, and what the engine and the API will ask of it later: a kind
    # that fails here is reported now, at load, never in the middle of a request.
    try:
        found += [f"{where}: {p}" for p in criterion.problems(subject, records_of(subject))]
        start, end = criterion.span(_SAMPLE_PERIOD)
        if not (start <= _SAMPLE_PERIOD.start and _SAMPLE_PERIOD.end <= end):
            found.append(f"{where}: span(period) must cover the period")
        if not all(isinstance(d, str) for d in criterion.dependencies()):
            found.append(f"{where}: dependencies() must be standard codes")
        json.dumps(criterion.parameters())
        for path, value in criterion.numbers().items():
            if not isinstance(path, str) or not (value is None or isinstance(value, int | float)):
                found.append(f"{where}: numbers() must map paths to numbers, not {value!r}")
    except Exception as exc:  # a plugin's own kind: report its bug instead of failing the load
        found.append(f"{where}: {type(criterion).__name__} fails: {type(exc).__name__}: {exc}")
    return found


# -- overrides -----------------------------------------------------------------------------


def with_overrides(standard: Standard, overrides: Mapping[str, object]) -> Standard:
    """A copy of ``standard`` with numbers replaced, e.g. ``{"monthly-report.minimum": 2}``.

    A path names a criterion by code and then one of its numbers
    (:meth:`~xieshang.rules.criteria.Criterion.numbers`): ``"duty.proposals.cap"``,
    ``"duty.proposals.0.points"``.
    """
    result = standard
    for path, value in overrides.items():
        code, _, rest = path.partition(".")
        if not rest:
            raise OverrideError(
                f"{path!r}: name a criterion and a field, e.g. 'monthly-report.minimum'"
            )
        criteria = list(result.criteria)
        index = next((i for i, c in enumerate(criteria) if c.code == code), None)
        if index is None:
            raise OverrideError(f"{path!r}: {standard.code} has no criterion {code!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OverrideError(f"{path!r}: the new value must be a number, not {value!r}")
        try:
            criteria[index] = criteria[index].with_number(rest, value)
        except OverrideError as exc:
            raise OverrideError(f"{path!r}: {exc}") from exc
        result = replace(result, criteria=tuple(criteria))
    return result

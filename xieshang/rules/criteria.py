"""The protocol every criterion kind implements, and what the built-in kinds share.

A criterion is one requirement of a standard. Each kind — the built-in ones
(:mod:`~xieshang.rules.quota`, :mod:`~xieshang.rules.checklist`, :mod:`~xieshang.rules.points`,
:mod:`~xieshang.rules.share`, :mod:`~xieshang.rules.custom`) and any a plugin defines — implements
:class:`Criterion`. xieshang never asks which kind a criterion is: validation at plugin load,
the span of records the engine loads, evaluation, dependencies between standards, a county's
overrides and the API all go through these methods. A points scheme's awards implement the
smaller :class:`AwardRule` in the same way.

Every method is pure: it reads the declaration (and, to evaluate, the facts it is given) and
does no I/O. The engine loads the facts in bulk and calls :meth:`Criterion.evaluate` per subject.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from xieshang.rules.periods import Period
    from xieshang.rules.results import CriterionInput, CriterionResult, Record
    from xieshang.rules.standards import RecordKind, SubjectKind

#: A number of a declaration a county may override (a minimum, points, a cap …).
Number: TypeAlias = int | float
#: A JSON value (a criterion's parameters as the API shows them).
JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"


class OverrideError(ValueError):
    """An override path or value that does not fit the standard."""


@runtime_checkable
class Criterion(Protocol):
    """One requirement of a standard; what every criterion kind implements.

    ``problems`` is called when a plugin is loaded (a criterion it reports is never evaluated);
    the other methods may then be called at any time, in any order, as often as needed.
    """

    @property
    def code(self) -> str:
        """Code within the standard, lower-case letters, digits, '-' or '_': ``monthly-report``."""

    @property
    def title(self) -> str:
        """What is required, in Chinese: ``每月上报一条社情民意信息``."""

    @property
    def description(self) -> str:
        """A longer explanation (may be empty)."""

    @property
    def kind(self) -> str:
        """The kind's name in the API (``StandardCriterion.kind``), upper case: ``PERIODIC_QUOTA``."""

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """What is wrong with this criterion in a standard assessing ``subject``, a kind of
        subject that has ``records``; in words a plugin author can act on (empty: fine)."""

    def span(self, period: Period) -> tuple[date, date]:
        """The dates ``[start, end)`` whose records assessing ``period`` needs."""

    def dependencies(self) -> tuple[str, ...]:
        """Codes of the standards whose results :meth:`evaluate` reads (``given.dependencies``)."""

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        """The result for one subject, computed from ``given`` only."""

    def numbers(self) -> Mapping[str, Number | None]:
        """The numbers a county may override, by path within the criterion, and their values.

        ``minimum``; ``proposals.cap``; ``proposals.0.points`` (awards by position);
        ``优秀.minimum`` (grades by name). A whole-number parameter has an ``int`` value, any
        other a ``float`` (``None`` when unset, e.g. a section without a cap).
        """

    def with_number(self, path: str, value: Number) -> Criterion:
        """A copy with the number at ``path`` replaced by ``value``; :class:`OverrideError` when
        ``path`` is not one of :meth:`numbers` or ``value`` does not fit (a fraction for a
        whole number)."""

    def parameters(self) -> dict[str, JSON]:
        """Every parameter but code, title and description, as JSON for the API."""


@runtime_checkable
class AwardRule(Protocol):
    """One scoring rule of a points scheme's section (``Award``, ``AttendanceScore`` …)."""

    @property
    def title(self) -> str:
        """What earns the points, in Chinese (may be empty)."""

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """What is wrong with this rule for ``subject`` with ``records`` (empty: fine)."""

    def dependencies(self) -> tuple[str, ...]:
        """Codes of the standards whose results :meth:`score` reads."""

    def score(self, given: CriterionInput) -> tuple[float, list[Record]]:
        """The points for one subject in ``given.period``, and the records that earned them."""


# -- what the built-in kinds share ------------------------------------------------------------
# They are frozen dataclasses: their numbers are the fields declared int or float, found by
# walking the dataclass (sections and items by code, grades by name, awards by position).

#: Fields that name or explain a declaration; never numbers, never parameters.
_TEXT = ("code", "title", "description")

T = TypeVar("T")


def matches_kinds(record: Record, kinds: tuple[str, ...]) -> bool:
    """Whether ``record`` is of one of the activity ``kinds`` (any record when none are given)."""
    return not kinds or record.sub_kind in kinds


def _number_kind(annotation: object) -> type | None:
    """``int`` for a whole-number field, ``float`` for another number, None for anything else.

    Annotations are usually strings (``from __future__ import annotations``): ``"float | None"``.
    """
    if isinstance(annotation, str):
        names = {part.strip() for part in annotation.split("|")}
    else:
        members = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
        names = {getattr(t, "__name__", str(t)) for t in (members or (annotation,))}
    if "bool" in names:
        return None
    if "float" in names:
        return float
    return int if "int" in names else None


def _children(value: object) -> tuple[Any, ...] | None:
    """A tuple of declarations (sections, items, awards, grades), or None."""
    if (
        isinstance(value, tuple)
        and value
        and all(dataclasses.is_dataclass(v) and not isinstance(v, type) for v in value)
    ):
        return value
    return None


def _label(child: object, position: int) -> str:
    named = getattr(child, "code", None) or getattr(child, "name", None)
    return named if isinstance(named, str) else str(position)


def dataclass_numbers(declaration: object) -> dict[str, Number | None]:
    """Every number of a dataclass declaration and of the declarations it holds, by path."""
    found: dict[str, Number | None] = {}
    if not dataclasses.is_dataclass(declaration) or isinstance(declaration, type):
        return found
    for f in dataclasses.fields(declaration):
        if f.name in _TEXT:
            continue
        value = getattr(declaration, f.name)
        children = _children(value)
        if children is not None:
            for position, child in enumerate(children):
                label = _label(child, position)
                found.update({f"{label}.{p}": v for p, v in dataclass_numbers(child).items()})
            continue
        kind = _number_kind(f.type)
        if kind is not None and (value is None or isinstance(value, int | float)):
            found[f.name] = None if value is None else kind(value)
    return found


def replace_number(declaration: T, path: str, value: Number) -> T:
    """A copy of a dataclass declaration with the number at ``path`` replaced."""
    return typing.cast(T, _replace(declaration, path.split("."), value))


def _replace(declaration: Any, parts: list[str], value: Number) -> Any:
    head, rest = parts[0], parts[1:]
    if not dataclasses.is_dataclass(declaration) or isinstance(declaration, type):
        raise OverrideError(f"nothing called {head!r} there")
    fields = {f.name: f for f in dataclasses.fields(declaration)}
    if not rest:
        if head not in fields or head in _TEXT:
            raise OverrideError(f"no number called {head!r} there")
        kind = _number_kind(fields[head].type)
        if kind is None:
            raise OverrideError(f"{head!r} is not a number")
        if kind is int and not isinstance(value, int):
            raise OverrideError(f"{head!r} must be a whole number")
        return dataclasses.replace(declaration, **{head: value})
    for name in fields:
        children = _children(getattr(declaration, name))
        if children is None:
            continue
        if head.isdigit() and int(head) < len(children):
            position = int(head)
        else:
            position = next((i for i, c in enumerate(children) if _label(c, i) == head), -1)
        if position >= 0:
            replaced = list(children)
            replaced[position] = _replace(children[position], rest, value)
            return dataclasses.replace(declaration, **{name: tuple(replaced)})
    raise OverrideError(f"nothing called {head!r} there")


def dataclass_parameters(declaration: object) -> dict[str, JSON]:
    """A dataclass declaration's fields but code, title and description, as JSON."""
    if not dataclasses.is_dataclass(declaration) or isinstance(declaration, type):
        return {}
    data = dataclasses.asdict(declaration)
    for key in _TEXT:
        data.pop(key, None)
    # Enums become their values, anything else JSON does not know its text.
    parameters: dict[str, JSON] = json.loads(json.dumps(data, default=str))
    return parameters


class DataclassCriterion:
    """Defaults for a criterion kind declared as a frozen dataclass (all the built-in ones).

    Records in the period itself, no dependencies, numbers and parameters found from the
    fields. A kind defines ``kind``, ``problems`` and ``evaluate`` and overrides what differs.
    """

    def span(self, period: Period) -> tuple[date, date]:
        """The period itself."""
        return period.start, period.end

    def dependencies(self) -> tuple[str, ...]:
        """None."""
        return ()

    def numbers(self) -> dict[str, Number | None]:
        """The fields declared int or float, and those of sections, items, awards and grades."""
        return dataclass_numbers(self)

    def with_number(self, path: str, value: Number) -> Self:
        """A copy with one of :meth:`numbers` replaced."""
        return replace_number(self, path, value)

    def parameters(self) -> dict[str, JSON]:
        """The fields but code, title and description."""
        return dataclass_parameters(self)

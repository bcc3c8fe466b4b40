"""Filter inputs become SQL conditions through declared predicates, one per input field.

An entity declares its filter as a strawberry input (for the schema and its descriptions) and a
mapping ``input field → predicate``; :func:`conditions` does the rest, including what every
filter shares (``countyId``, hiding archived rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import strawberry

from xieshang.domain.ids import GlobalIdError, from_global_id

#: Turns one non-null filter value into a SQL condition; gets the request context for values
#: that depend on it (today's date in the county's calendar).
Predicate = Callable[[Any, Any], Any]


@strawberry.input(description="所有列表共有的筛选条件 filter fields every list shares")
class ScopedFilter:
    county_id: strawberry.ID | None = strawberry.field(
        default=None, description="只看此县（全局 ID） only rows of this county"
    )
    include_archived: bool = strawberry.field(
        default=False, description="包含已归档的记录 include archived rows (default: hidden)"
    )


def equals(column: Any) -> Predicate:
    """``column = value`` (also for enums and booleans)."""
    return lambda value, _context: column == value


def contains(column: Any) -> Predicate:
    """``column`` contains the text (LIKE with wildcards escaped)."""
    return lambda value, _context: column.contains(value, autoescape=True)


def at_least(column: Any) -> Predicate:
    """``column >= value`` (a range's start, inclusive)."""
    return lambda value, _context: column >= value


def at_most(column: Any) -> Predicate:
    """``column <= value`` (a range's end, inclusive)."""
    return lambda value, _context: column <= value


def global_id(column: Any, type_name: str) -> Predicate:
    """``column = pk`` of a global ID that must be of ``type_name``."""
    return lambda value, _context: column == from_global_id(value, expect=type_name)[1]


def global_id_in(column: Any, type_name: str, subquery: Callable[[int], Any]) -> Predicate:
    """``column IN subquery(pk)`` for a global ID of ``type_name`` (links through another table)."""
    return lambda value, _context: column.in_(subquery(from_global_id(value, expect=type_name)[1]))


def conditions(
    model: Any, filter_value: Any, predicates: Mapping[str, Predicate], context: Any = None
) -> list[Any]:
    """The WHERE conditions of ``filter_value`` (None: only the shared defaults)."""
    found: list[Any] = []
    county = getattr(filter_value, "county_id", None)
    if county is not None and hasattr(model, "county_id"):
        found.append(_apply(global_id(model.county_id, "County"), county, "county_id", context))
    if hasattr(model, "archived_at") and not getattr(filter_value, "include_archived", False):
        found.append(model.archived_at.is_(None))
    if filter_value is None:
        return found
    for name, predicate in predicates.items():
        value = getattr(filter_value, name)
        if value is None or value == "":
            continue
        found.append(_apply(predicate, value, name, context))
    return found


def _apply(predicate: Predicate, value: Any, name: str, context: Any) -> Any:
    try:
        return predicate(value, context)
    except GlobalIdError as exc:
        raise GlobalIdError(exc.message, field=f"filter.{name}") from exc

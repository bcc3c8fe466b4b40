"""GraphQL fields derived from the models' column declarations (:mod:`xieshang.db.fields`).

A type module declares *which* model a type presents and what it adds (connections, computed
fields); the plain fields, the relations to the rows its references name, the create and update
inputs, the column filters and the sort keys all come from the columns' declarations here. So a
field's Chinese label, description, filter behaviour and sortability are written once.

- :func:`row_type` — a strawberry type of a model: its shown columns as plain fields (in column
  order, after what the base types declare), then its references as relations (``county``
  first), then the class body's own fields.
- :func:`input_fields` — the fields of a create or update input.
- :func:`column_filters` and :func:`column_sort_keys` — what :mod:`xieshang.schema.lists` builds
  a list's ``filter`` and ``orderBy`` from.
- :func:`described` — the description of one column, for a resolver that shows it (masked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import strawberry
from strawberry.types.base import get_object_definition

from xieshang.db.base import UTCDateTime
from xieshang.db.fields import CREATE, NEVER, Field, Filter, declarations
from xieshang.domain.crud import references_of
from xieshang.schema.filters import Predicate, at_least, at_most, contains, equals, global_id
from xieshang.schema.relations import to_one

#: Columns every list and type handles itself (the key, the tenant, the bookkeeping).
_OWN = frozenset({"id", "county_id"})


def python_type(column: sa.Column[Any]) -> Any:
    """The Python type a column's values have (an enum class for enum columns)."""
    column_type = column.type
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    if isinstance(column_type, UTCDateTime):
        return dt.datetime
    return column_type.python_type


def _column(model: type[Any], name: str) -> sa.Column[Any]:
    table: sa.Table = model.__table__
    return table.c[name]


def described(model: type[Any], name: str) -> str:
    """The GraphQL description of column ``name`` of ``model`` (``姓名 name``)."""
    return declarations(model)[name].description


def _shown_references(model: type[Any], *, county: bool) -> Iterator[tuple[str, Field]]:
    declared = declarations(model)
    if county and "county_id" in declared:
        yield "county_id", declared["county_id"]
    for name in references_of(model):
        if name != "county_id" and name in declared and declared[name].shown:
            yield name, declared[name]


def _relation(model: type[Any], name: str, declaration: Field) -> tuple[str, Any]:
    target = references_of(model).get(name)
    if target is None:  # the tenant key: a plain foreign key to counties
        from xieshang.db.models import County

        target = County
    column = _column(model, name)
    field_name = declaration.relation or name.removesuffix("_id")
    relation = to_one(
        target.__name__,
        name,
        model=target,
        description=declaration.description,
        required=not column.nullable,
    )
    return field_name, relation


def row_type(
    model: type[Any], *, description: str, county: bool = True
) -> Callable[[type[Any]], type[Any]]:
    """``@row_type(models.Member, description="…")``: the strawberry type of ``model``.

    The class body keeps what the columns cannot say (connections, computed fields, resolvers
    of masked columns). ``county=False`` leaves out the ``county`` relation (child rows shown
    under their parent, such as a topic's timeline).
    """

    def decorate(cls: type[Any]) -> type[Any]:
        inherited = _inherited_fields(cls)
        declared = declarations(model)
        references = references_of(model)
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {}
        for name, declaration in declared.items():
            if name in _OWN or name in references or name in inherited or not declaration.shown:
                continue
            column = _column(model, name)
            annotation = python_type(column)
            annotations[name] = annotation | None if column.nullable else annotation
            namespace[name] = strawberry.field(description=declaration.description)
        for name, declaration in _shown_references(model, county=county):
            field_name, relation = _relation(model, name, declaration)
            namespace[field_name] = relation
        body = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        own_annotations = body.pop("__annotations__", {})
        new_namespace = {
            **namespace,
            **body,
            "__annotations__": {**annotations, **own_annotations},
        }
        if "model" not in body:
            new_namespace["model"] = model
        built = type(cls.__name__, cls.__bases__, new_namespace)
        return strawberry.type(built, description=description)

    return decorate


def _inherited_fields(cls: type[Any]) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        definition = get_object_definition(base)
        if definition is not None:
            names |= {f.python_name for f in definition.fields}
    return names


# -- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnInput:
    """One input field derived from a column: annotation, description, default (``...``: none)."""

    annotation: Any
    description: str
    default: Any = ...


def input_fields(
    model: type[Any], *, creating: bool, only: Sequence[str] | None = None
) -> dict[str, ColumnInput]:
    """The fields clients give when creating (or updating) a row of ``model``: every declared
    column they may write, references as global IDs, in column order (``only``: these, in
    this order). The tenant key is the caller's business."""
    declared = declarations(model)
    references = references_of(model)
    names = list(only) if only is not None else list(declared)
    found: dict[str, ColumnInput] = {}
    for name in names:
        declaration = declared[name]
        writable = declaration.write is not NEVER and (creating or declaration.write is not CREATE)
        if name in _OWN or (only is None and not writable):
            continue
        column = _column(model, name)
        annotation = strawberry.ID if name in references else python_type(column)
        if column.nullable:
            annotation = annotation | None
        default = ...
        if column.default is not None and not column.default.is_callable:
            default = column.default.arg  # type: ignore[attr-defined]
        found[name] = ColumnInput(annotation, declaration.description, default)
    return found


# -- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnFilter:
    """A filter input field derived from a column: its name, annotation, description, predicate."""

    name: str
    annotation: Any
    description: str
    predicate: Predicate


def _stem(name: str) -> str:
    for suffix in ("_on", "_at"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def column_filters(model: type[Any]) -> list[ColumnFilter]:
    """The filters the columns of ``model`` declare, in column order."""
    references = references_of(model)
    found: list[ColumnFilter] = []
    for name, declaration in declarations(model).items():
        if declaration.filter is None:
            continue
        column = getattr(model, name)
        label, term = declaration.label, declaration.term
        if declaration.filter is Filter.CONTAINS:
            found.append(
                ColumnFilter(f"{name}_contains", str | None, f"{label}包含 {term} contains",
                             contains(column))
            )  # fmt: skip
        elif declaration.filter is Filter.RANGE:
            kind = python_type(_column(model, name))
            term = term.removesuffix(" on").removesuffix(" at")
            found += [
                ColumnFilter(f"{_stem(name)}_from", kind | None,
                             f"{label}不早于 {term} on or after", at_least(column)),
                ColumnFilter(f"{_stem(name)}_to", kind | None,
                             f"{label}不晚于 {term} on or before", at_most(column)),
            ]  # fmt: skip
        elif name in references:
            found.append(
                ColumnFilter(name, strawberry.ID | None, declaration.description,
                             global_id(column, references[name].__name__))
            )  # fmt: skip
        else:
            found.append(
                ColumnFilter(name, python_type(_column(model, name)) | None,
                             declaration.description, equals(column))
            )  # fmt: skip
    return found


@dataclass(frozen=True)
class ColumnSort:
    """A sort key derived from a column: enum value name, column, description."""

    name: str
    column: Any
    description: str


def column_sort_keys(model: type[Any], also: Sequence[str] = ()) -> list[ColumnSort]:
    """The sort keys the columns of ``model`` declare (and the columns ``also`` names, such as
    the bookkeeping ``created_at``), in column order."""
    found: list[ColumnSort] = []
    for name, declaration in declarations(model).items():
        if declaration.sort or name in also:
            found.append(
                ColumnSort(
                    name.upper(), getattr(model, name), f"{declaration.label} {declaration.term}"
                )
            )
    return found

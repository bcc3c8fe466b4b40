"""One factory for every list field: filter input, ``orderBy`` input and keyset connection.

An entity module declares *what* its list offers (a :class:`ListSpec`: the node type, the
filter input and a predicate per input field, the sortable columns) and gets a field with
``filter``, ``orderBy``, ``first``/``after``/``last``/``before`` arguments that returns a
``Connection``. The order enum and input types are generated per entity so each list has its
own ``MemberOrderField`` / ``MemberOrder`` in the schema.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

import sqlalchemy as sa
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xieshang.db import keyset
from xieshang.domain import policy
from xieshang.errors import XieshangError
from xieshang.schema.context import Context
from xieshang.schema.derive import column_filters, column_sort_keys
from xieshang.schema.errors import from_xieshang_error
from xieshang.schema.filters import Predicate, ScopedFilter, conditions
from xieshang.schema.pagination import page_size, paginate, to_connection
from xieshang.schema.relay import Connection, OrderDirection, RowType, lazy_node, node_type_of_model


@dataclass(frozen=True)
class SortKey:
    """A sortable column of a list: enum value name, column, bilingual description."""

    name: str
    column: Any
    description: str


@dataclass(frozen=True)
class Link:
    """How a nested list hangs off its parent object.

    ``column`` holds the parent's key (read from the parent's attribute ``parent_key``). When
    the link runs through an association table, ``through`` is that table's model and
    ``target`` its column that equals the listed row's id (e.g. ``StudioMember.member_id``).
    """

    column: Any
    parent_key: str = "id"
    through: Any = None
    target: Any = None
    #: Extra condition on the association rows (e.g. only current grid placements).
    where: Any = None


@dataclass(eq=False)
class ListSpec:
    """What one entity's list offers; see the module docstring."""

    model: Any
    type_name: str
    filter_input: type | None
    filters: Mapping[str, Predicate]
    sort_keys: Sequence[SortKey]
    default_sort: str
    default_direction: OrderDirection = OrderDirection.ASC
    _order_input: type | None = field(default=None, init=False)

    @property
    def node_type(self) -> type[RowType]:
        return node_type_of_model(self.model)

    def order_input(self) -> type:
        """The ``<Type>Order`` input (and its ``<Type>OrderField`` enum), made once."""
        if self._order_input is None:
            self._order_input = _make_order_input(self.type_name, self.sort_keys)
        return self._order_input

    def ordering(self, order_by: Any) -> keyset.Ordering:
        name = self.default_sort if order_by is None else order_by.field.value
        direction = self.default_direction if order_by is None else order_by.direction
        key = next(k for k in self.sort_keys if k.name == name)
        return keyset.Ordering(
            name=f"{name}:{direction.value}",
            column=key.column,
            pk=self.model.id,
            descending=direction is OrderDirection.DESC,
        )

    def statement(
        self, filter_value: Any, context: Context, link: Link | None = None
    ) -> sa.Select[Any]:
        stmt = sa.select(self.model).where(
            *conditions(self.model, filter_value, self.filters, context),
            # Only the rows the viewer may see: its counties (a unit: its own tasks).
            *policy.row_conditions(context.viewer, self.model),
        )
        if link is not None and link.through is not None:
            stmt = stmt.join(link.through, link.target == self.model.id)
        if link is not None and link.where is not None:
            stmt = stmt.where(link.where)
        return stmt


@dataclass(frozen=True)
class ExtraFilter:
    """A filter field that is not one column's (a link through another table, a computed
    condition such as "overdue"): its name, annotation, description and predicate."""

    name: str
    annotation: Any
    description: str
    predicate: Predicate


_FILTER_INPUTS: dict[str, type] = {}


def list_spec(
    model: Any,
    *,
    label: str,
    default_sort: str,
    extra_filters: Sequence[ExtraFilter] = (),
    also_sortable: Sequence[str] = (),
    default_direction: OrderDirection = OrderDirection.ASC,
    scoped: bool = True,
    insertion_order: bool = True,
    filter_name: str | None = None,
    filter_description: str | None = None,
) -> ListSpec:
    """The list of ``model``: its filter input and predicates from the columns' declared filters
    (:func:`xieshang.schema.derive.column_filters`) plus ``extra_filters``, its sort keys from the
    declared sortable columns plus ``also_sortable`` (and ``ID``, insertion order, first).

    ``label`` is the Chinese name of what is listed (委员). ``scoped`` lists share the
    ``countyId`` / ``includeArchived`` fields of :class:`~xieshang.schema.filters.ScopedFilter`.
    Lists with the same fields may share one input type (``filter_name``).
    """
    type_name = model.__name__
    filters = [
        ExtraFilter(f.name, f.annotation, f.description, f.predicate) for f in column_filters(model)
    ] + list(extra_filters)
    name = filter_name or f"{type_name}Filter"
    filter_input = _FILTER_INPUTS.get(name)
    if filter_input is None:
        description = filter_description or f"{label}列表筛选 {_words(type_name)} filter"
        filter_input = _make_filter_input(name, description, filters, scoped=scoped)
        _FILTER_INPUTS[name] = filter_input
    keys = [SortKey("ID", model.id, "录入顺序 insertion order")] if insertion_order else []
    keys += [
        SortKey(k.name, k.column, k.description) for k in column_sort_keys(model, also_sortable)
    ]
    return ListSpec(
        model=model,
        type_name=type_name,
        filter_input=filter_input,
        filters={f.name: f.predicate for f in filters},
        sort_keys=keys,
        default_sort=default_sort,
        default_direction=default_direction,
    )


def _words(type_name: str) -> str:
    """``OpinionReport`` → ``opinion report``."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in type_name).strip()


def _make_filter_input(
    name: str, description: str, filters: Sequence[ExtraFilter], *, scoped: bool
) -> type:
    annotations = {f.name: f.annotation for f in filters}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for f in filters:
        namespace[f.name] = strawberry.field(default=None, description=f.description)
    bases = (ScopedFilter,) if scoped else ()
    return strawberry.input(type(name, bases, namespace), description=description)


def _make_order_input(type_name: str, keys: Sequence[SortKey]) -> type:
    members = {k.name: strawberry.enum_value(k.name, description=k.description) for k in keys}
    values = cast(type[enum.Enum], enum.Enum(f"{type_name}OrderField", members))
    field_enum = strawberry.enum(values, description=f"排序字段 sort field of the {type_name} list")
    namespace: dict[str, Any] = {
        "__annotations__": {"field": field_enum, "direction": OrderDirection},
        "field": strawberry.field(description="排序字段 sort field"),
        "direction": strawberry.field(
            default=OrderDirection.ASC, description="排序方向 direction（默认升序）"
        ),
    }
    order_cls = type(f"{type_name}Order", (), namespace)
    return strawberry.input(order_cls, description=f"排序 ordering of the {type_name} list")


PAGE_ARGUMENTS: dict[str, tuple[Any, str]] = {
    "first": (
        int | None,
        "从开头（或 after 之后）取的条数，最大 100 number of edges from the start",
    ),
    "after": (str | None, "从此游标之后开始 start after this cursor"),
    "last": (int | None, "从末尾（或 before 之前）取的条数，最大 100 number of edges from the end"),
    "before": (str | None, "到此游标之前为止 end before this cursor"),
}


def connection_field(spec: ListSpec, *, description: str, link: Link | None = None) -> Any:
    """A field listing ``spec``'s rows as a keyset-paginated connection.

    At the root it pages one SELECT. With ``link`` it is a nested list (a platform's children,
    a studio's members): the pages of every parent in the response are fetched together, one
    statement for the rows and one for the counts, however many parents there are.
    """

    async def resolve(root: Any, info: Info[Context, Any], **kwargs: Any) -> Any:
        context = info.context
        first, last = page_size(
            kwargs.get("first"), kwargs.get("last"), context.settings.max_page_size
        )
        after, before, filter_value = (
            kwargs.get("after"),
            kwargs.get("before"),
            kwargs.get("filter"),
        )
        try:
            ordering = spec.ordering(kwargs.get("order_by"))
            stmt = spec.statement(filter_value, context, link)
            if link is None:
                return await paginate(
                    info,
                    spec.node_type,
                    stmt,
                    ordering,
                    first=first,
                    after=after,
                    last=last,
                    before=before,
                )
            parent = getattr(root, link.parent_key)
            identity = (
                id(spec),
                link,
                ordering.name,
                first,
                after,
                last,
                before,
                repr(filter_value),
            )
            pages = context.loaders.get(
                ("pages", *identity),
                lambda: _page_loader(context, stmt, ordering, link, first, after, last, before),
            )
            counts = context.loaders.get(
                ("counts", *identity), lambda: _count_loader(context, stmt, link)
            )
            page = await pages.load(parent)
        except XieshangError as exc:
            raise from_xieshang_error(exc) from exc
        return to_connection(spec.node_type, page, lambda: counts.load(parent))

    parameters = [
        inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter(
            "info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info[Context, Any]
        ),
    ]
    if spec.filter_input is not None:
        parameters.append(_argument("filter", spec.filter_input | None, "筛选条件 filter"))
    parameters.append(
        _argument("order_by", spec.order_input() | None, "排序（默认见字段说明） ordering")
    )
    for name, (annotation, text) in PAGE_ARGUMENTS.items():
        parameters.append(_argument(name, annotation, text))
    resolve.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    resolve.__name__ = f"resolve_{spec.type_name}_connection"
    connection: Any = Connection
    return strawberry.field(
        resolver=resolve,
        graphql_type=connection[lazy_node(spec.type_name)],
        description=description,
    )


def _page_loader(
    context: Context,
    stmt: sa.Select[Any],
    ordering: keyset.Ordering,
    link: Link,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> DataLoader[Any, keyset.Page]:
    async def load(keys: list[Any]) -> list[keyset.Page]:
        async with context.sessions() as session:
            pages = await keyset.fetch_pages(
                session,
                stmt,
                ordering,
                link.column,
                keys,
                first=first,
                after=after,
                last=last,
                before=before,
            )
        return [pages[k] for k in keys]

    return DataLoader(load)


def _count_loader(context: Context, stmt: sa.Select[Any], link: Link) -> DataLoader[Any, int]:
    async def load(keys: list[Any]) -> list[int]:
        async with context.sessions() as session:
            counts = await keyset.count_by(session, stmt, link.column, keys)
        return [counts[k] for k in keys]

    return DataLoader(load)


def _argument(name: str, annotation: Any, description: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[annotation, strawberry.argument(description=description)],
    )

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, cast

import sqlalchemy as sa
import strawberry
from strawberry.types import Info

from xieshang.db import keyset
from xieshang.errors import XieshangError
from xieshang.schema.context import Context
from xieshang.schema.errors import from_xieshang_error
from xieshang.schema.filters import Predicate, conditions
from xieshang.schema.pagination import paginate
from xieshang.schema.relay import Connection, OrderDirection, RowType

T = TypeVar("T", bound=RowType)


@dataclass(frozen=True)
class SortKey:
    """A sortable column of a list: enum value name, column, bilingual description."""

    name: str
    column: Any
    description: str


@dataclass
class ListSpec(Generic[T]):
    """What one entity's list offers; see the module docstring."""

    node: type[T]
    filter_input: type | None
    filters: Mapping[str, Predicate]
    sort_keys: Sequence[SortKey]
    default_sort: str
    default_direction: OrderDirection = OrderDirection.ASC
    _order_input: type | None = field(default=None, init=False)

    @property
    def type_name(self) -> str:
        return self.node.graphql_type_name()

    def order_input(self) -> type:
        """The ``<Type>Order`` input (and its ``<Type>OrderField`` enum), made once."""
        if self._order_input is None:
            self._order_input = _make_order_input(self.type_name, self.sort_keys)
        return self._order_input

    def ordering(self, order_by: Any) -> keyset.Ordering:
        name = self.default_sort if order_by is None else order_by.field.value
        direction = self.default_direction if order_by is None else order_by.direction
        key = next(k for k in self.sort_keys if k.name == name)
        model = self.node.model
        return keyset.Ordering(
            name=f"{name}:{direction.value}",
            column=key.column,
            pk=model.id,
            descending=direction is OrderDirection.DESC,
        )

    def statement(self, filter_value: Any, *extra: sa.ColumnElement[bool]) -> sa.Select[Any]:
        model = self.node.model
        return sa.select(model).where(*conditions(model, filter_value, self.filters), *extra)


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


def connection_field(
    spec: ListSpec[T],
    *,
    description: str,
    extra: Callable[[Any, Info[Context, Any]], Sequence[sa.ColumnElement[bool]]] | None = None,
) -> Any:
    """A strawberry field that lists ``spec.node`` as a keyset-paginated connection.

    ``extra(root, info)`` adds conditions that depend on the parent object, which makes the
    same spec usable for nested lists (a platform's children, a studio's members).
    """

    async def resolve(root: Any, info: Info[Context, Any], **kwargs: Any) -> Connection[T]:
        try:
            conditions = list(extra(root, info)) if extra is not None else []
            stmt = spec.statement(kwargs.get("filter"), *conditions)
        except XieshangError as exc:
            raise from_xieshang_error(exc) from exc
        return await paginate(
            info,
            spec.node,
            stmt,
            spec.ordering(kwargs.get("order_by")),
            first=kwargs.get("first"),
            after=kwargs.get("after"),
            last=kwargs.get("last"),
            before=kwargs.get("before"),
        )

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
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters,
        return_annotation=Connection[spec.node],  # type: ignore[name-defined]
    )
    resolve.__name__ = f"resolve_{spec.type_name}_connection"
    return strawberry.field(resolver=resolve, description=description)


def _argument(name: str, annotation: Any, description: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[annotation, strawberry.argument(description=description)],
    )

"""Relay building blocks: the ``Node`` interface, global IDs and the generic connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from strawberry.types.base import get_object_definition

from xieshang.db import models as _models  # noqa: F401  (every model mapped)
from xieshang.db.base import Base
from xieshang.db.keyset import encode_cursor
from xieshang.domain.ids import GlobalIdError, from_global_id, to_global_id
from xieshang.schema.errors import query_error


def county_argument(county_id: str) -> int:
    """The primary key of a ``countyId`` argument; an INVALID_ID query error if it names no county."""
    try:
        return from_global_id(county_id, expect="County", field="countyId")[1]
    except GlobalIdError as exc:
        raise query_error(exc.code, exc.message) from exc


@strawberry.interface(
    description="节点 Node：具有全局唯一 ID、可用 node(id:) 直接取回的对象（Relay 规范）。"
)
class Node:
    @strawberry.field(description="全局 ID global ID：不透明字符串，可传给 node(id:) 取回本对象。")
    def id(self, root: strawberry.Parent[Any]) -> strawberry.ID:
        return strawberry.ID(to_global_id(type_name_of(root), root.id))

    @classmethod
    def graphql_type_name(cls) -> str:
        definition = get_object_definition(cls, strict=True)
        return definition.name


class RowType(Node):
    """Base of node types that present ORM rows.

    The type declares the GraphQL fields; at run time resolvers return the rows themselves, so
    plain fields read the row's attributes directly (no copy per row), and computed fields
    take the row as ``root: strawberry.Parent[Model]``.
    """

    model: ClassVar[type[Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:
            _NODE_TYPES[cls.model] = cls

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        """Rows of the type's model are values of the type (graphql-core asks)."""
        return isinstance(obj, cls.model)


_NODE_TYPES: dict[type, type[RowType]] = {}
_TYPE_NAMES: dict[type, str] = {}


def type_name_of(row: Any) -> str:
    """The GraphQL type name of a row (cached per model)."""
    model = type(row)
    name = _TYPE_NAMES.get(model)
    if name is None:
        name = _TYPE_NAMES[model] = _NODE_TYPES[model].graphql_type_name()
    return name


def node_type_of(row: Any) -> type[RowType]:
    """The node type that presents rows of ``row``'s model."""
    return _NODE_TYPES[type(row)]


def node_type_of_model(model: type[Any]) -> type[RowType]:
    """The node type that presents rows of ``model``."""
    return _NODE_TYPES[model]


def schema_module_of(type_name: str) -> str:
    """The schema module that defines node type ``type_name``: the one named like the module of
    its model (``db/models/platform.py`` → ``schema/platform.py``), so no table restates it."""
    model = next(m.class_ for m in Base.registry.mappers if m.class_.__name__ == type_name)
    return f"xieshang.schema.{model.__module__.rsplit('.', 1)[-1]}"


def node_types() -> list[type[RowType]]:
    """Every node type defined so far (all of them once :mod:`xieshang.schema` is imported)."""
    return list(_NODE_TYPES.values())


def lazy_node(type_name: str) -> Any:
    """A lazy annotation of the node type ``type_name`` (types may refer to each other)."""
    return Annotated[type_name, strawberry.lazy(schema_module_of(type_name))]


@strawberry.enum(description="排序方向 order direction")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="升序 ascending")
    DESC = strawberry.enum_value("DESC", description="降序 descending")


@strawberry.type(description="分页信息 page info（Relay 规范）")
class PageInfo:
    has_next_page: bool = strawberry.field(description="是否还有下一页 whether a next page exists")
    has_previous_page: bool = strawberry.field(
        description="是否还有上一页 whether a previous page exists"
    )
    start_cursor: str | None = strawberry.field(
        description="本页第一条的游标 cursor of the first edge on this page"
    )
    end_cursor: str | None = strawberry.field(
        description="本页最后一条的游标 cursor of the last edge on this page"
    )


NodeT = TypeVar("NodeT")


@strawberry.type(description="连接中的一条边 edge：节点及其游标")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="节点 node")
    ordering: strawberry.Private[Any]

    @strawberry.field(description="游标 cursor：传给 after / before 以翻页")
    def cursor(self) -> str:
        # Computed only when asked for: most list screens never read edge cursors.
        return encode_cursor(self.ordering, self.node)


@strawberry.type(description="分页列表 connection（Relay 规范，键集分页 keyset pagination）")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="本页的边 edges of this page")
    page_info: PageInfo = strawberry.field(description="分页信息 page info")
    count_total: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="符合筛选条件的总数 total count of matching rows (all pages)")
    async def total_count(self) -> int:
        return await self.count_total()


@strawberry.type(description="可编辑记录的公共字段 fields every editable record has")
class Tracked:
    version: int = strawberry.field(
        description="版本号 version：更新时作为 expectedVersion 传回，用于乐观锁 optimistic locking"
    )
    created_at: datetime = strawberry.field(description="创建时间 created at")
    updated_at: datetime = strawberry.field(description="更新时间 updated at")


@strawberry.type(description="可归档记录的公共字段 fields every archivable record has")
class Archivable(Tracked):
    archived_at: datetime | None = strawberry.field(
        description="归档时间 archived at（未归档为空；归档即软删除 soft delete）"
    )

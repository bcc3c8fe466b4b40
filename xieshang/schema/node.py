"""Root ``node(id:)`` and ``nodes(ids:)``: fetch any object by its global ID."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.domain import policy
from xieshang.domain.ids import GlobalIdError, from_global_id
from xieshang.schema.context import Context
from xieshang.schema.errors import from_xieshang_error, query_error
from xieshang.schema.relay import Node, RowType

MAX_NODES = 100


class NodeRegistry:
    """Which GraphQL type name maps to which node type (and so to which model)."""

    def __init__(self, types: Iterable[type[RowType]]) -> None:
        self.types = {t.graphql_type_name(): t for t in types}

    async def resolve(self, info: Info[Context, Any], global_id: str) -> Node | None:
        try:
            type_name, pk = from_global_id(global_id)
        except GlobalIdError as exc:
            raise from_xieshang_error(exc) from exc
        node_type = self.types.get(type_name)
        if node_type is None:
            raise query_error("INVALID_ID", f"ID 无效：没有名为 {type_name} 的对象类型")
        viewer = info.context.viewer
        if not policy.may_read_type(viewer, type_name):
            return None  # as if it did not exist: IDs reveal nothing to those who may not see them
        row = await info.context.loaders.one(node_type.model).load(pk)
        if row is None or not policy.row_visible(viewer, row):
            return None
        return row  # type: ignore[no-any-return]


def node_query(registry: NodeRegistry) -> type:
    """The root fields ``node`` and ``nodes`` bound to ``registry``."""

    @strawberry.type
    class NodeQuery:
        @strawberry.field(
            description="按全局 ID 取任意对象 fetch any object by its global ID（不存在时为 null）"
        )
        async def node(
            self,
            info: Info[Context, Any],
            id: Annotated[strawberry.ID, strawberry.argument(description="全局 ID global ID")],
        ) -> Node | None:
            return await registry.resolve(info, id)

        @strawberry.field(
            description=(
                "按全局 ID 批量取对象 fetch objects by global IDs"
                "（顺序与参数一致，不存在的为 null；最多 100 个）"
            )
        )
        async def nodes(
            self,
            info: Info[Context, Any],
            ids: Annotated[
                list[strawberry.ID], strawberry.argument(description="全局 ID 列表 global IDs")
            ],
        ) -> list[Node | None]:
            if len(ids) > MAX_NODES:
                raise query_error(
                    "PAGE_SIZE_EXCEEDED", f"nodes 一次最多取 {MAX_NODES} 个（收到 {len(ids)} 个）"
                )
            return [await registry.resolve(info, i) for i in ids]

    return NodeQuery

"""Relation fields between node types, resolved through the per-request loaders.

``to_one(...)`` and ``to_many(...)`` declare a relation in one line of a type's body; the
target type is named lazily (``"Platform"`` in ``xieshang.schema.platform``), so types may
refer to each other and to themselves.
"""

from __future__ import annotations

import inspect
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.schema.context import Context
from xieshang.schema.loaders import field_scope
from xieshang.schema.relay import lazy_node


def to_one(
    target: str, key: str, *, model: type[Any], description: str, required: bool = False
) -> Any:
    """Field resolving the ``target`` row whose id is the parent's private attribute ``key``."""

    async def resolve(root: Any, info: Info[Context, Any]) -> Any:
        pk = getattr(root, key)
        if pk is None:
            return None
        row = await info.context.loaders.one(model, scope=field_scope(info)).load(pk)
        return row

    graphql_type = lazy_node(target) if required else lazy_node(target) | None
    return _field(resolve, f"resolve_{key}", graphql_type, description)


def to_many(
    target: str,
    column: str,
    *,
    model: type[Any],
    description: str,
    order_by: tuple[str, ...] = ("id",),
) -> Any:
    """Field listing every ``target`` row whose ``column`` equals the parent's primary key.

    For short, bounded lists (a studio's five selection rounds); long lists are connections.
    """

    async def resolve(root: Any, info: Info[Context, Any]) -> Any:
        loader = info.context.loaders.many(
            model, column, order_by=order_by, scope=field_scope(info)
        )
        rows = await loader.load(root.id)
        return rows

    return _field(resolve, f"resolve_{target}_by_{column}", list[lazy_node(target)], description)  # type: ignore[misc]


def _field(resolve: Any, name: str, graphql_type: Any, description: str) -> Any:
    resolve.__name__ = name
    resolve.__signature__ = inspect.Signature(
        [
            inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter(
                "info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info[Context, Any]
            ),
        ]
    )
    return strawberry.field(resolver=resolve, graphql_type=graphql_type, description=description)

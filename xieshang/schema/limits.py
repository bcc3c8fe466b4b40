"""Limits on what one request may ask for: depth, cost, and a report of the cost.

- **Depth** counts the levels of real data: the Relay plumbing (``edges``, ``node``,
  ``pageInfo``) adds none, so ``studios { edges { node { members { … } } } }`` is depth 2.
- **Cost** is one per field, and the fields under a list are counted once per item it may
  return: ``first``/``last`` (20 when not given), or the number of IDs of ``nodes``. A page of
  100 members, each with a page of 100 studios, each with 100 members, is refused.

Both are measured before anything runs, with the request's variables; the cost is reported as
``extensions.cost``. Aliases and tokens are limited by strawberry's own validators.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import graphql
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from xieshang.schema.pagination import DEFAULT_PAGE_SIZE

PLUMBING = {"edges", "node", "pageInfo"}


def _value(node: graphql.ValueNode, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, graphql.VariableNode):
        return variables.get(node.name.value)
    try:
        return graphql.value_from_ast_untyped(node, dict(variables))
    except Exception:
        return None


def _multiplier(field: graphql.FieldNode, variables: Mapping[str, Any]) -> int:
    args = {a.name.value: _value(a.value, variables) for a in field.arguments or ()}
    if field.name.value == "nodes":
        ids = args.get("ids")
        return max(1, len(ids)) if isinstance(ids, list) else 1
    for name in ("first", "last"):
        if isinstance(args.get(name), int):
            return max(1, int(args[name]))
    return DEFAULT_PAGE_SIZE if field.name.value in _PAGED else 1


#: Fields that page without ``first`` given (root and nested connections, ranking …).
_PAGED: set[str] = set()


def _paged_fields(schema: graphql.GraphQLSchema) -> set[str]:
    found = set()
    for type_ in schema.type_map.values():
        if isinstance(type_, graphql.GraphQLObjectType) and not type_.name.startswith("__"):
            for name, field in type_.fields.items():
                if "first" in field.args:
                    found.add(name)
    return found


def measure(
    schema: graphql.GraphQLSchema,
    document: graphql.DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> tuple[int, int]:
    """``(depth, cost)`` of the operation that would run."""
    if not _PAGED:
        _PAGED.update(_paged_fields(schema))
    variables = variables or {}
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, graphql.FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0, 0
    operation = operations[0]

    def walk(
        selection_set: graphql.SelectionSetNode | None, seen: frozenset[str]
    ) -> tuple[int, int]:
        depth, cost = 0, 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, graphql.FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue  # introspection and __typename
                child_depth, child_cost = walk(selection.selection_set, seen)
                level = 0 if name in PLUMBING else 1
                depth = max(depth, child_depth + level)
                cost += 1 + child_cost * _multiplier(selection, variables)
            elif isinstance(selection, graphql.InlineFragmentNode):
                child_depth, child_cost = walk(selection.selection_set, seen)
                depth, cost = max(depth, child_depth), cost + child_cost
            elif isinstance(selection, graphql.FragmentSpreadNode):
                fragment_name = selection.name.value
                fragment = fragments.get(fragment_name)
                if fragment is None or fragment_name in seen:
                    continue  # unknown or cyclic: validation reports it
                child_depth, child_cost = walk(fragment.selection_set, seen | {fragment_name})
                depth, cost = max(depth, child_depth), cost + child_cost
        return depth, cost

    return walk(operation.selection_set, frozenset())


class QueryLimits(SchemaExtension):
    """Refuses operations deeper than ``max_depth`` or costlier than ``max_cost``; reports the cost."""

    def __init__(self, *, max_depth: int, max_cost: int) -> None:
        self.max_depth = max_depth
        self.max_cost = max_cost
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            depth, cost = measure(
                context.schema._schema, document, context.operation_name, context.variables
            )
            self.cost = cost
            error = None
            if depth > self.max_depth:
                error = graphql.GraphQLError(
                    f"查询层级过深：{depth} 层，最多 {self.max_depth} 层（edges、node、pageInfo 不计）",
                    extensions={"code": "DEPTH_LIMIT_EXCEEDED"},
                )
            elif cost > self.max_cost:
                error = graphql.GraphQLError(
                    f"查询代价过高：{cost}，上限 {self.max_cost}；请减少每页条数或嵌套的列表",
                    extensions={"code": "COST_LIMIT_EXCEEDED"},
                )
            if error is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost is not None else {}

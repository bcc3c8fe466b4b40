"""The policy applied to every field of the schema.

After the schema is built, every root query field and mutation is wrapped with the check of
:func:`xieshang.domain.policy.may_call`, and every field that returns objects of a guarded type
(a node, a connection or edge of nodes, an assessment …) with
:func:`xieshang.domain.policy.may_read_type`. Subscription fields are checked with
:func:`xieshang.domain.policy.may_subscribe` when the subscription starts (the objects inside an
event, such as ``FollowUpEvent.followUp``, are type-checked like any other). A refused call is a
``FORBIDDEN`` error; refusals at the root are written to the audit trail. Leaf fields are not
wrapped (their parent was checked).
"""

from __future__ import annotations

import inspect
from typing import Any

import graphql

from xieshang.domain import audit, policy
from xieshang.schema.errors import query_error

#: Suffixes of generated types that carry objects of the type before them.
_CARRIERS = ("Connection", "Edge")


def guarded_type(type_: graphql.GraphQLOutputType) -> str | None:
    """The policy type name behind a field's return type, if it is a guarded one."""
    named = graphql.get_named_type(type_)
    name = named.name if named is not None else ""
    for suffix in _CARRIERS:
        if name.endswith(suffix) and name[: -len(suffix)] in policy.TYPE_READERS:
            return name[: -len(suffix)]
    if isinstance(named, graphql.GraphQLInterfaceType):
        return None  # Node: each concrete object is checked where it is resolved
    return name if name in policy.TYPE_READERS else None


async def _record_denied(info: graphql.GraphQLResolveInfo[Any], field: str, kind: str) -> None:
    context = info.context
    event = audit.event(
        context.viewer, f"denied:{field}", success=False, origin=context.origin, detail=kind
    )
    await audit.record_alone(context.writes, event)


def _root(resolve: Any, field: str, *, mutation: bool) -> Any:
    async def denied(info: graphql.GraphQLResolveInfo[Any]) -> None:
        await _record_denied(info, field, "mutation" if mutation else "query")

    def check(source: Any, info: graphql.GraphQLResolveInfo[Any], **args: Any) -> Any:
        if not policy.may_call(info.context.viewer, field, mutation=mutation):

            async def refuse() -> None:
                await denied(info)
                raise query_error("FORBIDDEN", f"无权{'执行' if mutation else '查询'} {field}")

            return refuse()
        return resolve(source, info, **args)

    return check


def _subscription(subscribe: Any, field: str) -> Any:
    async def check(source: Any, info: graphql.GraphQLResolveInfo[Any], **args: Any) -> Any:
        if not policy.may_subscribe(info.context.viewer, field):
            await _record_denied(info, field, "subscription")
            raise query_error("FORBIDDEN", f"无权订阅 {field}")
        stream = subscribe(source, info, **args)
        return await stream if inspect.isawaitable(stream) else stream

    return check


def _typed(resolve: Any, type_name: str) -> Any:
    def check(source: Any, info: graphql.GraphQLResolveInfo[Any], **args: Any) -> Any:
        if not policy.may_read_type(info.context.viewer, type_name):
            raise query_error("FORBIDDEN", f"无权查看 {type_name}")
        return resolve(source, info, **args)

    return check


def apply(schema: graphql.GraphQLSchema) -> dict[str, list[str]]:
    """Wrap the fields of ``schema``; returns the guarded root fields, mutations, subscriptions."""
    guarded: dict[str, list[str]] = {"query": [], "mutation": [], "subscription": []}
    roots = {schema.query_type: False, schema.mutation_type: True}
    if schema.subscription_type is not None:
        # Checked when the subscription starts; each event's value is the field's own type.
        for field_name, field in schema.subscription_type.fields.items():
            if field.subscribe is not None:
                field.subscribe = _subscription(field.subscribe, field_name)
            guarded["subscription"].append(field_name)
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, graphql.GraphQLObjectType):
            continue
        if graphql_type is schema.subscription_type:
            continue
        mutation = roots.get(graphql_type)
        for field_name, field in graphql_type.fields.items():
            resolve = field.resolve or graphql.default_field_resolver
            guarded_name = guarded_type(field.type)
            # Inside a connection or edge of a type the check was made where the connection
            # was reached: checking every edge and node again would only cost time.
            carried = guarded_name is not None and guarded_type(graphql_type) == guarded_name
            if guarded_name is not None and graphql_type not in roots and not carried:
                resolve = _typed(resolve, guarded_name)
            if mutation is not None:
                resolve = _root(resolve, field_name, mutation=mutation)
                guarded["mutation" if mutation else "query"].append(field_name)
            field.resolve = resolve
    return guarded

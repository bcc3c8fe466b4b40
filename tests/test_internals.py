"""The internals of strawberry-graphql, graphql-core and Starlette that xieshang relies on.

``xieshang/schema/fastpath.py``, ``guard.py``, ``limits.py``, ``extensions.py``, ``derive.py`` and
``schema/__init__.py`` reach below strawberry's public API (the graphql-core schema behind it,
the field definitions it keeps there, extension internals), and ``xieshang.testing`` swaps a
Starlette middleware. pyproject.toml pins strawberry-graphql and graphql-core to the versions
these tests passed on. When an upgrade breaks one, the failure names the internal, the xieshang
module that uses it and what to look for in the new release; fix that module, then move the pin.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
import strawberry

UPGRADE = "when upgrading strawberry-graphql / graphql-core (pinned in pyproject.toml)"


def need(condition: object, internal: str, user: str, what: str) -> None:
    """Fail with a message naming the internal, who uses it and what to check."""
    assert condition, f"{internal} (used by {user}) no longer {what}; check it {UPGRADE}"


@strawberry.type
class Row:
    plain: str
    renamed_attribute: int = strawberry.field(name="renamed")

    @strawberry.field
    def computed(self) -> str:
        return f"computed {self.plain}"


@strawberry.type
class Query:
    @strawberry.field
    def row(self) -> Row:
        return Row(plain="p", renamed_attribute=7)


def _schema(**kwargs: Any) -> strawberry.Schema:
    return strawberry.Schema(query=Query, **kwargs)


def test_the_graphql_core_schema_behind_a_strawberry_schema_is_the_one_executed() -> None:
    schema = _schema()
    core = getattr(schema, "_schema", None)
    need(
        isinstance(core, graphql.GraphQLSchema),
        "strawberry.Schema._schema",
        "schema/__init__.py (fastpath.apply, guard.apply) and schema/limits.py",
        "is the graphql-core GraphQLSchema",
    )
    assert isinstance(core, graphql.GraphQLSchema)
    row_type = core.type_map["Row"]
    assert isinstance(row_type, graphql.GraphQLObjectType)
    row_type.fields["plain"].resolve = lambda source, info: "replaced"
    result = schema.execute_sync("{ row { plain renamed computed } }")
    assert result.errors is None, result.errors
    need(
        result.data == {"row": {"plain": "replaced", "renamed": 7, "computed": "computed p"}},
        "GraphQLField.resolve on strawberry.Schema._schema",
        "schema/fastpath.py and schema/guard.py",
        "changes what strawberry executes when replaced after the schema is built",
    )


def test_graphql_fields_point_back_at_their_strawberry_fields() -> None:
    from strawberry.schema.schema_converter import GraphQLCoreConverter
    from strawberry.types.field import StrawberryField

    key = getattr(GraphQLCoreConverter, "DEFINITION_BACKREF", None)
    need(
        isinstance(key, str),
        "GraphQLCoreConverter.DEFINITION_BACKREF",
        "schema/fastpath.py",
        "exists (the key of a graphql-core field's extensions holding its StrawberryField)",
    )
    row_type = _schema()._schema.type_map["Row"]
    assert isinstance(row_type, graphql.GraphQLObjectType)
    definitions = {
        name: (field.extensions or {}).get(key) for name, field in row_type.fields.items()
    }
    need(
        all(isinstance(d, StrawberryField) for d in definitions.values()),
        "GraphQLField.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]",
        "schema/fastpath.py",
        "holds the field's StrawberryField",
    )
    need(
        definitions["plain"].is_basic_field and not definitions["computed"].is_basic_field,
        "StrawberryField.is_basic_field",
        "schema/fastpath.py",
        "is true exactly for fields without a resolver or extensions",
    )
    need(
        definitions["renamed"].python_name == "renamed_attribute"
        and list(definitions["plain"].extensions) == [],
        "StrawberryField.python_name / .extensions",
        "schema/fastpath.py (reads getattr(row, python_name))",
        "name the Python attribute behind a field / list the field's extensions",
    )


def test_fastpath_and_guard_change_the_fields_of_the_real_schema() -> None:
    from xieshang.config import Settings
    from xieshang.schema import NODE_TYPES, build_schema, fastpath

    plain = build_schema(Settings(), tuned=False)._schema
    changed = fastpath.apply(plain, {t.graphql_type_name() for t in NODE_TYPES})
    need(
        changed > 100,
        "StrawberryField.is_basic_field and DEFINITION_BACKREF on xieshang's schema",
        "schema/fastpath.py",
        f"find xieshang's plain fields (only {changed} were given direct resolvers)",
    )
    member = plain.type_map["Member"]
    assert isinstance(member, graphql.GraphQLObjectType)
    need(
        member.fields["name"].resolve is not None and member.fields["id"].resolve is not None,
        "GraphQLField.resolve",
        "schema/fastpath.py",
        "can be set on xieshang's Member.name and Member.id",
    )
    tuned = build_schema(Settings())
    subscription = tuned._schema.subscription_type
    need(
        subscription is not None
        and all(f.subscribe is not None for f in subscription.fields.values()),
        "GraphQLField.subscribe of strawberry's subscription fields",
        "schema/guard.py (wraps it with the subscription check)",
        "is set",
    )


@strawberry.type
class More:
    @strawberry.field
    def more(self) -> int:
        return 1


@strawberry.type
class Internal:
    value: int = 1


@strawberry.type
class WithInternal:
    @strawberry.field
    def internal(self) -> Internal:
        return Internal()


class Colour(enum.Enum):
    RED = "RED"


# Like xieshang/schema/enums.py: registered before any type uses it, described afterwards.
strawberry.enum(Colour, description="颜色 colour")


@strawberry.type
class ColourQuery:
    @strawberry.field
    def colour(self) -> Colour:
        return Colour.RED


def test_merge_types_and_definition_names_and_descriptions_can_be_set() -> None:
    from strawberry.tools import merge_types
    from strawberry.types.base import get_object_definition

    merged = merge_types("Root", (Query, More))
    definition = getattr(merged, "__strawberry_definition__", None)
    need(
        definition is not None and get_object_definition(merged, strict=True) is definition,
        "strawberry.tools.merge_types / __strawberry_definition__ / get_object_definition",
        "schema/__init__.py (Query, Mutation) and schema/relay.py (graphql_type_name)",
        "returns a strawberry type with its definition",
    )
    assert definition is not None
    definition.description = "根 root"
    Internal.__strawberry_definition__.name = "Published"  # type: ignore[attr-defined]
    sdl = strawberry.Schema(query=merge_types("Both", (merged, WithInternal))).as_str()
    need(
        "type Published" in sdl and "more: Int!" in sdl,
        "__strawberry_definition__.name",
        "schema/assessments.py (StandardType → Standard …)",
        "renames a type in the schema when set before the schema is built",
    )
    need(
        '"""根 root"""' in strawberry.Schema(query=merged).as_str(),
        "__strawberry_definition__.description",
        "schema/__init__.py (descriptions of Query and Mutation)",
        "sets the type's description",
    )


def test_object_definitions_list_the_python_names_of_their_fields() -> None:
    from strawberry.types.base import get_object_definition

    definition = get_object_definition(Row)
    need(
        get_object_definition(object) is None
        and definition is not None
        and {f.python_name for f in definition.fields}
        == {"plain", "renamed_attribute", "computed"},
        "get_object_definition(cls) (None for plain classes) and StrawberryObjectDefinition"
        ".fields[].python_name",
        "schema/derive.py (fields a type inherits are not derived again)",
        "behave so",
    )


def test_enum_value_descriptions_can_be_set_after_strawberry_enum() -> None:
    values = getattr(getattr(Colour, "__strawberry_definition__", None), "values", None)
    need(
        values is not None and len(values) == 1,
        "strawberry.enum(...).__strawberry_definition__.values",
        "schema/enums.py, schema/account.py, schema/subscription.py, schema/assessments.py",
        "lists the enum's values",
    )
    assert values is not None
    values[0].description = "红 red"
    need(
        '"""红 red"""' in strawberry.Schema(query=ColourQuery).as_str(),
        "EnumValueDefinition.description",
        "schema/enums.py",
        "describes the enum value in the schema when set after strawberry.enum",
    )


def test_the_extensions_xieshang_configures_exist_with_these_arguments() -> None:
    from strawberry.extensions import (
        AddValidationRules,
        DisableIntrospection,
        MaxAliasesLimiter,
        MaxTokensLimiter,
        ParserCache,
        ValidationCache,
    )

    rules = getattr(MaxAliasesLimiter(max_alias_count=1), "validation_rules", None)
    need(
        isinstance(rules, list) and rules and all(isinstance(r, type) for r in rules),
        "MaxAliasesLimiter(...).validation_rules",
        "schema/__init__.py (the alias rule is made once and passed to AddValidationRules)",
        "is a list of validation rule classes",
    )
    schema = _schema(
        extensions=[
            lambda: ParserCache(maxsize=8),
            lambda: ValidationCache(maxsize=8),
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=1000),
            DisableIntrospection,
        ]
    )
    aliased = schema.execute_sync("{ a: row { plain } b: row { plain } }")
    need(
        aliased.errors and "aliases" in aliased.errors[0].message.lower(),
        "AddValidationRules(MaxAliasesLimiter(...).validation_rules)",
        "schema/__init__.py",
        "refuses too many aliases",
    )
    need(
        schema.execute_sync("{ __schema { types { name } } }").errors,
        "DisableIntrospection",
        "schema/__init__.py (production)",
        "refuses introspection",
    )


def test_schema_extensions_see_the_execution_context_xieshang_reads() -> None:
    from strawberry.extensions import SchemaExtension

    seen: dict[str, Any] = {}

    class Probe(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            seen["document"] = context.graphql_document
            seen["schema"] = context.schema._schema
            seen["operation_name"] = context.operation_name
            seen["variables"] = context.variables
            yield

        def on_operation(self) -> Iterator[None]:
            yield
            seen["result"] = self.execution_context.result
            seen["context"] = self.execution_context.context

        def get_results(self) -> dict[str, Any]:
            return {"probe": True}

    schema = _schema(extensions=[Probe])
    result = schema.execute_sync(
        "query Named { row { plain } }", context_value="ctx", variable_values={}
    )
    need(
        isinstance(seen.get("document"), graphql.DocumentNode)
        and seen.get("schema") is schema._schema
        and seen.get("operation_name") == "Named"
        and seen.get("variables") == {},
        "SchemaExtension.execution_context.graphql_document / .schema / .operation_name / "
        ".variables in on_execute",
        "schema/limits.py (QueryLimits measures depth and cost there)",
        "are available",
    )
    need(
        seen.get("result") is not None and seen.get("context") == "ctx",
        "SchemaExtension.execution_context.result / .context after on_operation's yield",
        "schema/extensions.py (MaskInternalErrors rewrites result.errors)",
        "are available",
    )
    need(
        result.extensions == {"probe": True},
        "SchemaExtension.get_results",
        "schema/extensions.py (SqlStatsExtension: extensions.sql)",
        "adds to the response's extensions",
    )


def test_an_error_result_set_in_on_execute_replaces_execution() -> None:
    from strawberry.extensions import SchemaExtension

    class Refuse(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            self.execution_context.result = graphql.ExecutionResult(
                data=None, errors=[graphql.GraphQLError("refused")]
            )
            yield

    result = _schema(extensions=[Refuse]).execute_sync("{ row { plain } }")
    need(
        result.data is None and [e.message for e in result.errors or []] == ["refused"],
        "setting SchemaExtension.execution_context.result in on_execute",
        "schema/limits.py (DEPTH_LIMIT_EXCEEDED, COST_LIMIT_EXCEEDED)",
        "stops execution and answers with that result",
    )


def test_process_errors_receives_the_execution_context() -> None:
    calls: list[Any] = []

    class Logged(strawberry.Schema):
        def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
            calls.append((errors, execution_context))

    Logged(query=Query).execute_sync("{ nope }", context_value="ctx")
    parameters = list(inspect.signature(strawberry.Schema.process_errors).parameters)
    need(
        parameters == ["self", "errors", "execution_context"]
        and calls
        and calls[0][1] is not None
        and calls[0][1].context == "ctx",
        "strawberry.Schema.process_errors(errors, execution_context)",
        "schema/__init__.py (Schema logs unexpected errors with the request ID)",
        "is called with the execution context",
    )


def test_config_takes_the_options_xieshang_sets() -> None:
    from strawberry.schema.config import StrawberryConfig

    parameters = inspect.signature(StrawberryConfig).parameters
    need(
        {"auto_camel_case", "scalar_map", "disable_field_suggestions"} <= set(parameters),
        "StrawberryConfig(auto_camel_case=, scalar_map=, disable_field_suggestions=)",
        "schema/__init__.py",
        "takes these options",
    )


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("render_graphql_ide", ["self", "request"]),
        ("get_context", ["self", "request", "response"]),
        ("process_result", ["self", "request", "result"]),
        ("on_ws_connect", ["self", "context"]),
    ],
)
def test_the_asgi_view_methods_xieshang_overrides(method: str, arguments: list[str]) -> None:
    from strawberry.asgi import GraphQL

    function = getattr(GraphQL, method, None)
    need(
        function is not None
        and inspect.iscoroutinefunction(function)
        and list(inspect.signature(function).parameters) == arguments,
        f"strawberry.asgi.GraphQL.{method}({', '.join(arguments[1:])})",
        "server.py (GraphQLApp overrides it)",
        "is an async method with these parameters",
    )


def test_starlette_keeps_user_middleware_until_the_app_starts() -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    class Passing:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)

    app = Starlette(middleware=[Middleware(Passing)])
    need(
        app.middleware_stack is None
        and [m.cls for m in app.user_middleware] == [Passing]
        and app.user_middleware[0].args == ()
        and app.user_middleware[0].kwargs == {},
        "Starlette.user_middleware / .middleware_stack / Middleware.cls, .args, .kwargs",
        "xieshang/testing.py (with_system_viewer swaps the Authentication middleware)",
        "hold the middleware until the first request builds the stack",
    )

"""schema.graphql is current, complete in its descriptions, and round-trips through introspection."""

from __future__ import annotations

from pathlib import Path

import graphql

from xieshang.config import Settings
from xieshang.schema import build_schema, print_schema

SDL_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"
BUILT_IN = {"String", "Boolean", "Int", "Float", "ID"}


def test_schema_graphql_is_current() -> None:
    assert SDL_FILE.read_text(encoding="utf-8") == print_schema(Settings()), (
        "schema.graphql is stale: regenerate it with `xieshang schema print -o schema.graphql`"
    )


def _missing_descriptions(schema: graphql.GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif isinstance(type_, graphql.GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
        elif isinstance(type_, graphql.GraphQLEnumType):
            for value_name, value in type_.values.items():
                if not value.description:
                    missing.append(f"{name}.{value_name}")
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    schema = build_schema(Settings())._schema
    assert _missing_descriptions(schema) == []


def _is_chinese(text: str | None) -> bool:
    return bool(text) and "\u4e00" <= text[0] <= "\u9fff"  # type: ignore[index]


def test_descriptions_are_chinese_first() -> None:
    schema = build_schema(Settings())._schema
    english_first: list[str] = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not _is_chinese(type_.description):
            english_first.append(name)
        fields = (
            getattr(type_, "fields", {}) if not isinstance(type_, graphql.GraphQLEnumType) else {}
        )
        for field_name, field in fields.items():
            if not _is_chinese(field.description):
                english_first.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not _is_chinese(arg.description):
                    english_first.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, graphql.GraphQLEnumType):
            english_first += [
                f"{name}.{v}" for v, d in type_.values.items() if not _is_chinese(d.description)
            ]
    assert english_first == []


def test_introspection_round_trips_to_the_sdl() -> None:
    schema = build_schema(Settings())
    result = graphql.graphql_sync(
        schema._schema, graphql.get_introspection_query(descriptions=True)
    )
    assert result.errors is None
    from_introspection = graphql.build_client_schema(result.data)  # type: ignore[arg-type]
    from_file = graphql.build_schema(SDL_FILE.read_text(encoding="utf-8"))
    sort = graphql.lexicographic_sort_schema
    assert graphql.print_schema(sort(from_introspection)) == graphql.print_schema(sort(from_file))

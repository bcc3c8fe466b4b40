"""Errors of queries (top-level ``errors`` with a stable ``extensions.code``)."""

from __future__ import annotations

from graphql import GraphQLError

from xieshang.errors import XieshangError


def camel(name: str) -> str:
    """``sector_id`` → ``sectorId``: the API name of a model field."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def api_field(field: str | None) -> str | None:
    """The API name of a domain error's field: ``follow_up_id`` → ``followUpId``, each part of a
    path (``standards.0.code``) on its own."""
    if field is None:
        return None
    return ".".join(camel(part) for part in field.split("."))


def query_error(code: str, message: str) -> GraphQLError:
    """A GraphQL error carrying a stable machine code and a Chinese message."""
    return GraphQLError(message, extensions={"code": code})


def from_xieshang_error(exc: XieshangError) -> GraphQLError:
    """Turn an expected failure of a lower layer into a query error with its code."""
    extensions: dict[str, object] = {"code": exc.code}
    if exc.field:
        extensions["field"] = api_field(exc.field)
    return GraphQLError(exc.message, extensions=extensions, original_error=exc)

"""Errors of queries (top-level ``errors`` with a stable ``extensions.code``)."""

from __future__ import annotations

from graphql import GraphQLError

from xieshang.errors import XieshangError


def query_error(code: str, message: str) -> GraphQLError:
    """A GraphQL error carrying a stable machine code and a Chinese message."""
    return GraphQLError(message, extensions={"code": code})


def from_xieshang_error(exc: XieshangError) -> GraphQLError:
    """Turn an expected failure of a lower layer into a query error with its code."""
    extensions: dict[str, object] = {"code": exc.code}
    if exc.field:
        extensions["field"] = exc.field
    return GraphQLError(exc.message, extensions=extensions, original_error=exc)

"""Schema extensions: per-request SQL statistics in ``extensions.sql``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from xieshang.db import stats


class SqlStatsExtension(SchemaExtension):
    """With ``XIESHANG_DEBUG_SQL=1``: ``extensions.sql = {statements, ms}`` on every response."""

    def on_operation(self) -> Iterator[None]:
        with stats.track() as tally:
            self.tally = tally
            yield

    def get_results(self) -> dict[str, Any]:
        return {"sql": self.tally.as_dict()}


def unexpected(error: GraphQLError) -> bool:
    """An error nobody raised on purpose: no stable code, not a GraphQL (validation) error."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions or {}).get("code")


class MaskInternalErrors(SchemaExtension):
    """Replaces unexpected errors with a stable code and the request ID (no internals leak)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        context = self.execution_context.context
        request_id = getattr(getattr(context, "origin", None), "request_id", None)
        masked = []
        for error in errors:
            if unexpected(error):
                error = GraphQLError(
                    f"内部错误，请把请求编号 {request_id or '（无）'} 告知管理员",
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL_ERROR", "requestId": request_id},
                )
            masked.append(error)
        result.errors = masked  # type: ignore[union-attr]

"""Schema extensions: per-request SQL statistics in ``extensions.sql``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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

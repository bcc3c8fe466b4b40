"""Scalars whose wire format depends on settings: instants shown in the county's time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError


def datetime_scalar(zone: ZoneInfo) -> Any:
    """``DateTime``: ISO 8601 with offset, shown in ``zone``; input without offset is read in ``zone``."""

    def serialize(value: datetime) -> str:
        return value.astimezone(zone).isoformat()

    def parse(value: object) -> datetime:
        if not isinstance(value, str):
            raise GraphQLError("DateTime 须为 ISO 8601 字符串，如 2024-07-01T09:00:00+08:00")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise GraphQLError(f"DateTime 格式无效：{value[:40]!r}") from exc
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)

    return strawberry.scalar(
        datetime,
        name="DateTime",
        description=(
            "时间点 date-time：ISO 8601 字符串，带时区偏移，按县所在时区显示"
            "（如 2024-07-01T09:00:00+08:00）；输入不带偏移时按县所在时区理解"
        ),
        serialize=serialize,
        parse_value=parse,
    )

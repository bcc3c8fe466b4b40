"""Scalars whose wire format depends on settings: instants shown in the county's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition


def date_scalar() -> ScalarDefinition:
    """``Date``: an ISO 8601 calendar date in the county's calendar."""

    def parse(value: object) -> date:
        if not isinstance(value, str):
            raise GraphQLError("Date 须为 ISO 8601 日期字符串，如 2024-07-01")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise GraphQLError(f"Date 格式无效：{value[:40]!r}") from exc

    return strawberry.scalar(
        name="Date",
        description="日期 date：ISO 8601 日历日期（县所在时区的日历），如 2024-07-01",
        serialize=lambda value: value.isoformat(),
        parse_value=parse,
    )


def datetime_scalar(zone: ZoneInfo) -> ScalarDefinition:
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
        name="DateTime",
        description=(
            "时间点 date-time：ISO 8601 字符串，带时区偏移，按县所在时区显示"
            "（如 2024-07-01T09:00:00+08:00）；输入不带偏移时按县所在时区理解"
        ),
        serialize=serialize,
        parse_value=parse,
    )

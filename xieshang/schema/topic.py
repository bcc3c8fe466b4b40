"""GraphQL type and list of consultation topics (协商议题)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import TopicSource, TopicStatus
from xieshang.schema.context import Context
from xieshang.schema.lists import (
    ListSpec,
    ScopedFilter,
    SortKey,
    common_conditions,
    connection_field,
    id_condition,
)
from xieshang.schema.organisation import County
from xieshang.schema.platform import Platform
from xieshang.schema.relay import RowType


@strawberry.type(description="协商议题 Topic：提请协商的事项，来自四种来源 four sources")
class Topic(RowType):
    model = models.Topic
    county_id: strawberry.Private[int]
    platform_id: strawberry.Private[int | None]
    title: str = strawberry.field(description="标题 title")
    description: str | None = strawberry.field(description="说明 description")
    source: TopicSource = strawberry.field(description="来源 source")
    year: int = strawberry.field(description="年度 year")
    theme: str | None = strawberry.field(description="主题 theme，如 优化营商环境")
    is_key: bool = strawberry.field(description="是否重点议题 selected as a key topic of the year")
    status: TopicStatus = strawberry.field(description="状态 status")
    assigning_body: str | None = strawberry.field(
        description="交题（点题）单位 assigning body of Party-committee and government topics"
    )
    status_reason: str | None = strawberry.field(
        description="留作参考或退回的理由 reason for keeping for reference or returning"
    )
    submitted_at: datetime = strawberry.field(description="提交时间 submitted at")
    version: int = strawberry.field(description="版本号 version，用于乐观锁 optimistic locking")
    created_at: datetime = strawberry.field(description="创建时间 created at")
    updated_at: datetime = strawberry.field(description="更新时间 updated at")
    archived_at: datetime | None = strawberry.field(
        description="归档时间 archived at（未归档为空）"
    )

    @strawberry.field(description="所属县级政协 county")
    async def county(self, info: Info[Context, Any]) -> County:
        row = await info.context.loaders.one(models.County).load(self.county_id)
        return County.from_row(row)

    @strawberry.field(description="提议在其上协商的平台 platform proposed for the consultation")
    async def platform(self, info: Info[Context, Any]) -> Platform | None:
        if self.platform_id is None:
            return None
        row = await info.context.loaders.one(models.Platform).load(self.platform_id)
        return Platform.from_row(row) if row is not None else None


@strawberry.input(description="议题列表筛选 topic filter")
class TopicFilter(ScopedFilter):
    year: int | None = strawberry.field(default=None, description="年度 year")
    is_key: bool | None = strawberry.field(
        default=None, description="是否重点议题 key topics only / excluded"
    )
    source: TopicSource | None = strawberry.field(default=None, description="来源 source")
    status: TopicStatus | None = strawberry.field(default=None, description="状态 status")
    theme: str | None = strawberry.field(default=None, description="主题 theme")
    platform_id: strawberry.ID | None = strawberry.field(default=None, description="平台 platform")
    title_contains: str | None = strawberry.field(
        default=None, description="标题包含 title contains"
    )


def topic_conditions(f: TopicFilter | None) -> list[Any]:
    t = models.Topic
    conditions = common_conditions(t, f)
    if f is None:
        return conditions
    if f.year is not None:
        conditions.append(t.year == f.year)
    if f.is_key is not None:
        conditions.append(t.is_key.is_(f.is_key))
    if f.source is not None:
        conditions.append(t.source == f.source)
    if f.status is not None:
        conditions.append(t.status == f.status)
    if f.theme is not None:
        conditions.append(t.theme == f.theme)
    conditions += id_condition(t.platform_id, f.platform_id, "Platform", "platformId")
    if f.title_contains:
        conditions.append(t.title.contains(f.title_contains, autoescape=True))
    return conditions


TOPICS = ListSpec(
    node=Topic,
    filter_input=TopicFilter,
    conditions=topic_conditions,
    sort_keys=[
        SortKey("SUBMITTED_AT", models.Topic.submitted_at, "提交时间 submitted at"),
        SortKey("TITLE", models.Topic.title, "标题 title"),
        SortKey("YEAR", models.Topic.year, "年度 year"),
        SortKey("ID", models.Topic.id, "录入顺序 insertion order"),
    ],
    default_sort="ID",
)


@strawberry.type
class TopicQuery:
    topics = connection_field(TOPICS, description="协商议题列表 topics（默认按录入顺序）")

"""GraphQL type and list of consultation topics (协商议题)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from xieshang.db import models
from xieshang.db.enums import TopicSource, TopicStatus
from xieshang.schema.filters import ScopedFilter, contains, equals, global_id
from xieshang.schema.lists import ListSpec, SortKey, connection_field
from xieshang.schema.relations import to_one
from xieshang.schema.relay import Archivable, RowType


@strawberry.type(description="协商议题 Topic：提请协商的事项，来自四种来源 four sources")
class Topic(RowType, Archivable):
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

    county = to_one(
        "County", "county_id", model=models.County, description="所属县级政协 county", required=True
    )
    platform = to_one(
        "Platform",
        "platform_id",
        model=models.Platform,
        description="提议在其上协商的平台 platform proposed for the consultation",
    )


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


TOPIC_FILTERS = {
    "year": equals(models.Topic.year),
    "is_key": equals(models.Topic.is_key),
    "source": equals(models.Topic.source),
    "status": equals(models.Topic.status),
    "theme": equals(models.Topic.theme),
    "platform_id": global_id(models.Topic.platform_id, "Platform"),
    "title_contains": contains(models.Topic.title),
}


TOPICS = ListSpec(
    model=models.Topic,
    type_name="Topic",
    filter_input=TopicFilter,
    filters=TOPIC_FILTERS,
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

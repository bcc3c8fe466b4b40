"""Live events (实时事件): the root ``Subscription`` type, served over graphql-transport-ws.

Each field listens on the event bus (``info.context.bus``) for one kind of event of one county.
Who may subscribe is decided by :data:`xieshang.domain.policy.SUBSCRIBERS` (checked by the guard
when the subscription starts) and by the county the viewer may read (checked here). For every
event the current row is loaded in a short session and presented like a query result — masking
and field rules apply — and rows the viewer may not see (a unit: other units' tasks) are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import policy
from xieshang.domain.bus import EventStream, SubscriberTooSlow
from xieshang.domain.events import Event, EventKind, FollowUpChange
from xieshang.schema.context import Context
from xieshang.schema.errors import query_error
from xieshang.schema.follow_up import Evaluation, FollowUp
from xieshang.schema.loaders import Loaders
from xieshang.schema.relay import county_argument
from xieshang.schema.topic import Topic

_CHANGE_LABELS = {
    FollowUpChange.ASSIGNED: "交办 assigned：新建了督办任务",
    FollowUpChange.UPDATED: "修改 updated：任务内容、承办单位或期限有变",
    FollowUpChange.PROGRESS: "报告进展 progress：承办单位报告了一条进展",
    FollowUpChange.DONE: "办结 done：任务已办结",
    FollowUpChange.OVERDUE: "逾期 overdue：任务已过办理期限仍未办结（每次逾期只通知一次）",
}

strawberry.enum(FollowUpChange, description="督办任务的变化 follow-up change")
for _value in FollowUpChange.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _CHANGE_LABELS[FollowUpChange(_value.value)]


@strawberry.type(description="督办任务变化 FollowUpEvent：发生了什么变化，以及任务的当前内容")
class FollowUpEvent:
    change: FollowUpChange = strawberry.field(description="变化 change")
    follow_up: FollowUp = strawberry.field(
        description="督办任务 follow-up task（事件送达时的当前内容）"
    )


#: The ``countyId`` argument every subscription takes.
CountyArgument = Annotated[
    strawberry.ID,
    strawberry.argument(description="县级政协（全局 ID） county whose events to receive"),
]


async def _open(
    info: Info[Context, Any], field: str, county_id: str, kind: EventKind
) -> EventStream:
    """The viewer's stream of ``kind`` events of the county named by ``county_id``.

    The argument and the county are checked before the subscription starts, so that a refusal
    is the operation's ``error`` message, not an event.
    """
    context = info.context
    county_pk = county_argument(county_id)
    if not policy.may_subscribe(context.viewer, field, county_pk):
        raise query_error("FORBIDDEN", f"无权订阅 {field}：不能查看该县级政协的事件")
    return context.bus.subscribe(county_id=county_pk, kinds={kind})


async def _rows(
    context: Context, stream: EventStream, model: type[Any]
) -> AsyncIterator[tuple[Event, Any]]:
    """Each event of ``stream`` with its row as it is now; rows the viewer may not see (another
    unit's task, an archived row, a row gone since) are skipped."""
    async with stream:
        try:
            async for event in stream:
                async with context.sessions() as session:
                    row = await session.get(model, event.object_id)
                if (
                    row is None
                    or row.county_id != stream.county_id
                    or row.archived_at is not None
                    or not policy.row_visible(context.viewer, row)
                ):
                    continue
                # A WebSocket keeps one context for its whole life: fresh loaders per event, so
                # relations are read as they are now and the cache does not grow without end.
                context.loaders = Loaders(context.sessions)
                yield event, row
        except SubscriberTooSlow:
            raise query_error(
                "TOO_SLOW", "事件接收过慢，订阅已结束：请重新订阅并重新读取数据"
            ) from None


async def _topics(context: Context, stream: EventStream) -> AsyncGenerator[Any, None]:
    async for _event, row in _rows(context, stream, models.Topic):
        yield row


async def _follow_ups(context: Context, stream: EventStream) -> AsyncGenerator[FollowUpEvent, None]:
    async for event, row in _rows(context, stream, models.FollowUp):
        change = FollowUpChange(event.change or FollowUpChange.UPDATED)
        yield FollowUpEvent(change=change, follow_up=row)


async def _evaluations(context: Context, stream: EventStream) -> AsyncGenerator[Any, None]:
    async for _event, row in _rows(context, stream, models.Evaluation):
        yield row


@strawberry.type(
    description="订阅入口 root subscription（实时事件 live events，graphql-transport-ws）"
)
class Subscription:
    @strawberry.subscription(
        description="议题提交 topic submitted：本县有新的协商议题提交时送达（本县政协用户可订阅）"
    )
    async def topic_submitted(
        self, info: Info[Context, Any], county_id: CountyArgument
    ) -> AsyncGenerator[Topic, None]:
        stream = await _open(info, "topicSubmitted", county_id, EventKind.TOPIC_SUBMITTED)
        return _topics(info.context, stream)

    @strawberry.subscription(
        description=(
            "督办任务变化 follow-up changed：交办、修改、进展、办结、逾期时送达"
            "（承办单位只收到本单位的任务）"
        )
    )
    async def follow_up_changed(
        self, info: Info[Context, Any], county_id: CountyArgument
    ) -> AsyncGenerator[FollowUpEvent, None]:
        stream = await _open(info, "followUpChanged", county_id, EventKind.FOLLOW_UP_CHANGED)
        return _follow_ups(info.context, stream)

    @strawberry.subscription(
        description="群众评价提交 evaluation submitted：本县收到群众评价时送达（本县政协用户可订阅）"
    )
    async def evaluation_submitted(
        self, info: Info[Context, Any], county_id: CountyArgument
    ) -> AsyncGenerator[Evaluation, None]:
        stream = await _open(info, "evaluationSubmitted", county_id, EventKind.EVALUATION_SUBMITTED)
        return _evaluations(info.context, stream)

"""Topics (协商议题): what staff maintain directly. The workflow of statuses is its own module."""

from __future__ import annotations

from xieshang.db import models
from xieshang.db.enums import TopicSource
from xieshang.domain.crud import Change, Entity


async def _topic_rules(change: Change) -> None:
    change.checker.in_range("year", change.values.get("year"), 2000, 2100)
    source = change.values.get("source")
    linked = change.values.get("proposal_id") is not None
    if change.changed("proposal_id", "source") and linked and source != TopicSource.MEMBER_PROPOSAL:
        change.checker.fail(
            "proposal_id", "INVALID_STATE", "只有来源为“委员提案”的议题才能关联提案"
        )


TOPIC = Entity(
    models.Topic,
    "议题",
    references={
        "platform_id": models.Platform,
        "proposal_id": models.Proposal,
        "proposer_member_id": models.Member,
    },
    rules=_topic_rules,
)

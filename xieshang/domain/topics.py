"""Topics (协商议题): what staff maintain directly. The workflow of statuses is its own module."""

from __future__ import annotations

from xieshang.db import models
from xieshang.db.enums import TopicSource
from xieshang.domain.crud import Change, Entity


async def _check_topic(change: Change) -> None:
    change.checker.in_range("year", change.values.get("year"), 2000, 2100)
    source = change.values.get("source")
    linked = change.values.get("proposal_id") is not None
    if change.changed("proposal_id", "source") and linked and source != TopicSource.MEMBER_PROPOSAL:
        change.checker.fail(
            "proposal_id", "INVALID_STATE", "只有来源为“委员提案”的议题才能关联提案"
        )
    _check_intake(change)


#: Sources whose topics name the body that assigned them (交题单位 / 点题单位).
ASSIGNED_SOURCES = frozenset({TopicSource.PARTY_COMMITTEE, TopicSource.GOVERNMENT})


def _check_intake(change: Change) -> None:
    """县委交题 and 政府点题 name their assigning body; 委员提案 topics come from a proposal,
    whose lead member is the proposer unless another is given."""
    raw = change.values.get("source")
    # Input may carry the plain value; rows carry the enum.
    source = TopicSource(raw) if raw is not None else None
    checked = change.creating or change.changed("source", "assigning_body")
    if checked and source in ASSIGNED_SOURCES and not change.values.get("assigning_body"):
        change.checker.fail(
            "assigning_body",
            "REQUIRED",
            f"“{source.label.split(' ')[0]}”的议题须填写交题（点题）单位",
        )
    if source is TopicSource.MEMBER_PROPOSAL and (
        change.creating or change.changed("source", "proposal_id")
    ):
        proposal = change.refs.get("proposal_id")
        if change.values.get("proposal_id") is None:
            change.checker.fail("proposal_id", "REQUIRED", "“委员提案”的议题须关联来源提案")
        elif proposal is not None and change.values.get("proposer_member_id") is None:
            change.values["proposer_member_id"] = proposal.lead_member_id
            change.changes["proposer_member_id"] = proposal.lead_member_id


TOPIC = Entity(
    models.Topic,
    "议题",
    checks=_check_topic,
)

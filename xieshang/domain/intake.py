"""Topic intake (议题征集): topics coming in from the four sources.

- 社会出题 PUBLIC: :func:`submit`, open to residents without an account — stricter size limits,
  a rate limit per client address, the resident's contact kept but never shown to the public;
- 委员提案 MEMBER_PROPOSAL: :func:`promote` turns a filed proposal into a topic;
- 县委交题 / 政府点题 and staff entries: ``createTopic`` (rules in :mod:`xieshang.domain.topics`).

Every new topic then goes through :func:`admit`: the county's screening rules
(:mod:`xieshang.domain.screening`), the first timeline entry and the ``topicSubmitted`` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from xieshang.db import models as m
from xieshang.db.enums import ProposalFiling, TopicSource, TopicStatus
from xieshang.domain import crud, events, screening, topic_workflow, topics
from xieshang.domain.calendar import local_today
from xieshang.domain.checks import Checker
from xieshang.domain.unit_of_work import Work, restrict, within
from xieshang.errors import UserError, ValidationFailed

#: Size limits of a public submission (staff entries have the columns' limits).
PUBLIC_LIMITS: Mapping[str, int] = {
    "title": 100,
    "description": 2_000,
    "theme": 50,
    "proposer_name": 50,
    "proposer_contact": 100,
}


@dataclass(frozen=True)
class Submission:
    """A resident's topic as received (already decoded: ``county_id`` and ``platform_id`` are keys)."""

    county_id: int
    title: str
    description: str
    theme: str | None = None
    platform_id: int | None = None
    proposer_name: str | None = None
    proposer_contact: str | None = None


def check_public_limits(values: Mapping[str, Any]) -> None:
    """REQUIRED for a blank title or description, TOO_LONG over :data:`PUBLIC_LIMITS`."""
    checker = Checker(m.Topic)
    for name in ("title", "description"):
        value = values.get(name)
        if not isinstance(value, str) or not value.strip():
            checker.fail(name, "REQUIRED", f"{checker.label(name)}不能为空")
    for name, limit in PUBLIC_LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value.strip()) > limit:
            checker.fail(
                name,
                "TOO_LONG",
                f"{checker.label(name)}不能超过 {limit} 个字（现为 {len(value.strip())} 个字）",
            )
    checker.raise_if_any()


async def enter(work: Work, values: dict[str, Any], county_id: int | None) -> m.Topic:
    """A topic entered by the county office (any source; 县委交题 and 政府点题 name their
    assigning body, see :mod:`xieshang.domain.topics`), then admitted like every new topic."""
    topic: m.Topic = await crud.create(work, topics.TOPIC, values, county_id=county_id)
    await admit(work, topic, "录入议题")
    return topic


async def submit(work: Work, submission: Submission) -> m.Topic:
    """Save a resident's topic (source PUBLIC, this year in the county's calendar, SUBMITTED).

    Refused with RATE_LIMITED over the per-address limit (counted before anything else, so a
    flood of bad input is limited too), REQUIRED / TOO_LONG for bad text, NOT_FOUND for an unknown
    county or a platform of another county, SCREENING_REFUSED when a rule refuses it.
    """
    if not work.viewer.system and not await work.env.limiter().hit(work.origin.client_address):
        raise ValidationFailed(
            [
                UserError(
                    None,
                    "RATE_LIMITED",
                    "提交过于频繁，请稍后再试（每个网络地址提交议题的次数有限）",
                )
            ]
        )
    values: dict[str, Any] = {
        "title": submission.title,
        "description": submission.description,
        "theme": submission.theme,
        "platform_id": submission.platform_id,
        "proposer_name": submission.proposer_name,
        "proposer_contact": submission.proposer_contact,
    }
    check_public_limits(values)
    # The one county this transaction may write: the one the resident chose.
    restrict(work.session, submission.county_id)
    values |= {
        "source": TopicSource.PUBLIC,
        "year": local_today(work.env.zone).year,
        "status": TopicStatus.SUBMITTED,
    }
    topic: m.Topic = await crud.create(work, topics.TOPIC, values, county_id=submission.county_id)
    await admit(work, topic, "社会出题：群众提交")
    return topic


def proposal_topic_title(proposal_title: str) -> str:
    """The topic a proposal names: “关于X的提案” → “X”; other titles unchanged."""
    inner = proposal_title.strip()
    if inner.startswith("关于") and inner.endswith("的提案") and len(inner) > 5:
        return inner[2:-3]
    return inner


async def promote(
    work: Work,
    proposal_id: int,
    *,
    title: str | None = None,
    theme: str | None = None,
    year: int | None = None,
) -> m.Topic:
    """Make a MEMBER_PROPOSAL topic from a filed proposal, its lead member as the proposer.

    NOT_FOUND for a missing or archived proposal (or one of another county), INVALID_STATE for a
    proposal not filed (立案), DUPLICATE when a topic not archived already comes from it.
    """
    session = work.session
    proposal = await session.get(m.Proposal, proposal_id, with_for_update=True)
    if (
        proposal is None
        or proposal.archived_at is not None
        or not within(session, proposal.county_id)
    ):
        raise ValidationFailed([UserError("proposal_id", "NOT_FOUND", "所选提案不存在")])
    if proposal.filing is not ProposalFiling.FILED:
        raise ValidationFailed(
            [
                UserError(
                    "proposal_id",
                    "INVALID_STATE",
                    f"提案立案情况为“{proposal.filing.label.split(' ')[0]}”，只有已立案的提案才能转为议题",
                )
            ]
        )
    existing = await session.scalar(
        sa.select(m.Topic.title)
        .where(m.Topic.proposal_id == proposal.id, m.Topic.archived_at.is_(None))
        .limit(1)
    )
    if existing is not None:
        raise ValidationFailed(
            [UserError("proposal_id", "DUPLICATE", f"该提案已转为议题“{existing}”")]
        )
    values: dict[str, Any] = {
        "title": title
        if title is not None and title.strip()
        else proposal_topic_title(proposal.title),
        "theme": theme,
        "year": year if year is not None else proposal.year,
        "source": TopicSource.MEMBER_PROPOSAL,
        "status": TopicStatus.SUBMITTED,
        "proposal_id": proposal.id,
        "proposer_member_id": proposal.lead_member_id,
    }
    topic: m.Topic = await crud.create(work, topics.TOPIC, values, county_id=proposal.county_id)
    await admit(work, topic, "委员提案转为议题")
    return topic


async def admit(work: Work, topic: m.Topic, note: str) -> None:
    """What every new topic goes through once flushed: screening (a refusal raises and the
    transaction writes nothing), the first timeline entry, the topicSubmitted event."""
    session = work.session
    await screening.screen(session, work.env.rule_plugins, topic)
    await topic_workflow.record_intake(session, topic, work.viewer, note)
    events.emit(session, events.Event(events.EventKind.TOPIC_SUBMITTED, topic.county_id, topic.id))

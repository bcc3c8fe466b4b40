"""Duty records: opinion reports, activities, deeds, proposals."""

from __future__ import annotations

from xieshang.db import models
from xieshang.db.enums import ProposalFiling
from xieshang.domain.crud import Change, Entity
from xieshang.domain.links import LinkKind
from xieshang.rules.standards import ACTIVITY_KIND_CODE


async def _check_report(change: Change) -> None:
    values = change.values
    if values.get("member_id") is None and values.get("studio_id") is None:
        change.checker.fail("member_id", "REQUIRED", "社情民意信息须注明撰写委员或报送工作室")
    adopted, adopted_on = values.get("adopted"), values.get("adopted_on")
    if adopted and adopted_on is None:
        change.checker.fail("adopted_on", "REQUIRED", "已采用的信息须填写采用日期")
    if not adopted and adopted_on is not None:
        change.checker.fail("adopted_on", "INVALID_STATE", "未采用的信息不应有采用日期")
    change.checker.not_before("adopted_on", adopted_on, "submitted_on", values.get("submitted_on"))


OPINION_REPORT = Entity(models.OpinionReport, "社情民意信息", checks=_check_report)


async def _check_activity(change: Change) -> None:
    kind = change.values.get("kind")
    if change.changed("kind") and kind is not None:
        known = change.env.rule_plugins.activity_kinds
        if not ACTIVITY_KIND_CODE.match(kind):
            change.checker.fail(
                "kind",
                "INVALID_VALUE",
                f"活动类型代码应为大写字母、数字和下划线，如 READING（收到 {kind!r}）",
            )
        elif known is not None and kind not in known:
            change.checker.fail(
                "kind",
                "INVALID_VALUE",
                f"未知的活动类型 {kind}；可用类型：{'、'.join(sorted(known))}",
            )
    change.checker.in_range("participant_count", change.values.get("participant_count"), 0, None)


ACTIVITY = Entity(models.Activity, "履职活动", checks=_check_activity)


async def _check_deed(change: Change) -> None:
    change.checker.in_range("beneficiaries", change.values.get("beneficiaries"), 0, None)


DEED = Entity(models.Deed, "实事", checks=_check_deed)


async def _check_proposal(change: Change) -> None:
    values = change.values
    change.checker.in_range("year", values.get("year"), 2000, 2100)
    if values.get("lead_member_id") is None and values.get("sector_id") is None:
        change.checker.fail("lead_member_id", "REQUIRED", "提案须有第一提案人，或以界别名义提出")
    filed = values.get("filing") == ProposalFiling.FILED
    if values.get("is_key") and not filed:
        change.checker.fail("is_key", "INVALID_STATE", "只有已立案的提案才能列为重点提案")
    if values.get("handled_on") is not None and not filed:
        change.checker.fail("handled_on", "INVALID_STATE", "只有已立案的提案才能办结")
    change.checker.not_before(
        "handled_on", values.get("handled_on"), "submitted_on", values.get("submitted_on")
    )


PROPOSAL = Entity(models.Proposal, "提案", checks=_check_proposal)

ACTIVITY_PARTICIPANTS = LinkKind(
    models.ActivityParticipant, ACTIVITY, "activity_id", "活动参加委员"
)
DEED_PARTICIPANTS = LinkKind(models.DeedParticipant, DEED, "deed_id", "实事参与委员")
#: Joint proposers sign in order (position 1, 2 …).
JOINT_PROPOSERS = LinkKind(
    models.ProposalJointProposer, PROPOSAL, "proposal_id", "联名提案人", position="position"
)

"""Consultations, their outcomes and leaders' instructions."""

from __future__ import annotations

from xieshang.db import models
from xieshang.domain.crud import Change, Entity


async def _consultation_rules(change: Change) -> None:
    change.checker.not_before(
        "ends_at", change.values.get("ends_at"), "starts_at", change.values.get("starts_at")
    )
    change.checker.in_range("resident_count", change.values.get("resident_count"), 0, None)


CONSULTATION = Entity(
    models.Consultation,
    "协商活动",
    references={"topic_id": models.Topic, "platform_id": models.Platform},
    county_from="topic_id",
    rules=_consultation_rules,
)

OUTCOME = Entity(
    models.Outcome,
    "协商成果",
    references={"consultation_id": models.Consultation},
    county_from="consultation_id",
)


async def _instruction_rules(change: Change) -> None:
    targets = [f for f in ("outcome_id", "opinion_report_id") if change.values.get(f) is not None]
    if len(targets) != 1:
        change.checker.fail(
            "outcome_id", "INVALID_VALUE", "批示须针对一项协商成果或一条社情民意信息（二者选一）"
        )


INSTRUCTION_ON_OUTCOME = Entity(
    models.Instruction,
    "领导批示",
    references={"outcome_id": models.Outcome, "opinion_report_id": models.OpinionReport},
    county_from="outcome_id",
    rules=_instruction_rules,
)
INSTRUCTION_ON_REPORT = Entity(
    models.Instruction,
    "领导批示",
    references={"outcome_id": models.Outcome, "opinion_report_id": models.OpinionReport},
    county_from="opinion_report_id",
    rules=_instruction_rules,
)

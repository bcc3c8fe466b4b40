"""Checklist (清单): every item must hold — attested for the subject, or derived from records.

六有 (有场所、有标识 …) is a checklist of attested items; an item such as 有活动 may instead be
derived: it holds when the subject has enough records of a kind in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from xieshang.rules.criteria import DataclassCriterion, matches_kinds
from xieshang.rules.results import CriterionInput, CriterionResult, ItemResult, Record, combine
from xieshang.rules.standards import RecordKind, Status, SubjectKind


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a checklist: attested for the subject, or derived from its records."""

    code: str
    title: str
    #: When set, the item holds if the subject has ``minimum`` such records in the period;
    #: otherwise it must be attested (e.g. ``attestPlatformChecklistItem``).
    derived_from: RecordKind | None = None
    minimum: int = 1
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist(DataclassCriterion):
    """Every item must hold (六有: 有场所、有标识 …)."""

    code: str
    title: str
    items: tuple[ChecklistItem, ...]
    description: str = ""

    kind: ClassVar[str] = "CHECKLIST"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """Items must exist, have distinct codes, count records the subject has, minimum ≥ 1."""
        found: list[str] = []
        if not self.items:
            found.append("has no items")
        item_codes = [i.code for i in self.items]
        if len(set(item_codes)) != len(item_codes):
            found.append("item codes repeat")
        for item in self.items:
            if item.derived_from is not None and item.derived_from not in records:
                found.append(
                    f"item {item.code!r}: a {subject.value} has no {item.derived_from} records"
                )
            if not isinstance(item.minimum, int) or item.minimum < 1:
                found.append(f"item {item.code!r}: minimum must be a whole number ≥ 1")
        return found

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        """Every item attested before the period ends, or derived from enough records in it."""
        period = given.period
        ended = period.ended(given.today)
        items: list[ItemResult] = []
        for item in self.items:
            attested: date | None
            count: int | None
            evidence: list[Record]
            if item.derived_from is None:
                attested = given.attested.get(item.code)
                holds = attested is not None and attested < period.end
                count, evidence = None, []
                detail = f"已于 {attested} 核实" if holds else "未核实"
            else:
                evidence = [
                    r
                    for r in given.records.get(item.derived_from, ())
                    if period.contains(r.day) and matches_kinds(r, item.kinds)
                ]
                attested, count = None, len(evidence)
                holds = count >= item.minimum
                detail = f"{item.derived_from.label_zh} {count} 条（要求至少 {item.minimum} 条）"
            status = Status.MET if holds else (Status.NOT_MET if ended else Status.IN_PROGRESS)
            items.append(
                ItemResult(
                    item.code,
                    item.title,
                    status,
                    attested,
                    count,
                    evidence,
                    f"{item.title}：{detail}",
                )
            )
        status = combine([i.status for i in items])
        missing = [i.title for i in items if i.status is not Status.MET]
        reason = (
            f"{self.title}：缺 {'、'.join(missing)}"
            if missing
            else f"{self.title}：{len(items)} 项齐全"
        )
        return CriterionResult(self.code, self.title, self.kind, status, reason, items=items)

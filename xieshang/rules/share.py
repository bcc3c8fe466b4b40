"""Share met (达标率): at least a share of a county's subjects meet another standard.

A county roll-up: 蓬安's county standard asks that 80 % of the studios meet 三个一. It reads the
other standard's results, which the engine evaluates first (:meth:`ShareMet.dependencies`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from xieshang.rules.criteria import DataclassCriterion
from xieshang.rules.results import CriterionInput, CriterionResult
from xieshang.rules.standards import RecordKind, Status, SubjectKind


@dataclass(frozen=True)
class ShareMet(DataclassCriterion):
    """At least ``minimum_share`` (0–1) of the county's ``subject`` s meet ``standard``."""

    code: str
    title: str
    standard: str
    subject: SubjectKind
    minimum_share: float
    description: str = ""

    kind: ClassVar[str] = "SHARE_MET"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """A share between 0 and 1, in a county standard."""
        found: list[str] = []
        if not 0 <= self.minimum_share <= 1:
            found.append("minimum_share must be between 0 and 1")
        if subject is not SubjectKind.COUNTY:
            found.append("ShareMet is a county roll-up; use it in a COUNTY standard")
        return found

    def dependencies(self) -> tuple[str, ...]:
        """The standard whose share is counted."""
        return (self.standard,)

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        """The share of the county's subjects meeting the standard (N/A ones not counted)."""
        results = given.dependencies.get(self.standard, {}).values()
        counted = [
            a
            for a in results
            if a.subject.county_id == given.subject.id and a.status is not Status.NOT_APPLICABLE
        ]
        if not counted:
            return CriterionResult(
                self.code,
                self.title,
                self.kind,
                Status.NOT_APPLICABLE,
                f"{self.title}：没有可考核的对象",
            )
        met = sum(1 for a in counted if a.status is Status.MET)
        ratio = met / len(counted)
        if ratio >= self.minimum_share:
            status = Status.MET
        elif not given.period.ended(given.today):
            status = Status.IN_PROGRESS
        else:
            status = Status.NOT_MET
        reason = (
            f"{self.title}：{self.subject.label_zh}达标 {met}/{len(counted)}（{ratio:.0%}），"
            f"要求不低于 {self.minimum_share:.0%}"
        )
        return CriterionResult(
            self.code, self.title, self.kind, status, reason, score=round(ratio * 100, 2)
        )

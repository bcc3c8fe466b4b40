"""Periodic quota (定期数量): at least N records of a kind in every window.

蓬安's 三个一 is three of them: one opinion report a month, one activity a quarter, one deed a
half year. The result keeps each window's count, minimum and records, so a screen can show
which month was missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from xieshang.rules.criteria import DataclassCriterion, matches_kinds
from xieshang.rules.periods import Period, Window
from xieshang.rules.results import CriterionInput, CriterionResult, Record, WindowResult, combine
from xieshang.rules.standards import RecordKind, Status, SubjectKind


@dataclass(frozen=True)
class PeriodicQuota(DataclassCriterion):
    """At least ``minimum`` records of ``record`` (optionally of ``kinds``) in every ``window``."""

    code: str
    title: str
    record: RecordKind
    window: Window
    minimum: int = 1
    kinds: tuple[str, ...] = ()
    description: str = ""

    kind: ClassVar[str] = "PERIODIC_QUOTA"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """The record must be one the subject has, the window a Window, the minimum ≥ 1."""
        found: list[str] = []
        if self.record not in records:
            found.append(f"a {subject.value} has no {self.record} records")
        if not isinstance(self.window, Window):
            found.append("window must be a xieshang.rules.Window")
        if not isinstance(self.minimum, int) or self.minimum < 1:
            found.append("minimum must be a whole number ≥ 1")
        return found

    def span(self, period: Period) -> tuple[date, date]:
        """The period widened to whole windows (a quarterly quota assessed for a month sees
        the whole quarter)."""
        windows = period.windows(self.window)
        return min(period.start, windows[0].start), max(period.end, windows[-1].end)

    def evaluate(self, given: CriterionInput) -> CriterionResult:
        """At least ``minimum`` matching records in each window overlapping the period."""
        label = self.record.label_zh
        windows_of_period = given.period.windows(self.window)
        first = windows_of_period[0].start
        months = self.window.months
        # Records binned by window once (not filtered again for every window).
        binned: dict[int, list[Record]] = {}
        for record in given.records.get(self.record, ()):
            if matches_kinds(record, self.kinds):
                day = record.day
                index = ((day.year - first.year) * 12 + day.month - first.month) // months
                binned.setdefault(index, []).append(record)
        since = given.subject.since
        windows: list[WindowResult] = []
        for index, window in enumerate(windows_of_period):
            inside = binned.get(index, [])
            count = len(inside)
            if since is not None and since >= window.end:
                status, reason = Status.NOT_APPLICABLE, f"{window.label}：尚未成立，不适用"
            elif count >= self.minimum:
                status, reason = (
                    Status.MET,
                    f"{window.label}：{label} {count} 条，达到要求（至少 {self.minimum} 条）",
                )
            elif not window.ended(given.today):
                status, reason = (
                    Status.IN_PROGRESS,
                    f"{window.label}：进行中，{label}已有 {count} 条，要求至少 {self.minimum} 条",
                )
            else:
                status, reason = (
                    Status.NOT_MET,
                    f"{window.label}：{label} {count} 条，要求至少 {self.minimum} 条",
                )
            # The records themselves are the evidence (kind and id name them): no copy.
            windows.append(
                WindowResult(
                    window.label,
                    window.start,
                    window.end,
                    count,
                    self.minimum,
                    status,
                    inside,
                    reason,
                )
            )
        status = combine([w.status for w in windows])
        missed = [w.label for w in windows if w.status is Status.NOT_MET]
        if missed:
            rule = f"{self.window.label_zh}至少 {self.minimum} 条{label}"
            reason = f"{self.title}：{'、'.join(missed)} 未达到（{rule}）"
        else:
            reason = f"{self.title}：{status.label_zh}"
        return CriterionResult(self.code, self.title, self.kind, status, reason, windows=windows)

"""Periods of the county's calendar: "2024", "2024-H1", "2024-Q3", "2024-07".

A period is a half-open range of calendar dates ``[start, end)``. Standards count records in
windows (month, quarter, half year, year); the windows of a period are the windows that overlap
it, so a quarterly duty assessed for "2024-07" looks at 2024-Q3.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from xieshang.errors import XieshangError


class PeriodError(XieshangError):
    """A period label that is not one of the accepted forms."""

    code = "INVALID_PERIOD"


class Window(StrEnum):
    """How long one counting window is."""

    MONTH = "MONTH"
    QUARTER = "QUARTER"
    HALF_YEAR = "HALF_YEAR"
    YEAR = "YEAR"

    @property
    def months(self) -> int:
        return _MONTHS[self.value]

    @property
    def label_zh(self) -> str:
        return {"MONTH": "每月", "QUARTER": "每季度", "HALF_YEAR": "每半年", "YEAR": "每年"}[
            self.value
        ]


_MONTHS = {"MONTH": 1, "QUARTER": 3, "HALF_YEAR": 6, "YEAR": 12}

_FORMS = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: a year, a half year, a quarter or a month."""

    start: date
    end: date  # exclusive
    window: Window
    label: str

    def __str__(self) -> str:
        return self.label

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end

    def ended(self, today: date) -> bool:
        """Over by ``today`` (a date of the county's calendar)."""
        return today >= self.end

    def windows(self, window: Window) -> list[Period]:
        """The windows of length ``window`` that overlap this period, in order."""
        return list(_windows(self, window))


@functools.cache
def _windows(period: Period, window: Window) -> tuple[Period, ...]:
    # Every subject of an evaluation asks for the same windows: computed once.
    found = []
    last_year = (period.end - timedelta(days=1)).year
    for year in range(period.start.year, last_year + 1):
        for index in range(12 // window.months):
            candidate = _window(year, window, index)
            if candidate.overlaps(period):
                found.append(candidate)
    return tuple(found)


def _add_months(year: int, month: int, months: int) -> date:
    total = year * 12 + (month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def _window(year: int, window: Window, index: int) -> Period:
    """The ``index``-th (0-based) window of length ``window`` in ``year``."""
    start = date(year, index * window.months + 1, 1)
    end = _add_months(year, start.month, window.months)
    label = {
        Window.MONTH: f"{year}-{start.month:02d}",
        Window.QUARTER: f"{year}-Q{index + 1}",
        Window.HALF_YEAR: f"{year}-H{index + 1}",
        Window.YEAR: f"{year}",
    }[window]
    return Period(start, end, window, label)


def parse_period(label: str) -> Period:
    """``"2024"``, ``"2024-H1"``, ``"2024-Q3"`` or ``"2024-07"`` as a :class:`Period`."""
    match = _FORMS.match(label.strip()) if isinstance(label, str) else None
    if match is None:
        raise PeriodError(
            f"考核期间格式不正确：{label!r}（应为 2024、2024-H1、2024-Q3 或 2024-07）",
            field="period",
        )
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise PeriodError(f"考核年度应在 2000 到 2100 之间（收到 {year}）", field="period")
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month:
        return _window(year, Window.MONTH, int(month) - 1)
    if quarter:
        return _window(year, Window.QUARTER, int(quarter) - 1)
    if half:
        return _window(year, Window.HALF_YEAR, int(half) - 1)
    return _window(year, Window.YEAR, 0)


def window_of(day: date, window: Window) -> Period:
    """The window of length ``window`` that contains ``day``."""
    return _window(day.year, window, (day.month - 1) // window.months)

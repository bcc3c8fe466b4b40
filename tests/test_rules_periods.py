"""Periods of the county's calendar."""

from __future__ import annotations

from datetime import date

import pytest

from xieshang.rules import PeriodError, Window, parse_period, window_of


@pytest.mark.parametrize(
    ("label", "start", "end", "window"),
    [
        ("2024", date(2024, 1, 1), date(2025, 1, 1), Window.YEAR),
        ("2024-H1", date(2024, 1, 1), date(2024, 7, 1), Window.HALF_YEAR),
        ("2024-H2", date(2024, 7, 1), date(2025, 1, 1), Window.HALF_YEAR),
        ("2024-Q3", date(2024, 7, 1), date(2024, 10, 1), Window.QUARTER),
        ("2024-12", date(2024, 12, 1), date(2025, 1, 1), Window.MONTH),
        ("2024-02", date(2024, 2, 1), date(2024, 3, 1), Window.MONTH),
    ],
)
def test_labels(label: str, start: date, end: date, window: Window) -> None:
    period = parse_period(label)
    assert (period.start, period.end, period.window, period.label) == (start, end, window, label)


@pytest.mark.parametrize(
    "label", ["", "24", "2024-13", "2024-Q5", "2024-H3", "2024-00", "2024/07", "1999", "2024-7"]
)
def test_bad_labels(label: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(label)
    assert info.value.code == "INVALID_PERIOD"


def test_windows_of_a_period() -> None:
    year = parse_period("2024")
    assert [w.label for w in year.windows(Window.MONTH)] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert [w.label for w in year.windows(Window.HALF_YEAR)] == ["2024-H1", "2024-H2"]
    # A month is assessed against the quarter and half year it lies in.
    assert [w.label for w in parse_period("2024-08").windows(Window.QUARTER)] == ["2024-Q3"]
    assert [w.label for w in parse_period("2024-Q2").windows(Window.HALF_YEAR)] == ["2024-H1"]
    assert [w.label for w in parse_period("2024-H2").windows(Window.YEAR)] == ["2024"]


def test_ended_is_by_the_county_calendar() -> None:
    q3 = parse_period("2024-Q3")
    assert not q3.ended(date(2024, 9, 30))
    assert q3.ended(date(2024, 10, 1))
    assert window_of(date(2024, 9, 30), Window.QUARTER).label == "2024-Q3"
    assert q3.contains(date(2024, 7, 1)) and not q3.contains(date(2024, 10, 1))

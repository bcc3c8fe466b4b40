"""Declared standards are checked, and counties' overrides apply to numbers only."""

from __future__ import annotations

import pytest

from xieshang.plugins import pengan
from xieshang.rules import (
    Award,
    Checklist,
    ChecklistItem,
    Grade,
    PeriodicQuota,
    PointsScheme,
    RecordKind,
    Section,
    ShareMet,
    Standard,
    SubjectKind,
    Window,
)
from xieshang.rules.standards import OverrideError, problems, with_overrides


def quota_standard(**changes: object) -> Standard:
    values: dict[str, object] = {
        "code": "test.quota",
        "title": "测试",
        "subject": SubjectKind.STUDIO,
        "version": "1",
        "criteria": (PeriodicQuota("reports", "月报", RecordKind.OPINION_REPORT, Window.MONTH, 1),),
    }
    values.update(changes)
    return Standard(**values)  # type: ignore[arg-type]


def test_the_built_in_standards_are_valid() -> None:
    for standard in (pengan.THREE_ONES, pengan.SIX_HAVES, pengan.MEMBER_DUTY, pengan.COUNTY_ROLLUP):
        assert problems(standard) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"code": "noname"}, "namespaced"),
        ({"code": "Test.Upper"}, "namespaced"),
        ({"title": " "}, "title is empty"),
        ({"version": ""}, "version is empty"),
        ({"criteria": ()}, "no criteria"),
        ({"subject": "STUDIOS"}, "SubjectKind"),
        (
            {"criteria": (PeriodicQuota("x", "x", RecordKind.OPINION_REPORT, Window.MONTH, 0),)},
            "minimum must be a whole number",
        ),
        (
            {"criteria": (PeriodicQuota("x", "x", RecordKind.CONSULTATION, Window.MONTH, 1),)},
            "has no CONSULTATION records",
        ),
        (
            {
                "criteria": (
                    PeriodicQuota("x", "x", RecordKind.DEED, Window.MONTH, 1),
                    PeriodicQuota("x", "y", RecordKind.DEED, Window.YEAR, 1),
                )
            },
            "used twice",
        ),
        ({"criteria": (Checklist("c", "c", ()),)}, "has no items"),
        ({"criteria": (ShareMet("s", "s", "a.b", SubjectKind.STUDIO, 0.8),)}, "county roll-up"),
        ({"criteria": ("not a criterion",)}, "not one of the criterion kinds"),
        (
            {
                "criteria": (
                    PointsScheme(
                        "p",
                        "p",
                        (Section("s", "s", (Award(RecordKind.DEED, 1),)),),
                        grades=(Grade("a", 60), Grade("b", 80)),
                    ),
                )
            },
            "highest minimum down",
        ),
    ],
)
def test_invalid_declarations_are_explained(changes: dict[str, object], fragment: str) -> None:
    found = problems(quota_standard(**changes))
    assert any(fragment in p for p in found), found


def test_not_a_standard_at_all() -> None:
    assert problems({"code": "x"}) == ["returned dict, not xieshang.rules.Standard"]


def test_overrides_replace_numbers() -> None:
    stricter = with_overrides(pengan.THREE_ONES, {"monthly-report.minimum": 2})
    assert stricter.criterion("monthly-report").minimum == 2  # type: ignore[union-attr]
    assert pengan.THREE_ONES.criterion("monthly-report").minimum == 1  # type: ignore[union-attr]
    duty = with_overrides(
        pengan.MEMBER_DUTY,
        {
            "duty.base": 40,
            "duty.proposals.cap": 20,
            "duty.reports.0.points": 5,
            "duty.优秀.minimum": 95,
        },
    )
    scheme = duty.criterion("duty")
    assert isinstance(scheme, PointsScheme)
    assert scheme.base == 40
    assert next(s for s in scheme.sections if s.code == "proposals").cap == 20
    assert next(s for s in scheme.sections if s.code == "reports").awards[0].points == 5  # type: ignore[union-attr]
    assert scheme.grades[0].minimum == 95
    items = with_overrides(
        Standard(
            "t.c",
            "t",
            SubjectKind.PLATFORM,
            "1",
            (Checklist("c", "c", (ChecklistItem("a", "a", RecordKind.ACTIVITY),)),),
        ),
        {"c.a.minimum": 3},
    )
    assert items.criteria[0].items[0].minimum == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("minimum", 2, "name a criterion"),
        ("nope.minimum", 2, "no criterion"),
        ("monthly-report.title", 2, "no number"),
        ("monthly-report.window", 2, "not a number"),
        ("monthly-report.minimum", "two", "must be a number"),
        ("monthly-report.minimum", 1.5, "whole number"),
        ("monthly-report.minimum", True, "must be a number"),
        ("monthly-report.nothing.minimum", 1, "nothing called"),
    ],
)
def test_bad_overrides(path: str, value: object, fragment: str) -> None:
    with pytest.raises(OverrideError, match=fragment):
        with_overrides(pengan.THREE_ONES, {path: value})


def test_dependencies() -> None:
    assert pengan.MEMBER_DUTY.dependencies == ("pengan.three-ones",)
    assert pengan.COUNTY_ROLLUP.dependencies == ("pengan.three-ones", "pengan.six-haves")
    assert pengan.THREE_ONES.dependencies == ()

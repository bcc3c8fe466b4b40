"""What a rule plugin imports: ``from xieshang.rules import hookimpl, Standard, PeriodicQuota …``.

See docs/plugins.md for the concepts, every hook and every criterion kind with an example.
Nothing else in xieshang is part of the plugin contract.
"""

from xieshang.rules.hookspecs import hookimpl
from xieshang.rules.periods import Period, PeriodError, Window, parse_period, window_of
from xieshang.rules.results import (
    Assessment,
    CriterionInput,
    CriterionResult,
    ItemResult,
    Record,
    SectionResult,
    Subject,
    WindowResult,
)
from xieshang.rules.screening import ScreeningNote, Severity, TopicDraft
from xieshang.rules.standards import (
    ActivityKind,
    AttendanceScore,
    Award,
    Checklist,
    ChecklistItem,
    ComplianceAward,
    CustomCriterion,
    Flag,
    Grade,
    PeriodicQuota,
    PointsScheme,
    RecordKind,
    Role,
    Section,
    ShareMet,
    Standard,
    Status,
    SubjectKind,
)

__all__ = [
    "ActivityKind",
    "Assessment",
    "AttendanceScore",
    "Award",
    "Checklist",
    "ChecklistItem",
    "ComplianceAward",
    "CriterionInput",
    "CriterionResult",
    "CustomCriterion",
    "Flag",
    "Grade",
    "ItemResult",
    "Period",
    "PeriodError",
    "PeriodicQuota",
    "PointsScheme",
    "Record",
    "RecordKind",
    "Role",
    "ScreeningNote",
    "Section",
    "SectionResult",
    "Severity",
    "ShareMet",
    "Standard",
    "Status",
    "Subject",
    "SubjectKind",
    "TopicDraft",
    "Window",
    "WindowResult",
    "hookimpl",
    "parse_period",
    "window_of",
]

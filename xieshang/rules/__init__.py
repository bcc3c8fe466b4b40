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
    ProposerRole,
    RecordKind,
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
    "ProposerRole",
    "Record",
    "RecordKind",
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


def __getattr__(name: str) -> object:
    # Names of earlier plugin API versions, kept working for one major version with a warning.
    if name == "Role":
        import warnings

        warnings.warn(
            "xieshang.rules.Role is now xieshang.rules.ProposerRole (plugin API 2.0)",
            DeprecationWarning,
            stacklevel=2,
        )
        return ProposerRole
    raise AttributeError(f"module 'xieshang.rules' has no attribute {name!r}")

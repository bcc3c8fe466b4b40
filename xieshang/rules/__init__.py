"""What a rule plugin imports: ``from xieshang.rules import hookimpl, Standard, PeriodicQuota …``.

See docs/plugins.md for the concepts, every hook and every criterion kind with an example, and
for the compatibility policy of ``PLUGIN_API_VERSION``. Nothing else in xieshang is part of the
plugin contract.
"""

from xieshang.rules.checklist import Checklist, ChecklistItem
from xieshang.rules.compat import DEPRECATED_NAMES as _DEPRECATED_NAMES
from xieshang.rules.compat import PLUGIN_API_VERSION
from xieshang.rules.criteria import AwardRule, Criterion, OverrideError
from xieshang.rules.custom import CustomCriterion
from xieshang.rules.hookspecs import hookimpl
from xieshang.rules.periods import Period, PeriodError, Window, parse_period, window_of
from xieshang.rules.points import (
    AttendanceScore,
    Award,
    ComplianceAward,
    Grade,
    PointsScheme,
    Section,
)
from xieshang.rules.quota import PeriodicQuota
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
from xieshang.rules.share import ShareMet
from xieshang.rules.standards import (
    ActivityKind,
    Flag,
    ProposerRole,
    RecordKind,
    Standard,
    Status,
    SubjectKind,
)

__all__ = [
    "PLUGIN_API_VERSION",
    "ActivityKind",
    "Assessment",
    "AttendanceScore",
    "Award",
    "AwardRule",
    "Checklist",
    "ChecklistItem",
    "ComplianceAward",
    "Criterion",
    "CriterionInput",
    "CriterionResult",
    "CustomCriterion",
    "Flag",
    "Grade",
    "ItemResult",
    "OverrideError",
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
    # Names of earlier plugin API versions keep working, with a warning, until the next major
    # version (docs/plugins.md, 兼容性 compatibility).
    if name in _DEPRECATED_NAMES:
        import warnings

        current, since = _DEPRECATED_NAMES[name]
        warnings.warn(
            f"xieshang.rules.{name} is now xieshang.rules.{current} (plugin API {since}.0);"
            f" the old name goes in plugin API {since + 1}.0",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[current]
    raise AttributeError(f"module 'xieshang.rules' has no attribute {name!r}")
